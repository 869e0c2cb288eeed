from django import forms

from accounts.models import User


class AccountDeleteForm(forms.Form):
    """The confirmation step before deleting an account: the person types their password again."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to delete your account"},
    )

    def __init__(self, *args, user: User, locked_out: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.locked_out = locked_out

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.locked_out:
            raise forms.ValidationError(
                "You have entered the wrong password too many times. Wait 15 minutes, then try again",
                code="locked_out",
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not correct", code="incorrect")
        return password
