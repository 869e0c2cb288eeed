from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = "After a session: materials and feedback"

    def ready(self):
        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
