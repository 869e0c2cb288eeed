from crispy_forms_gds.choices import Choice
from django import forms
from django.utils.html import format_html

from accounts.models import User

from .models import Membership, Network


class Checkboxes(forms.CheckboxSelectMultiple):
    """crispy-forms-gds numbers the boxes from 1; the error summary links to the first one."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_1" if id_ and index is None else super().id_for_label(id_, index)


class Radios(forms.RadioSelect):
    """crispy-forms-gds numbers the buttons from 1; the error summary links to the first one."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_1" if id_ and index is None else super().id_for_label(id_, index)


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


class ApplicationAnswersForm(forms.Form):
    """The questions an approval network asks: job title, organisation, why, and perhaps seniority."""

    job_title = forms.CharField(
        label="Your job title",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Enter your job title"},
    )
    organisation = forms.CharField(
        label="Your organisation",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter your organisation"},
    )
    reason = forms.CharField(
        label="Why do you want to join?",
        help_text="For example, what you would like to learn, share or work on with others.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Tell us why you want to join",
            "max_length": "Why you want to join must be 2,000 characters or fewer",
        },
    )
    seniority = forms.ChoiceField(
        label="How senior is your role?",
        choices=Membership.Seniority.choices,
        widget=Radios,
        error_messages={"required": "Choose how senior your role is"},
    )

    def __init__(self, *args, user: User, ask_seniority: bool, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "job_title": user.job_title,
                "organisation": user.organisation.name
                if user.organisation
                else user.requested_organisation_name,
            },
        )
        super().__init__(*args, **kwargs)
        if not ask_seniority:
            del self.fields["seniority"]

    def clean_job_title(self):
        return self._required_line("job_title")

    def clean_organisation(self):
        return self._required_line("organisation")

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.fields["reason"].required and not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason

    def _required_line(self, name):
        value = _one_line(self.cleaned_data.get(name))
        if self.fields[name].required and not value:
            raise forms.ValidationError(self.fields[name].error_messages["required"])
        return value

    def answers(self) -> dict:
        keys = ("job_title", "organisation", "reason", "seniority")
        return {key: self.cleaned_data[key] for key in keys if key in self.cleaned_data}


class ApplicationForm(ApplicationAnswersForm):
    """Applying to one approval network."""

    def __init__(self, *args, network: Network, user: User, **kwargs):
        super().__init__(*args, user=user, ask_seniority=network.asks_seniority, **kwargs)
        # crispy-forms-gds shows labels and hints as HTML: a name written in admin is escaped here.
        self.fields["reason"].label = format_html("Why do you want to join {}?", network.name)


class ChooseNetworksForm(ApplicationAnswersForm):
    """The sign-up chooser: pick networks, and answer the application questions if any chosen
    network reviews applications. One form, one submit."""

    networks = forms.MultipleChoiceField(
        label="Which networks would you like to join?",
        help_text="Select all that apply.",
        widget=Checkboxes,
        error_messages={
            "required": "Select at least one network, or choose ‘Skip for now’",
            "invalid_choice": "Select networks from the list",
        },
    )

    field_order = ["networks", "job_title", "organisation", "reason", "seniority"]

    def __init__(self, *args, networks: list[Network], user: User, **kwargs):
        self.available = {network.slug: network for network in networks}
        super().__init__(*args, user=user, ask_seniority=any(n.asks_seniority for n in networks), **kwargs)
        self.fields["networks"].choices = [
            Choice(network.slug, network.name, hint=_choice_hint(network)) for network in networks
        ]
        for name in ("job_title", "organisation", "reason", "seniority"):
            if name in self.fields:
                self.fields[name].required = False
        self.fields["reason"].label = "Why do you want to join the networks that review applications?"
        self.fields["reason"].help_text = (
            "Only needed if you choose a network that reviews applications. For example, what you "
            "would like to learn, share or work on with others."
        )
        if "seniority" in self.fields:
            self.fields["seniority"].help_text = format_html(
                "Only needed for {}, which ask every applicant.",
                " and ".join(n.name for n in networks if n.asks_seniority),
            )

    def chosen_networks(self) -> list[Network]:
        return [self.available[slug] for slug in self.cleaned_data.get("networks", [])]

    def clean(self):
        cleaned = super().clean()
        chosen = [self.available[slug] for slug in cleaned.get("networks", [])]
        if any(network.join_policy == Network.JoinPolicy.APPROVAL for network in chosen):
            for name in ("job_title", "organisation", "reason"):
                if name not in self.errors and not cleaned.get(name):
                    self.add_error(name, self.fields[name].error_messages["required"])
        needs_seniority = any(network.asks_seniority for network in chosen)
        if needs_seniority and "seniority" not in self.errors and not cleaned.get("seniority"):
            self.add_error("seniority", self.fields["seniority"].error_messages["required"])
        return cleaned

    def answers(self) -> dict:
        answers = super().answers()
        if not any(network.asks_seniority for network in self.chosen_networks()):
            answers.pop("seniority", None)
        return answers


def _choice_hint(network: Network) -> str:
    if network.join_policy == Network.JoinPolicy.APPROVAL:
        return f"{network.summary} You apply, and the networks team reviews your application."
    return f"{network.summary} You join straight away."


class DeclineForm(forms.Form):
    """Staff, in admin: the reason an application is declined, which is emailed to the applicant."""

    reason = forms.CharField(
        label="Reason (emailed to each applicant)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        error_messages={"required": "Enter the reason: it is emailed to the applicant"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class LeadDeclineForm(forms.Form):
    """A lead turns down an application: the reason is sent to the applicant."""

    reason = forms.CharField(
        label="Why is the application declined?",
        help_text="The applicant is sent this reason by email.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason the application is declined"},
    )


class MembersMessageForm(forms.Form):
    """A message to every member of a network; staff get a copy."""

    subject = forms.CharField(
        label="Subject",
        max_length=200,
        error_messages={
            "required": "Enter a subject",
            "max_length": "Subject must be 200 characters or fewer",
        },
    )
    body = forms.CharField(
        label="Message",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your message",
            "max_length": "Message must be 10,000 characters or fewer",
        },
    )
