"""The demo's past year, so the engagement charts have something to show: people across most
boroughs and partners in the networks (joining, and a few leaving, over the year), each network's
past meetings on its cadence and a session most months, with who came and who did not. Then the
engagement figures are worked out once, so the dashboard has them before beat's first hourly run.

Safe to run twice: people are matched by address, meetings by network and occurrence date, other
sessions by slug and registrations by session and person; nothing that exists is changed. Fast:
one password hash for everyone, rows written in bulk.
"""

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import LONDON_AUTHORITIES, PARTNERS, demo_password_hash
from accounts.models import Organisation, User
from events.models import Event, Registration
from events.services.counts import events_counts_refresh_all
from loti_portal.utils import LONDON
from networks.cadence import cadence_occurrences
from networks.meetings import meeting_for
from networks.models import Membership, Network

from .services import rollup_refresh

SEED = 2026
HISTORY_DAYS = 365
# Boroughs with nobody in the networks yet, so "Boroughs with nobody in a network" has answers.
NOBODY_FROM = {"Barking and Dagenham", "Bexley", "Bromley", "Havering", "Hillingdon"}
# People per organisation; boroughs not named here have 2 to 4.
PEOPLE = {
    "Camden": 7,
    "Hackney": 5,
    "Southwark": 5,
    "Newham": 4,
    "Metropolitan Police": 4,
    "Greater London Authority": 3,
    "London Fire Brigade": 2,
    "Office for National Statistics": 2,
}
FIRST_NAMES = (
    *("Aisha", "Ben", "Chloe", "Dev", "Ella", "Femi", "Gemma", "Hassan", "Imogen", "Jamal"),
    *("Kate", "Leon", "Maya", "Nathan", "Orla", "Paul", "Rosa", "Sanjay", "Tara", "Uchenna"),
    *("Vikram", "Wendy", "Xander", "Yasmin", "Zoe", "Adam", "Bilal", "Carmen", "Dylan", "Esther"),
)
LAST_NAMES = (
    *("Adeyemi", "Barker", "Chowdhury", "Dixon", "Ellis", "Farah", "Gordon", "Hussein", "Iqbal", "Jenkins"),
    *("Kaur", "Lloyd", "Mistry", "Nowak", "Owusu", "Price", "Quinn", "Reid", "Sharma", "Turner"),
)
JOB_TITLES = (
    "Data Analyst",
    "Senior Data Analyst",
    "Data Engineer",
    "Data Scientist",
    "Business Intelligence Developer",
    "Performance Officer",
    "Head of Data and Insight",
    "Digital Service Manager",
)
SENIOR = {"Head of Data and Insight", "Digital Service Manager"}
# (title, kind, capacity): one a month, most months, open to anyone signed in.
SESSIONS = (
    ("Supplier demo: a shared data platform for adult social care", Event.Kind.DEMO, 80),
    ("Training: SQL for analysts", Event.Kind.TRAINING, 20),
    ("Discovery findings: children's services data sharing", Event.Kind.DISCOVERY, 100),
    ("Show and tell: dashboards that services use", Event.Kind.OTHER, None),
    ("Training: writing a data protection impact assessment", Event.Kind.TRAINING, 25),
    ("Supplier demo: address data matching", Event.Kind.DEMO, 60),
    ("Discovery findings: damp and mould reporting", Event.Kind.DISCOVERY, 100),
    ("Training: introduction to Python for analysts", Event.Kind.TRAINING, 20),
    ("Show and tell: forecasting demand for temporary accommodation", Event.Kind.OTHER, None),
    ("Training: data visualisation for everyone", Event.Kind.TRAINING, 30),
)


def load(stdout=None) -> None:
    history = past_year_load()
    counts = rollup_refresh()
    if stdout:
        stdout.write(
            f"Past year: {history['people']} more people, {history['meetings']} meetings and "
            f"{history['sessions']} sessions, {history['registrations']} registrations. "
            f"Engagement: {counts['attendance']} attendance rows, {counts['membership']} membership rows"
        )


@transaction.atomic
def past_year_load(*, now: datetime | None = None) -> dict[str, int]:
    """Write the past year (see the module's docstring). Returns how many rows of each it added."""
    now = now or timezone.now()
    rng = random.Random(SEED)
    since = now - timedelta(days=HISTORY_DAYS)
    people, added_people = _people(rng, now)
    _memberships(rng, people, now)
    networks = list(Network.objects.filter(status=Network.Status.ACTIVE).order_by("slug"))
    meetings = _meetings(networks, since=since, now=now)
    sessions = _sessions(rng, since=since, now=now)
    registrations = _registrations(rng, meetings=meetings, sessions=sessions, now=now)
    return {
        "people": added_people,
        "meetings": len(meetings),
        "sessions": len(sessions),
        "registrations": registrations,
    }


def _people(rng: random.Random, now: datetime) -> tuple[list[User], int]:
    """People from each organisation but those in NOBODY_FROM, linked by their addresses."""
    domains = {name: domains[0] for name, domains, _ in LONDON_AUTHORITIES}
    domains.update({name: domains[0] for name, _, domains in PARTNERS if name in PEOPLE})
    organisations = {
        organisation.name: organisation for organisation in Organisation.objects.filter(name__in=domains)
    }
    rows, taken = [], set()
    for name in sorted(domains):
        if name in NOBODY_FROM or name not in organisations:
            continue
        for _ in range(PEOPLE.get(name, rng.randint(2, 4))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            while (first, last, name) in taken:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            taken.add((first, last, name))
            email = f"{first}.{last}@{domains[name]}".lower()
            rows.append(
                User(
                    email=email,
                    full_name=f"{first} {last}",
                    job_title=rng.choice(JOB_TITLES),
                    organisation=organisations[name],
                    organisation_decided_for=email,
                    date_joined=now - timedelta(days=rng.randint(HISTORY_DAYS, HISTORY_DAYS + 200)),
                )
            )
    emails = [row.email for row in rows]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = [row for row in rows if row.email not in existing]
    if new:
        for person in new:
            person.password = demo_password_hash()
        User.objects.bulk_create(new)
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    confirmed = set(EmailAddress.objects.filter(user__in=people).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=person, email=person.email, verified=True, primary=True)
            for person in people
            if person.pk not in confirmed
        ]
    )
    return people, len(new)


def _memberships(rng: random.Random, people: list[User], now: datetime) -> None:
    """Each person in one or two networks, joined some time in the last year and a half; a few
    have left since. Only memberships that do not exist yet are written."""
    networks = {network.slug: network for network in Network.objects.all()}
    rows = []
    for person in people:
        choices = ["data-practitioners", "data-scientists"]
        if person.job_title in SENIOR:
            choices = ["data-leaders", "womens-digital-leaders", "data-practitioners"]
        for slug in rng.sample(choices, rng.choice((1, 1, 2))):
            if slug not in networks:
                continue
            joined = now - timedelta(days=rng.randint(20, HISTORY_DAYS + 180), hours=rng.randint(0, 8))
            left = None
            if rng.random() < 0.08:
                left = joined + timedelta(days=rng.randint(30, 200))
                left = left if left < now else None
            rows.append(
                Membership(
                    user=person,
                    network=networks[slug],
                    status=Membership.Status.LEFT if left else Membership.Status.ACTIVE,
                    joined_at=joined,
                    left_at=left,
                    created_at=joined,
                )
            )
    existing = set(Membership.objects.filter(user__in=people).values_list("user_id", "network_id"))
    Membership.objects.bulk_create([row for row in rows if (row.user_id, row.network_id) not in existing])


def _meetings(networks: list[Network], *, since: datetime, now: datetime) -> list[Event]:
    """Each network's meetings of the past year on its cadence (the generator makes only future
    ones), marked with their occurrence dates as generated meetings are."""
    made = []
    for network in networks:
        cadence = network.cadence
        if cadence is None:
            continue
        # Two years earlier keeps monthly, two-monthly and quarterly rules in step with the future.
        earlier = replace(
            cadence, starts_on=cadence.starts_on.replace(year=cadence.starts_on.year - 2, day=1)
        )
        occurrences = cadence_occurrences(earlier, after=since, until=now - timedelta(hours=3))
        existing = {
            event.occurrence_date: event
            for event in Event.objects.filter(network=network, occurrence_date__isnull=False)
        }
        for occurrence, start, end in occurrences:
            meeting = existing.get(occurrence)
            if meeting is None:
                meeting = meeting_for(network, occurrence, start, end, created_at=start - timedelta(days=60))
                meeting.save()
            made.append(meeting)
    return made


def _sessions(rng: random.Random, *, since: datetime, now: datetime) -> list[Event]:
    """A session in most months of the past year, on a weekday morning or afternoon."""
    made = []
    months = _months_between(since.astimezone(LONDON).date(), now.astimezone(LONDON).date())
    for number, month in enumerate(months):
        if number % 6 == 5:
            continue  # August-like gaps: not every month has a session
        title, kind, capacity = SESSIONS[number % len(SESSIONS)]
        day = month + timedelta(days=rng.randint(7, 20))
        while day.weekday() > 3:
            day += timedelta(days=1)
        start = datetime.combine(day, time(rng.choice((10, 14))), tzinfo=LONDON)
        if not since <= start < now - timedelta(hours=3):
            continue
        slug = f"{slugify(title)}-{day:%Y-%m-%d}"
        event = Event.objects.filter(slug=slug).first() or Event.objects.create(
            title=title,
            slug=slug,
            summary=f"{title}: what we covered, for the people who came.",
            kind=kind,
            start=start,
            end=start + timedelta(minutes=90),
            online_url="https://meet.loti.example/" + slug[:40],
            mode=Event.Mode.ONLINE,
            capacity=capacity,
            audience=Event.Audience.SIGNED_IN,
            status=Event.Status.PUBLISHED,
            created_at=start - timedelta(days=45),
        )
        made.append(event)
    return made


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _registrations(rng: random.Random, *, meetings: list[Event], sessions: list[Event], now: datetime) -> int:
    """Members of a network at the time of each meeting mostly registered for it, and most came;
    sessions drew people from everywhere. Returns how many registrations were added."""
    memberships = list(
        Membership.objects.filter(joined_at__isnull=False).values_list(
            "network_id", "user_id", "joined_at", "left_at"
        )
    )
    everyone = sorted({user_id for _, user_id, _, _ in memberships})
    existing = set(
        Registration.objects.filter(event__in=[*meetings, *sessions]).values_list("event_id", "user_id")
    )
    rows = []

    def register(event, user_id):
        # Every draw is made whether or not the row exists, so a second run draws the same.
        created = event.start - timedelta(days=rng.randint(2, 40))
        cancelled, came = rng.random() < 0.06, rng.random() < 0.8
        if (event.pk, user_id) in existing:
            return
        existing.add((event.pk, user_id))
        if cancelled:
            rows.append(
                Registration(
                    event=event,
                    user_id=user_id,
                    status=Registration.Status.CANCELLED,
                    created_at=created,
                    cancelled_at=created + timedelta(days=1),
                )
            )
            return
        rows.append(
            Registration(
                event=event,
                user_id=user_id,
                status=Registration.Status.ATTENDED if came else Registration.Status.NO_SHOW,
                created_at=created,
            )
        )

    for meeting in meetings:
        members = [
            user_id
            for network_id, user_id, joined_at, left_at in memberships
            if network_id == meeting.network_id
            and joined_at <= meeting.start
            and (left_at is None or left_at > meeting.start)
        ]
        for user_id in members:
            if rng.random() < 0.7:
                register(meeting, user_id)
    for session in sessions:
        wanted = rng.randint(8, 25)
        if session.capacity is not None:
            wanted = min(wanted, session.capacity)
        for user_id in rng.sample(everyone, min(wanted, len(everyone))):
            register(session, user_id)
    Registration.objects.bulk_create(rows, batch_size=1000)
    # Loaded in bulk, outside the services: the sessions' counts are recounted from their rows.
    events_counts_refresh_all()
    return len(rows)
