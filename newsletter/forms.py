from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label="Name (optional)",
        max_length=150,
        required=False,
        error_messages={"max_length": "Name must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label="I agree to get the monthly newsletter by email. I can unsubscribe at any time.",
        error_messages={"required": "Tick the box to agree to get the newsletter"},
    )


class DigestSettingsForm(forms.Form):
    networks = forms.MultipleChoiceField(
        label="Email me once a week about new sessions in",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only in weeks with new sessions you can register for. Off unless you choose a network.",
    )

    # The notification settings page has a reminders form with a field of the same name.
    prefix = "digest"

    def __init__(self, *args, networks, chosen=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = [(str(network.pk), network.name) for network in networks]
        self.fields["networks"].error_messages["invalid_choice"] = "Choose networks from the list"
        if not self.is_bound:
            self.initial["networks"] = [str(network.pk) for network in networks if network.pk in chosen]
