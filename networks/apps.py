from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = "Networks and memberships"

    def ready(self):
        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
