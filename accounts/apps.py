from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from allauth.account.signals import email_changed

        from loti_portal.public_cache import changes_raise_version

        from .permissions import staff_groups_sync

        # Groups refer to permissions that Django creates after each app migrates.
        post_migrate.connect(staff_groups_sync, dispatch_uid="accounts.staff_groups_sync")
        # allauth's hook for a confirmed primary address: sent when a new account's address is
        # confirmed, and when a confirmed address becomes the primary one (ACCOUNT_CHANGE_EMAIL).
        email_changed.connect(_decide_organisation, dispatch_uid="accounts.decide_organisation")
        # Pages read organisations from the public cache (accounts.selectors.organisation_attach).
        changes_raise_version(self.get_model("Organisation"))


def _decide_organisation(sender, request, user, from_email_address, to_email_address, **kwargs):
    from .services import user_organisation_decide

    user_organisation_decide(user=user)
