from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from .permissions import staff_groups_sync

        # Groups refer to permissions that Django creates after each app migrates.
        post_migrate.connect(staff_groups_sync, dispatch_uid="accounts.staff_groups_sync")
