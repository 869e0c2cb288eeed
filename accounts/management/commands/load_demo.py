import importlib

from django.core.management.base import BaseCommand

# Each app that has demo data provides `<app>.demo.load(stdout)`; they run in this order.
DEMO_APPS = [
    "accounts",
    "networks",
    "events",
    "certificates",
    "newsletter",
    "mentoring",
    "engagement",
    "organisations",
]


class Command(BaseCommand):
    help = "Load demo organisations, people, networks and sessions. Safe to run twice."

    def handle(self, *args, **options):
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
