from allauth.account.apps import AccountConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from allauth.account.signals import email_changed

        from .permissions import staff_groups_sync

        # Groups refer to permissions that Django creates after each app migrates.
        post_migrate.connect(staff_groups_sync, dispatch_uid="accounts.staff_groups_sync")
        # allauth's only hook for a confirmed change of primary address.
        email_changed.connect(_relink_organisation, dispatch_uid="accounts.relink_organisation")


def _relink_organisation(sender, request, user, from_email_address, to_email_address, **kwargs):
    from .services import user_sync_organisation_from_email

    user_sync_organisation_from_email(user=user)


class SignInAddressesConfig(AccountConfig):
    """allauth's app, named apart from ours so the admin index has one "Accounts" section."""

    verbose_name = "Sign-in email addresses"
