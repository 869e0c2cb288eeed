from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = "Organisation leads"

    def ready(self):
        from accounts.signals import organisation_request_submitted

        from . import emails  # noqa: F401 (registers the email kinds)

        organisation_request_submitted.connect(_tell_leads, dispatch_uid="organisations.tell_leads")


def _tell_leads(sender, request, **kwargs):
    from .services import claim_leads_notify

    claim_leads_notify(request=request)
