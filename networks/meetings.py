"""Turn each network's cadence into meeting events, a rolling window ahead.

Generated meetings are ordinary events of the network, marked with the date of the occurrence
they stand for. The (network, occurrence date) pair is unique, so the generator can run any number
of times, from any number of beats, and create each meeting once. A meeting staff moved or
cancelled keeps its occurrence date, so it is never brought back; when the rule changes, only
future meetings nobody has touched (not edited by staff, nobody registered) are replaced.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from events.emails import REMINDER
from events.models import Event, Registration
from loti_portal import versions
from outbox.models import Email

from .cadence import cadence_occurrences
from .models import Network


def meeting_title(network: Network) -> str:
    return f"{network.name} meeting"


def meetings_notice(network: Network) -> timedelta:
    """How far ahead members are told of a meeting: its longest reminder (none: no notice)."""
    return timedelta(hours=max(network.reminder_offsets_hours or [0]))


def meetings_preview(*, network: Network, now: datetime | None = None, count: int = 6) -> list[dict]:
    """The next `count` meetings the network's cadence (as it is on `network`, saved or not) makes:
    each with its start, end and whether it falls within the notice period (see
    meetings_generate). For staff, before they save a change of cadence."""
    now = now or timezone.now()
    cadence = network.cadence
    if cadence is None:
        return []
    notice_ends = now + meetings_notice(network)
    occurrences = cadence_occurrences(cadence, after=now, until=now + timedelta(days=3 * 366))[:count]
    return [
        {"date": occurrence, "start": start, "end": end, "within_notice": start < notice_ends}
        for occurrence, start, end in occurrences
    ]


def meetings_generate(*, network: Network, now: datetime | None = None, within_notice: bool = False) -> int:
    """Create the network's meetings up to its horizon. Idempotent; returns how many it created.

    A meeting that would start within the notice period (the longest reminder) is made only with
    `within_notice` (staff confirmed it): otherwise members would be reminded of a meeting they
    were never told about a week ahead, and the first meeting is the first outside that period.
    """
    now = now or timezone.now()
    cadence = network.cadence
    if cadence is None or network.status != Network.Status.ACTIVE:
        return 0
    until = now + timedelta(days=network.meetings_horizon_days)
    notice_ends = now + meetings_notice(network)
    occurrences = [
        (occurrence, start, end)
        for occurrence, start, end in cadence_occurrences(cadence, after=now, until=until)
        if within_notice or start >= notice_ends
    ]
    existing = set(
        Event.objects.filter(network=network, occurrence_date__isnull=False).values_list(
            "occurrence_date", flat=True
        )
    )
    new = [
        meeting_for(network, occurrence, start, end)
        for occurrence, start, end in occurrences
        if occurrence not in existing
    ]
    created = sum(_meeting_create(meeting) for meeting in new)
    if created:
        versions.events_changed(
            slugs=[meeting.slug for meeting in new if meeting.pk], network_slugs=[network.slug]
        )
    return created


def meeting_for(network: Network, occurrence, start: datetime, end: datetime, **fields) -> Event:
    """The network's meeting on that occurrence of its cadence, not yet saved."""
    return Event(
        title=meeting_title(network),
        slug=f"{slugify(network.slug)}-{occurrence:%Y-%m-%d}",
        summary=f"The {network.name} network's {occurrence:%B} meeting.",
        kind=Event.Kind.NETWORK_MEETING,
        network=network,
        start=start,
        end=end,
        venue=network.meeting_venue,
        online_url=network.meeting_online_url,
        capacity=network.meeting_capacity,
        audience=Event.Audience.NETWORK_MEMBERS,
        status=Event.Status.PUBLISHED,
        occurrence_date=occurrence,
        **fields,
    )


def _meeting_create(meeting: Event) -> bool:
    """Save one generated meeting; whether it was created. A slug another event has (say, a
    session staff named after the date) gets a number added, so the meeting is never lost; a
    meeting a concurrent run made first (the unique network and occurrence date) is left to it."""
    for _ in range(3):
        meeting.slug = _free_slug(meeting.slug)
        try:
            with transaction.atomic():
                meeting.save()
            return True
        except IntegrityError:
            meeting.pk = None
            if Event.objects.filter(
                network=meeting.network, occurrence_date=meeting.occurrence_date
            ).exists():
                return False
    raise RuntimeError(f"No free address for the meeting of {meeting.occurrence_date}")


def _free_slug(base: str) -> str:
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def meetings_replace_future(
    *, network: Network, now: datetime | None = None, within_notice: bool = False
) -> tuple[int, int]:
    """After a change of rule: drop future meetings nobody has touched, then generate afresh.

    Returns (removed, created). Meetings staff edited, and meetings anyone registered for, stay.
    """
    now = now or timezone.now()
    untouched = (
        Event.objects.filter(
            network=network, occurrence_date__isnull=False, start__gt=now, staff_edited=False
        )
        .exclude(registrations__status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED])
        # A meeting people were reminded of stays: they were told about it.
        .exclude(id__in=Email.objects.filter(kind=REMINDER, about_type="events.event").values("about_id"))
    )
    removed = dict(untouched.values_list("id", "slug"))
    ids = list(removed)
    Event.objects.filter(id__in=ids).delete()
    if ids:
        versions.events_changed(slugs=removed.values(), network_slugs=[network.slug])
    created = meetings_generate(network=network, now=now, within_notice=within_notice)
    return len(ids), created


def meetings_generate_all(*, now: datetime | None = None) -> dict[str, int]:
    """The daily job: generate every active network's meetings. Returns created counts by slug."""
    now = now or timezone.now()
    return {
        network.slug: meetings_generate(network=network, now=now)
        for network in Network.objects.filter(status=Network.Status.ACTIVE).exclude(
            meeting_frequency=Network.MeetingFrequency.NONE
        )
    }
