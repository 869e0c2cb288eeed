from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Sessions and registrations"

    def ready(self):
        from loti_portal.public_cache import changes_raise_version

        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)

        # Pages show these from the public cache, and each person's own from person_get.
        changes_raise_version(*(self.get_model(name) for name in ("Event", "Registration", "Speaker")))
