from django import forms

from accounts.models import Organisation

from .selectors import PERIODS, Filters


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, from the query string; a bad value is reported and the default used."""

    months = forms.TypedChoiceField(
        label="Period",
        choices=list(PERIODS.items()),
        coerce=int,
        initial=12,
        required=False,
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    network = forms.ChoiceField(
        label="Network", required=False, error_messages={"invalid_choice": "Choose a network from the list"}
    )
    kind = forms.ChoiceField(
        label="Organisation kind",
        choices=[("", "All kinds"), *Organisation.Kind.choices],
        required=False,
        error_messages={"invalid_choice": "Choose an organisation kind from the list"},
    )

    def __init__(self, data, *, networks):
        super().__init__(data)
        self.networks = {str(network.pk): network for network in networks}
        self.fields["network"].choices = [("", "All networks")] + [
            (str(network.pk), network.name) for network in networks
        ]

    def filters(self) -> Filters:
        """The filters asked for; those that were not valid are left at their defaults."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            months=data.get("months") or 12,
            network=self.networks.get(data.get("network") or ""),
            kind=data.get("kind") or "",
        )
