from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self):
        from events.feed_sources import personal_feed_source_register

        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
        from .calendar import CIRCLE_MEETINGS_FEED

        # A member's circles' meetings appear in their own calendar feed (events' feed view).
        personal_feed_source_register(CIRCLE_MEETINGS_FEED)
