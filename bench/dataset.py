"""The benchmark's dataset: members across London's authorities and partners, the four networks
with their rosters, sessions and meetings past and future, and their registrations.

Rows are written with COPY on PostgreSQL (bulk_create elsewhere) from the core fields only; every
other field takes its model default, so the builder keeps working as the models grow.

Registrations are planned once and loaded in two steps: a small set first, then the rest. Each
event's registrations in the small set are a prefix of its full list (taken rank by rank across
events), so both sizes keep every invariant (places within capacity, waiting-list positions 1..n)
and the pages can be measured at two sizes with nothing else changed.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.demo import LONDON_AUTHORITIES, PARTNERS
from accounts.models import Organisation, OrganisationDomain, User
from events.models import Event, Registration, Speaker
from events.services.counts import events_counts_refresh_all
from loti_portal import versions
from loti_portal.utils import LONDON
from networks.models import Membership, Network

from .bulk import analyse, insert_rows

BENCH_PASSWORD = "bench-only-password-2026"
BENCH_MEMBER_EMAIL = "bench.member@camden.gov.uk"


@dataclass(frozen=True)
class Sizes:
    members: int
    events: int
    registrations: int
    small_registrations: int


FULL = Sizes(members=10_000, events=1_000, registrations=100_000, small_registrations=1_000)
QUICK = Sizes(members=1_000, events=100, registrations=10_000, small_registrations=1_000)

# Share of people in each partner body, relative to one borough's.
PARTNER_WEIGHTS = {
    "Metropolitan Police": 3.0,
    "London Fire Brigade": 1.0,
    "Office for National Statistics": 1.0,
    "Greater London Authority": 2.0,
    "London Councils": 0.5,
    "London Office of Technology and Innovation": 0.3,
    "Social Value Exchange": 0.2,
}

FIRST_NAMES = (
    *("Amara", "Tom", "Priya", "Grace", "Oliver", "Fatima", "Daniel", "Helen", "Aisha", "James"),
    *("Sophie", "Mohammed", "Chloe", "Kwame", "Emma", "Ravi", "Hannah", "Tariq", "Lucy", "Samuel"),
    *("Zainab", "Jack", "Olivia", "Adebayo", "Isla", "Noah", "Mei", "Ella", "Yusuf", "Ruth"),
)
LAST_NAMES = (
    *("Okafor", "Fisher", "Shah", "Mensah", "Bennett", "Rahman", "Clarke", "Wright", "Khan", "Taylor"),
    *("Patel", "Jones", "Williams", "Brown", "Evans", "Ahmed", "Thomas", "Roberts", "Walker", "Ali"),
    *("Hughes", "Green", "Lewis", "Begum", "Wood", "Hall", "Edwards", "Singh", "Moore", "Lee"),
)
JOB_TITLES = (
    "Data Analyst",
    "Senior Data Analyst",
    "Data Engineer",
    "Data Scientist",
    "Head of Data and Insight",
    "Performance Officer",
    "Digital Service Manager",
    "Temporary Accommodation Service Lead",
    "Business Intelligence Developer",
    "Chief Digital Officer",
)

# name, slug, summary, join policy, eligible kinds, meeting frequency, share of members on the roster,
# cadence (week of the month, weekday, start time)
NETWORKS = (
    (
        "Data Leaders",
        "data-leaders",
        "Heads of data from London's boroughs and partners, setting shared direction.",
        Network.JoinPolicy.APPROVAL,
        ["borough", "partner"],
        Network.MeetingFrequency.MONTHLY,
        0.04,
        (2, 1, clock_time(10, 0)),
    ),
    (
        "Data Practitioners",
        "data-practitioners",
        "Analysts and engineers sharing methods, tools and code.",
        Network.JoinPolicy.OPEN,
        [],
        Network.MeetingFrequency.MONTHLY,
        0.30,
        (3, 3, clock_time(14, 0)),
    ),
    (
        "Data Scientists",
        "data-scientists",
        "Modelling, machine learning and statistics in public services.",
        Network.JoinPolicy.OPEN,
        [],
        Network.MeetingFrequency.BIMONTHLY,
        0.15,
        (1, 2, clock_time(13, 30)),
    ),
    (
        "Women's Digital Leaders",
        "womens-digital-leaders",
        "Peer support and development for women leading digital and data work.",
        Network.JoinPolicy.APPROVAL,
        [],
        Network.MeetingFrequency.QUARTERLY,
        0.08,
        (-1, 4, clock_time(9, 30)),
    ),
)

EVENT_KINDS = (
    # kind, weight, title stem, capacities to choose from (None: no limit)
    (Event.Kind.NETWORK_MEETING, 30, "Network meeting", (None, None, 80)),
    (Event.Kind.DISCOVERY, 20, "Discovery findings: temporary accommodation", (60, 100, 150)),
    (Event.Kind.DEMO, 15, "Supplier demo: data platform", (40, 60, 100)),
    (Event.Kind.TRAINING, 20, "Training: SQL for analysts", (12, 20, 30)),
    (Event.Kind.CAREERS_DAY, 5, "Careers day", (300,)),
    (Event.Kind.OTHER, 10, "Show and tell", (None, 100)),
)


@dataclass
class Dataset:
    """What was built, and the ids and slugs the benchmarks aim at."""

    sizes: Sizes
    member_ids: list[int]
    bench_user_id: int
    network_ids: list[int]
    event_slug: str  # the busiest upcoming published session anyone signed in may join
    network_slug: str  # the network with the largest roster
    registration_rows: list[dict] = field(repr=False)
    event_slugs: dict[int, str] = field(default_factory=dict, repr=False)  # by id
    loaded: int = 0
    timings: dict = field(default_factory=dict)

    def counts(self) -> dict:
        return {
            "organisations": Organisation.objects.count(),
            "members": User.objects.count(),
            "networks": Network.objects.count(),
            "memberships": Membership.objects.count(),
            "events": Event.objects.count(),
            "speakers": Speaker.objects.count(),
            "registrations": Registration.objects.count(),
        }


def _london(day, hour, minute=0):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, minute), LONDON)


def _organisations():
    """The 33 London authorities and the partners, with their email domains."""
    made = []
    for name, domains, is_member in LONDON_AUTHORITIES:
        status = (
            Organisation.MembershipStatus.MEMBER if is_member else Organisation.MembershipStatus.NOT_MEMBER
        )
        made.append(
            (Organisation(name=name, kind=Organisation.Kind.BOROUGH, membership_status=status), domains, 1.0)
        )
    for name, kind, domains in PARTNERS:
        organisation = Organisation(
            name=name, kind=kind, membership_status=Organisation.MembershipStatus.NOT_MEMBER
        )
        made.append((organisation, domains, PARTNER_WEIGHTS.get(name, 0.5)))
    Organisation.objects.bulk_create([organisation for organisation, _, _ in made])
    OrganisationDomain.objects.bulk_create(
        [
            OrganisationDomain(organisation=organisation, domain=domain)
            for organisation, domains, _ in made
            for domain in domains
        ]
    )
    return [(organisation, domains[0], weight) for organisation, domains, weight in made]


def _members(rng, organisations, count):
    """`count` people; the first is the member the signed-in pages are measured as (Camden)."""
    from allauth.account.models import EmailAddress

    password = make_password(BENCH_PASSWORD)
    now = timezone.now()
    camden = next(organisation for organisation, _, _ in organisations if organisation.name == "Camden")
    rows = [
        {
            "email": BENCH_MEMBER_EMAIL,
            "full_name": "Bench Member",
            "job_title": "Head of Data and Insight",
            "organisation_id": camden.id,
            "password": password,
            "date_joined": now - timedelta(days=400),
        }
    ]
    weights = [weight for _, _, weight in organisations]
    picks = rng.choices(organisations, weights=weights, k=count - 1)
    for number, (organisation, domain, _) in enumerate(picks, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            {
                "email": f"{first}.{last}.{number}@{domain}".lower(),
                "full_name": f"{first} {last}",
                "job_title": rng.choice(JOB_TITLES),
                "organisation_id": organisation.id,
                "password": password,
                "date_joined": now - timedelta(days=rng.randint(1, 900)),
            }
        )
    insert_rows(User, rows)
    people = list(User.objects.order_by("id").values_list("id", "email"))
    insert_rows(
        EmailAddress,
        (
            {"user_id": user_id, "email": email, "verified": True, "primary": True}
            for user_id, email in people
        ),
    )
    ids = [user_id for user_id, _ in people]
    return ids[0], ids


def _networks(rng, member_ids, bench_user_id):
    now = timezone.now()
    networks = []
    memberships = []
    for name, slug, summary, policy, kinds, frequency, share, (week, weekday, starts_at) in NETWORKS:
        # The cadence as staff set it, without the meetings it would generate (the dataset makes
        # its own events).
        network = Network(
            name=name,
            slug=slug,
            summary=summary,
            description=f"{summary}\n\nMeets to share work in progress and what we learned.",
            audience=summary,
            join_policy=policy,
            eligible_organisation_kinds=kinds,
            meeting_frequency=frequency,
            contact_email="networks@loti.london",
            created_at=now - timedelta(days=1200),
            cadence_week=week,
            cadence_weekday=weekday,
            cadence_start_time=starts_at,
            cadence_starts_on=timezone.localdate().replace(day=1),
            meeting_venue="City Hall, Kamal Chunchie Way, London E16 1ZE",
            meeting_online_url="https://meet.example.org/loti",
        )
        network.cadence_rrule = network.cadence_rrule_from_fields()
        network.save()
        networks.append(network)
        roster = rng.sample(member_ids[1:], max(1, int(len(member_ids) * share)))
        if slug in ("data-leaders", "data-practitioners"):
            roster.insert(0, bench_user_id)
        for position, user_id in enumerate(roster):
            status = rng.choices(
                [
                    Membership.Status.ACTIVE,
                    Membership.Status.PENDING,
                    Membership.Status.LEFT,
                    Membership.Status.DECLINED,
                ],
                weights=[85, 7, 5, 3],
            )[0]
            if user_id == bench_user_id:
                status = Membership.Status.ACTIVE
            created = now - timedelta(days=rng.randint(1, 1000))
            role = Membership.Role.MEMBER
            if status == Membership.Status.ACTIVE and position in (1, 2):
                role = Membership.Role.LEAD if position == 1 else Membership.Role.CO_CHAIR
            memberships.append(
                {
                    "user_id": user_id,
                    "network_id": network.id,
                    "status": status,
                    "role": role,
                    "joined_at": created
                    if status in (Membership.Status.ACTIVE, Membership.Status.LEFT)
                    else None,
                    "decided_at": created if status != Membership.Status.PENDING else None,
                    "created_at": created,
                }
            )
    insert_rows(Membership, memberships)
    return networks


def _events(rng, networks, count):
    """`count` events, three quarters in the past 18 months, a quarter 10 days to 6 months ahead."""
    today = timezone.localdate()
    kinds = [kind for kind, *_ in EVENT_KINDS]
    weights = [weight for _, weight, *_ in EVENT_KINDS]
    details = {kind: (stem, capacities) for kind, _, stem, capacities in EVENT_KINDS}
    rows = []
    for number in range(count):
        kind = rng.choices(kinds, weights=weights)[0]
        stem, capacities = details[kind]
        # Nothing in the next nine days: the reminder fan-out must be the only reminder due.
        offset = rng.randint(-540, 170)
        day = today + timedelta(days=offset if offset < 0 else offset + 10)
        start = _london(day, rng.choice((9, 10, 11, 13, 14, 15)), rng.choice((0, 30)))
        future = start > timezone.now()
        network = networks[number % len(networks)] if kind == Event.Kind.NETWORK_MEETING else None
        status = rng.choices(
            [Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.DRAFT],
            weights=[92, 5, 3 if future else 0],
        )[0]
        audience = Event.Audience.SIGNED_IN
        if network is not None:
            audience = Event.Audience.NETWORK_MEMBERS
        elif rng.random() < 0.1:
            audience = Event.Audience.BOROUGH_STAFF
        title = f"{network.name} meeting" if network else stem
        online = rng.random() < 0.6
        rows.append(
            {
                "title": f"{title} ({day:%B %Y}) #{number + 1}",
                "slug": f"{kind.replace('_', '-')}-{day:%Y-%m-%d}-{number + 1:04d}",
                "summary": f"{title}: what we found, what we are doing next, and questions.",
                "description": "## Agenda\n\n1. Welcome\n2. Findings\n3. Questions\n\nAll welcome.",
                "kind": kind,
                "network_id": network.id if network else None,
                "programme": "Digital Inclusion Innovation Programme" if kind == Event.Kind.DISCOVERY else "",
                "start": start,
                "end": start + timedelta(minutes=rng.choice((60, 90, 120, 180))),
                "venue": "" if online else "City Hall, Kamal Chunchie Way, London E16 1ZE",
                "online_url": "https://meet.example.org/loti" if online else "",
                "capacity": rng.choice(capacities),
                "audience": audience,
                "status": status,
                "created_at": start - timedelta(days=rng.randint(20, 90)),
            }
        )
    insert_rows(Event, rows)
    events = list(
        Event.objects.order_by("id").values("id", "slug", "start", "status", "capacity", "audience")
    )
    speakers = []
    for event in events:
        for position in range(rng.choice((0, 0, 1, 2, 3))):
            speakers.append(
                {
                    "event_id": event["id"],
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "organisation": rng.choice(("Camden", "Hackney", "Greater London Authority", "LOTI")),
                    "role": rng.choice(JOB_TITLES),
                    "position": position,
                }
            )
    insert_rows(Speaker, speakers)
    return events


def _registration_counts(rng, events, total, people):
    """How many registrations each event gets: a long tail, adding up to `total`."""
    open_events = [event for event in events if event["status"] != Event.Status.DRAFT]
    weights = [rng.paretovariate(1.6) for _ in open_events]
    scale = total / sum(weights)
    limit = min(people - 1, max(50, total // 20))
    counts = {
        event["id"]: max(1, min(limit, int(weight * scale)))
        for event, weight in zip(open_events, weights, strict=True)
    }
    # Hand out what rounding and the limit left over, one at a time, to events with room.
    shortfall = total - sum(counts.values())
    ids = list(counts)
    while shortfall > 0:
        event_id = rng.choice(ids)
        if counts[event_id] < limit:
            counts[event_id] += 1
            shortfall -= 1
    while shortfall < 0:
        event_id = rng.choice(ids)
        if counts[event_id] > 1:
            counts[event_id] -= 1
            shortfall += 1
    return counts


def _plan_registrations(rng, events, counts, member_ids, bench_user_id):
    """Every registration, ordered so that any leading slice keeps each event's list a prefix."""
    now = timezone.now()
    others = member_ids[1:]
    published_signed_in = [
        event
        for event in events
        if event["status"] == Event.Status.PUBLISHED and event["audience"] == Event.Audience.SIGNED_IN
    ]
    upcoming = [event["id"] for event in published_signed_in if event["start"] > now]
    past = [event["id"] for event in published_signed_in if event["start"] <= now]
    bench_events = set(rng.sample(upcoming, min(6, len(upcoming))) + rng.sample(past, min(6, len(past))))
    rows = []
    for event in events:
        count = counts.get(event["id"], 0)
        if not count:
            continue
        if event["id"] in bench_events:
            people = [bench_user_id, *rng.sample(others, count - 1)]
        else:
            people = rng.sample(others, count)
        is_past = event["start"] <= now
        capacity = event["capacity"]
        confirmed = waiting = 0
        opened = min(event["start"], now) - timedelta(days=45)
        for rank, user_id in enumerate(people):
            created = opened + timedelta(minutes=rank * 7 + rng.randint(0, 6))
            row = {"event_id": event["id"], "user_id": user_id, "created_at": created, "_rank": rank}
            if rank > 0 and rng.random() < 0.08:
                row.update(status=Registration.Status.CANCELLED, cancelled_at=created + timedelta(days=1))
            elif capacity is None or confirmed < capacity:
                confirmed += 1
                status = Registration.Status.CONFIRMED
                if is_past:
                    status = (
                        Registration.Status.ATTENDED if rng.random() < 0.8 else Registration.Status.NO_SHOW
                    )
                row["status"] = status
            else:
                waiting += 1
                row.update(status=Registration.Status.WAITLISTED, waitlist_position=waiting)
            rows.append(row)
    rows.sort(key=lambda row: (row["_rank"], row["event_id"]))
    for row in rows:
        del row["_rank"]
    return rows


def build(sizes: Sizes, *, seed: int = 2026) -> Dataset:
    """Build everything except registrations. Expects an empty database."""
    rng = random.Random(seed)
    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        organisations = _organisations()
        bench_user_id, member_ids = _members(rng, organisations, sizes.members)
        networks = _networks(rng, member_ids, bench_user_id)
        events = _events(rng, networks, sizes.events)
    timings["base_seconds"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    counts = _registration_counts(rng, events, sizes.registrations, len(member_ids))
    rows = _plan_registrations(rng, events, counts, member_ids, bench_user_id)
    timings["plan_seconds"] = round(time.perf_counter() - started, 2)

    now = timezone.now()
    candidates = [
        event
        for event in events
        if event["status"] == Event.Status.PUBLISHED
        and event["audience"] == Event.Audience.SIGNED_IN
        and event["start"] > now
    ]
    busiest = max(candidates, key=lambda event: counts.get(event["id"], 0))
    largest = max(networks, key=lambda network: Membership.objects.filter(network=network).count())
    return Dataset(
        sizes=sizes,
        member_ids=member_ids,
        bench_user_id=bench_user_id,
        network_ids=[network.id for network in networks],
        event_slug=busiest["slug"],
        network_slug=largest.slug,
        registration_rows=rows,
        event_slugs={event["id"]: event["slug"] for event in events},
        timings=timings,
    )


def load_registrations(dataset: Dataset, upto: int) -> int:
    """Load planned registrations until `upto` are in the database, set each event's counts from
    them and refresh the planner's statistics; returns how many were added. The seconds each step
    took go to the dataset's timings."""
    upto = min(upto, len(dataset.registration_rows))
    timings = dataset.timings
    rows = dataset.registration_rows[dataset.loaded : upto]
    started = time.perf_counter()
    with transaction.atomic():
        added = insert_rows(Registration, rows)
        copied = time.perf_counter()
        # Loaded in bulk, not through the services: count each event's places as they would,
        # and renew the versions of the pages showing them, so that no page kept from before
        # (a running server's) is served as if nothing had changed.
        events_counts_refresh_all()
        versions.events_changed(slugs=sorted({dataset.event_slugs[row["event_id"]] for row in rows}))
    counted = time.perf_counter()
    first = dataset.loaded == 0
    dataset.loaded = upto
    # The first time, every table the dataset wrote; afterwards only the ones this load changed.
    analyse(None if first else [Registration, Event])
    done = time.perf_counter()
    timings[f"registrations_to_{upto}_seconds"] = round(done - started, 2)
    timings[f"registrations_to_{upto}_parts"] = {
        "copy": round(copied - started, 2),
        "event_counts": round(counted - copied, 2),
        "vacuum_analyze": round(done - counted, 2),
    }
    return added
