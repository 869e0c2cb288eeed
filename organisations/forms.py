from django import forms


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(
        label="Your colleague's work email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your colleague's work email address",
            "invalid": "Enter an email address in the correct format, like name@camden.gov.uk",
        },
    )


class ClaimRejectForm(forms.Form):
    reason = forms.CharField(
        label="Why are you not confirming them? (optional)",
        help_text="They are sent this by email.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
