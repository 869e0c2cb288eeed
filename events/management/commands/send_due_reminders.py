from django.core.management.base import BaseCommand

from events.reminders import reminders_run_due


class Command(BaseCommand):
    help = (
        "Write the reminders that are due to the outbox and hand them to the Celery workers "
        "(the same job beat runs every two minutes). Safe to run twice."
    )

    def handle(self, *args, **options):
        outcome = reminders_run_due()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reminders: {outcome['written']} written, {outcome['released']} released from stopped "
                f"workers, {outcome['queued']} queued for sending."
            )
        )
