from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Sessions and registrations"

    def ready(self):
        from allauth.account.signals import email_confirmed

        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)

        # allauth's hook for a confirmed address (by link, by code, or by staff in admin).
        email_confirmed.connect(_claim_guest_registrations, dispatch_uid="events.claim_guest_registrations")


def _claim_guest_registrations(sender, request, email_address, **kwargs):
    """Once an address is confirmed, registrations made as a guest with it join the account."""
    from .services.guests import guest_registrations_claim

    guest_registrations_claim(user=email_address.user, email=email_address.email)
