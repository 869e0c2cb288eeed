from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self):
        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
