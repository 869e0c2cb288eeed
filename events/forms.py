from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .cards import escape as escape_text
from .models import Event, EventMessage, Question, Registration


class _FirstOptionLabel:
    """Point the error summary's link at the first option (crispy-forms-gds numbers them from 1);
    Django's radios and checkboxes otherwise give no id to link to."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_1" if index is None and id_ else super().id_for_label(id_, index)


class Radios(_FirstOptionLabel, forms.RadioSelect):
    pass


class Checkboxes(_FirstOptionLabel, forms.CheckboxSelectMultiple):
    pass


def question_field_name(question: Question) -> str:
    return f"question_{question.pk}"


def _mode_label(mode: str, left: int | None) -> str:
    name = Registration.Mode(mode).label
    if left is None:
        return name
    if left == 0:
        return f"{name} (full: you will join its waiting list)"
    return f"{name} ({left} place{'s' if left != 1 else ''} left)"


class RegistrationForm(forms.Form):
    """The event's questions, one field each. `answers()` gives them keyed by question id."""

    def __init__(
        self, *args, questions: list[Question], modes: dict[str, int | None] | None = None, **kwargs
    ):
        """`modes`: for a hybrid session, the places left in person and online (None: no limit),
        to ask how the person will attend."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        if modes is not None:
            self.fields["mode"] = forms.ChoiceField(
                label="How will you attend?",
                choices=[(mode, _mode_label(mode, left)) for mode, left in modes.items()],
                widget=Radios,
                error_messages={
                    "required": "Select whether you will come in person or join online",
                    "invalid_choice": "Select whether you will come in person or join online",
                },
            )
        for question in questions:
            self.fields[question_field_name(question)] = self._field_for(question)

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        # crispy-forms-gds marks labels and hints safe: escape staff-written text here.
        common = {
            "label": escape(question.text if question.required else f"{question.text} (optional)"),
            "help_text": escape(question.hint),
            "required": question.required,
        }
        choices = [(option, option) for option in question.option_list]
        if question.kind == Question.Kind.ONE_CHOICE:
            return forms.ChoiceField(
                choices=choices,
                widget=Radios,
                error_messages={
                    "required": f"Select an answer to “{question.text}”",
                    "invalid_choice": f"Select one of the answers to “{question.text}”",
                },
                **common,
            )
        if question.kind == Question.Kind.SEVERAL_CHOICES:
            return forms.MultipleChoiceField(
                choices=choices,
                widget=Checkboxes,
                error_messages={
                    "required": f"Select at least one answer to “{question.text}”",
                    "invalid_choice": f"Select from the answers to “{question.text}”",
                },
                **common,
            )
        return forms.CharField(
            max_length=500,
            error_messages={
                "required": f"Enter your answer to “{question.text}”",
                "max_length": f"Your answer to “{question.text}” must be 500 characters or fewer",
            },
            **common,
        )

    def mode(self) -> str:
        return self.cleaned_data.get("mode", "")

    def answers(self) -> dict:
        return {
            str(question.pk): self.cleaned_data.get(question_field_name(question))
            for question in self.questions
        }


def _filter_selects(fields, data, errors) -> SafeString:
    """GOV.UK selects for (name, label, choices) in order, the option in `data` selected, each
    with its message from `errors` (a form's errors by field name)."""
    groups = []
    for name, label, choices in fields:
        value = data.get(name) or ""
        options = "".join(
            f'<option value="{escape_text(str(option))}"{" selected" if str(option) == value else ""}>'
            f"{escape_text(str(option_label))}</option>"
            for option, option_label in choices
        )
        field_id = f"id_{name}"
        if name in errors:
            error_id = f"{field_id}_1_error"
            message = escape(errors[name][0])
            groups.append(
                f'<div id="div_{field_id}" class="govuk-form-group govuk-form-group--error">'
                f'<label for="{field_id}" class="govuk-label">{escape(label)}</label>'
                f'<span id="{error_id}" class="govuk-error-message">'
                f'<span class="govuk-visually-hidden">Error:</span> {message}</span>'
                f'<select name="{name}" aria-describedby="{error_id}" class="govuk-select '
                f'govuk-input--error" aria-invalid="true" id="{field_id}">{options}</select></div>'
            )
        else:
            groups.append(
                f'<div id="div_{field_id}" class="govuk-form-group">'
                f'<label for="{field_id}" class="govuk-label">{escape(label)}</label>'
                f'<select name="{name}" class="govuk-select" id="{field_id}">{options}</select></div>'
            )
    return mark_safe("\n".join(groups))  # noqa: S308 - every value above is escaped


class EventFilterForm(forms.Form):
    """The events list's filters, read from the query string."""

    FILTERS = ("network", "kind", "programme")

    network = forms.ChoiceField(label="Network", required=False)
    kind = forms.ChoiceField(
        label="Type of event",
        required=False,
        choices=[("", "All types"), *Event.Kind.choices],
        error_messages={"invalid_choice": "Select a type of event from the list"},
    )
    programme = forms.ChoiceField(label="Programme", required=False)

    def __init__(self, *args, networks, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.networks = {network.slug: network for network in networks}
        network_choices, programme_choices = self._choices(networks, programmes)
        self.fields["network"].choices = network_choices
        self.fields["network"].error_messages["invalid_choice"] = "Select a network from the list"
        self.fields["programme"].choices = programme_choices
        self.fields["programme"].error_messages["invalid_choice"] = "Select a programme from the list"
        if not programmes:
            del self.fields["programme"]

    @staticmethod
    def _choices(networks, programmes) -> tuple[list, list]:
        """The networks' and the programmes' choices, each after its "All …" choice."""
        return (
            [("", "All networks"), *((network.slug, network.name) for network in networks)],
            [("", "All programmes"), *((programme, programme) for programme in programmes)],
        )

    def fields_html(self, *, show_errors: bool) -> SafeString:
        """The filters as GOV.UK selects, each with its error message when `show_errors` (the
        form has been validated), drawn here rather than through crispy-forms: the same markup
        for a fraction of the work, since the list is drawn for every visitor."""
        errors = self.errors if show_errors else {}
        return _filter_selects(
            [(name, field.label, field.choices) for name, field in self.fields.items()], self.data, errors
        )

    @classmethod
    def blank_fields_html(cls, *, networks, programmes) -> SafeString:
        """What fields_html draws for a list asked for without filters (nothing chosen, nothing to
        validate), without building the form."""
        base = cls.base_fields
        network_choices, programme_choices = cls._choices(networks, programmes)
        fields = [
            ("network", base["network"].label, network_choices),
            ("kind", base["kind"].label, base["kind"].choices),
        ]
        if programmes:
            fields.append(("programme", base["programme"].label, programme_choices))
        return _filter_selects(fields, {}, {})

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out (and shown as an error)."""
        data = self.cleaned_data
        return {
            "network": self.networks.get(data.get("network") or ""),
            "kind": data.get("kind") or "",
            "programme": data.get("programme") or "",
        }


class EmailRegistrantsForm(forms.Form):
    recipients = forms.ChoiceField(
        label="Who should get it?",
        choices=EventMessage.Recipients.choices,
        widget=forms.RadioSelect,
        initial=EventMessage.Recipients.CONFIRMED,
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "Plain text, sent as written: start with your own greeting. "
            "The event’s name, time and place are added below it."
        ),
    )


class GuestRegistrationForm(RegistrationForm):
    """Registering for a public session without an account: who you are, the session's
    questions, access needs and agreement to the privacy notice. `website` is a honeypot: hidden
    from people, filled in by bots."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, questions=questions, **kwargs)
        ordered = {
            "full_name": forms.CharField(
                label="Full name",
                max_length=150,
                error_messages={
                    "required": "Enter your full name",
                    "max_length": "Your name must be 150 characters or fewer",
                },
                widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
            ),
            "email": forms.EmailField(
                label="Email address",
                help_text="We will send a link to this address to confirm your registration.",
                max_length=254,
                error_messages={
                    "required": "Enter your email address",
                    "invalid": "Enter an email address in the correct format, like name@example.com",
                    "max_length": "Your email address must be 254 characters or fewer",
                },
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            ),
        }
        ordered.update(self.fields)
        ordered["access_needs"] = forms.CharField(
            label="Access needs (optional)",
            help_text="For example step-free access, a sign language interpreter or dietary needs.",
            required=False,
            max_length=1000,
            error_messages={"max_length": "Your access needs must be 1,000 characters or fewer"},
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        ordered["privacy"] = forms.BooleanField(
            label="I agree to the privacy notice",
            error_messages={"required": "Agree to the privacy notice to register"},
        )
        ordered["website"] = forms.CharField(required=False, label="Leave this empty")
        self.fields = ordered

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class WalkInForm(forms.Form):
    """Someone who came without a place, added at check-in: by the email of their account, or,
    without one, by name (the email is then optional)."""

    walk_in_name = forms.CharField(
        label="Their name",
        max_length=150,
        required=False,
        error_messages={"max_length": "Their name must be 150 characters or fewer"},
    )
    walk_in_email = forms.EmailField(
        label="Their email address (optional)",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Their email address must be 254 characters or fewer",
        },
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("walk_in_name", "").strip() and not data.get("walk_in_email"):
            self.add_error("walk_in_name", "Enter the name of the person who came")
        return data
