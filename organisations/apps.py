from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = "Organisation leads"

    def ready(self):
        from . import emails  # noqa: F401 (registers the email kinds)
