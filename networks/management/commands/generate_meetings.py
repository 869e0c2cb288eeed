from django.core.management.base import BaseCommand

from networks.meetings import meetings_generate_all


class Command(BaseCommand):
    help = "Create each network's meetings from its cadence up to its horizon. Safe to run twice."

    def handle(self, *args, **options):
        created = meetings_generate_all()
        for slug, count in created.items():
            self.stdout.write(f"{slug}: {count} new meeting{'s' if count != 1 else ''}")
        self.stdout.write(self.style.SUCCESS(f"Created {sum(created.values())} meetings."))
