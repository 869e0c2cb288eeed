"""Staff permission groups, kept in step with the models after every migration."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

NETWORK_MANAGERS = "Network managers"

# Network managers run rosters and sessions: everything in networks and events, and the emails
# they cause (seeing them, sending a failed one again), but on accounts and organisations only
# view (they cannot change people's accounts or staff rights).
GROUPS = {
    NETWORK_MANAGERS: {
        "full": ["networks", "events", "outbox"],
        "view": ["accounts"],
    },
}


def staff_groups_sync(**kwargs) -> None:
    """Create the groups and give them their permissions. Idempotent; connected to post_migrate."""
    for name, rules in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Permission.objects.filter(
            Q(content_type__app_label__in=rules["full"])
            | Q(content_type__app_label__in=rules["view"], codename__startswith="view_")
        )
        group.permissions.set(wanted)
