from django.core.management.base import BaseCommand

from engagement.services import rollup_refresh


class Command(BaseCommand):
    help = "Rewrite the monthly engagement rollups the dashboard reads (beat does it every hour)."

    def handle(self, *args, **options):
        counts = rollup_refresh()
        self.stdout.write(
            f"Rollups: {counts['attendance']} attendance rows, {counts['membership']} membership rows"
        )
