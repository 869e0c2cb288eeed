from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import User
from .selectors import organisation_for_email, organisation_list_for_signup


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # The page has its own "forgotten password" link after the button.
        self.fields["password"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class SignupForm(AllauthSignupForm):
    """Sign-up with any email address; the organisation comes from the email's domain when it
    can, else the person may choose or name one, or leave both blank if they have none."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name"},
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (optional, if your email address is not from a London borough or partner)",
        queryset=organisation_list_for_signup(),
        required=False,
        empty_label="Choose your organisation",
        help_text="Leave this blank if you use your organisation's email address (we recognise "
        "London boroughs and partners from it), or if you do not work in London's public sector. "
        "If you choose one, our team checks it before your account is linked to it.",
    )
    new_organisation_name = forms.CharField(
        label="Or, if your organisation is not on the list, its name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text="Our team will check it and link your account.",
    )

    field_order = [
        "full_name",
        "email",
        "job_title",
        "organisation",
        "new_organisation_name",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = (
            "If you work for a London borough or partner, use your work address, for example "
            "name@camden.gov.uk"
        )
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs["spellcheck"] = "false"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@camden.gov.uk"
        )
        self.fields["password1"].label = "Create a password"
        self.fields["password1"].help_text = "At least 10 characters; not a common password."
        self.fields["password2"].label = "Confirm your password"
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
            self.fields[name].error_messages["required"] = (
                "Enter a password" if name == "password1" else "Confirm your password"
            )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name")
        return name

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if not email:
            return cleaned
        chosen = cleaned.get("organisation")
        new_name = " ".join((cleaned.get("new_organisation_name") or "").split())
        cleaned["new_organisation_name"] = new_name
        if organisation_for_email(email=email) is not None:
            return cleaned
        if chosen and new_name:
            self.add_error(
                "new_organisation_name",
                "Choose your organisation from the list or enter its name, not both",
            )
        # Neither: someone outside London's public sector (a student, say), welcome at public
        # sessions; their account has no organisation.
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "show_name_to_attendees"]
        labels = {
            "full_name": "Full name",
            "job_title": "Job title",
            "show_name_to_attendees": "Show my name to other people with a place at the same events",
        }
        help_texts = {
            "show_name_to_attendees": "Your name will be listed under “Who’s coming” on the events you "
            "have a place at, for the other people with a place. Your email address is never shown.",
        }
        error_messages = {
            "full_name": {
                "required": "Enter your full name",
                "max_length": "Your full name must be 150 characters or fewer",
            },
            "job_title": {"max_length": "Your job title must be 150 characters or fewer"},
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name")
        return name


class ConfirmationResendForm(forms.Form):
    """Ask for a new link to confirm an address (from the "check your email" page)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@camden.gov.uk",
        },
    )
