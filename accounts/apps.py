from allauth.account.apps import AccountConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from allauth.account.signals import email_changed, password_reset

        from . import emails  # noqa: F401  (registers this app's kinds of email with the outbox)
        from .permissions import staff_groups_sync

        # Groups refer to permissions that Django creates after each app migrates.
        post_migrate.connect(staff_groups_sync, dispatch_uid="accounts.staff_groups_sync")
        # allauth's hook for a confirmed primary address: sent when a new account's address is
        # confirmed, and when a confirmed address becomes the primary one (ACCOUNT_CHANGE_EMAIL).
        email_changed.connect(_decide_organisation, dispatch_uid="accounts.decide_organisation")
        # A new password set from an emailed link opens an account paused by failed sign-ins.
        password_reset.connect(_open_sign_in, dispatch_uid="accounts.open_sign_in")


def _decide_organisation(sender, request, user, from_email_address, to_email_address, **kwargs):
    from .services import user_organisation_decide

    user_organisation_decide(user=user)


def _open_sign_in(sender, request, user, **kwargs):
    from allauth.account.models import EmailAddress

    from .throttles import account_sign_in_reset

    for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True):
        account_sign_in_reset(email=email)
    account_sign_in_reset(email=user.email)


class SignInAddressesConfig(AccountConfig):
    """allauth's app, named apart from ours so the admin index has one "Accounts" section."""

    verbose_name = "Sign-in email addresses"
