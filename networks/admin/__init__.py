"""Staff work on networks in Django admin. Every change of a membership or invitation goes
through networks.services, so it is checked, audited and emailed like any other."""

from . import invitations, memberships, network  # noqa: F401  (each registers its models' admin)
