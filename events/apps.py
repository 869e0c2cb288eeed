from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Sessions and registrations"

    def ready(self):
        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
