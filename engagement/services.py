"""Writing the engagement rollups. The dashboard reads only these tables (see selectors.py)."""

from collections import defaultdict
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from events.models import Registration
from networks.models import Membership

from .models import MonthlyAttendance, MonthlyMembership

# How far back the rollup goes, in months (the dashboard offers at most this period).
MONTHS_KEPT = 36
KEPT_STATUSES = [Registration.Status.CONFIRMED, Registration.Status.ATTENDED, Registration.Status.NO_SHOW]


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(*, end: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including the month of `end`, oldest first."""
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def rollup_refresh(*, today: date | None = None) -> dict[str, int]:
    """Rewrite both rollups for the last MONTHS_KEPT months from the registrations and memberships
    as they are now. Idempotent: running it twice leaves the same rows. Returns how many rows
    each table has."""
    today = today or timezone.localdate()
    months = months_back(end=today, count=MONTHS_KEPT)
    since, until = _aware(months[0]), _aware(_next_month(months[-1]))
    now = timezone.now()

    attendance = (
        Registration.objects.filter(event__start__gte=since, event__start__lt=until, status__in=KEPT_STATUSES)
        .annotate(month=TruncMonth("event__start"))
        .values("month", "event__network_id", "user__organisation_id")
        .annotate(
            registered=Count("pk"),
            attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
            no_show=Count("pk", filter=Q(status=Registration.Status.NO_SHOW)),
        )
        .order_by()
    )
    attendance_rows = [
        MonthlyAttendance(
            month=_as_date(row["month"]),
            network_id=row["event__network_id"],
            organisation_id=row["user__organisation_id"],
            registered=row["registered"],
            attended=row["attended"],
            no_show=row["no_show"],
            refreshed_at=now,
        )
        for row in attendance
    ]

    # Members at each month's end: people who had joined by then and had not left by then. A
    # member's joined_at is their latest joining; left_at their latest leaving (or removal).
    memberships = (
        Membership.objects.filter(joined_at__isnull=False, joined_at__lt=until)
        .values_list("network_id", "user__organisation_id", "status", "joined_at", "left_at")
        .order_by()
    )
    joined = defaultdict(int)
    active = defaultdict(int)
    month_ends = [(month, _aware(_next_month(month))) for month in months]
    for network_id, organisation_id, status, joined_at, left_at in memberships.iterator(chunk_size=2000):
        joined_month = month_start(timezone.localtime(joined_at).date())
        if joined_month >= months[0]:
            joined[(joined_month, network_id, organisation_id)] += 1
        still_in = status == Membership.Status.ACTIVE
        for month, end in month_ends:
            if joined_at >= end:
                continue
            if still_in or (left_at is not None and left_at >= end):
                active[(month, network_id, organisation_id)] += 1
    membership_rows = [
        MonthlyMembership(
            month=month,
            network_id=network_id,
            organisation_id=organisation_id,
            joined=joined.get((month, network_id, organisation_id), 0),
            active=active.get((month, network_id, organisation_id), 0),
            refreshed_at=now,
        )
        for month, network_id, organisation_id in sorted(
            set(joined) | set(active), key=lambda key: (key[0], key[1], key[2] or 0)
        )
    ]

    MonthlyAttendance.objects.all().delete()
    MonthlyAttendance.objects.bulk_create(attendance_rows, batch_size=1000)
    MonthlyMembership.objects.all().delete()
    MonthlyMembership.objects.bulk_create(membership_rows, batch_size=1000)
    return {"attendance": len(attendance_rows), "membership": len(membership_rows)}


def _as_date(value) -> date:
    """TruncMonth gives a datetime in London time (PostgreSQL, SQLite alike); the month's first day."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
