"""What accounts announce to the apps above it, which accounts itself must not import."""

from django.dispatch import Signal

# Sent inside the transaction that sends an organisation request for review (once its address is
# confirmed), with `request` (the OrganisationRequest). The organisations app tells the
# organisation's leads, who may confirm a colleague themselves.
organisation_request_submitted = Signal()
