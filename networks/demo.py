"""Demo networks and memberships for `manage.py load_demo`, after accounts.demo. Safe to run twice:
a second run leaves the same state (fixed dates, update-or-create on natural keys)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from events.models import Event
from loti_portal.utils import LONDON

from .meetings import meetings_generate
from .models import Membership, Network

CONTACT = settings.CONTACT_EMAIL
BOROUGHS_AND_PARTNERS = [Organisation.Kind.BOROUGH, Organisation.Kind.PARTNER]
LOTI_OFFICE = "London Office of Technology and Innovation, 59½ Southwark Street, London SE1 0AL"


def _cadence(*, week, weekday, at, minutes, venue="", online=""):
    """The plain cadence fields of a demo network (the RRULE is worked out when it is saved)."""
    return {
        "cadence_week": week,
        "cadence_weekday": weekday,
        "cadence_start_time": at,
        "cadence_duration_minutes": minutes,
        "cadence_starts_on": date(2026, 1, 1),
        "meeting_venue": venue,
        "meeting_online_url": online,
    }


NETWORKS = [
    {
        "slug": "data-leaders",
        "name": "Data Leaders",
        "summary": "Senior leaders who use data strategically across London's boroughs and public services.",
        "audience": (
            "Heads of data, chief digital and data officers, and other senior leaders responsible for "
            "how their organisation uses data, from London's boroughs and partners including the "
            "Metropolitan Police and London Fire Brigade."
        ),
        "description": (
            "The Data Leaders network brings together the people who set the direction for data in "
            "London's public services.\n\n"
            "Each month members meet to:\n\n"
            "- share data strategies, and what has worked when putting them into practice\n"
            "- shape joint work on data sharing, such as the London Office of Technology and "
            "Innovation's information governance and data ethics programmes\n"
            "- agree where boroughs, the Metropolitan Police and London Fire Brigade can pool "
            "effort, from common data standards to shared analytics\n"
            "- hear from guest speakers on leading data teams and data maturity\n\n"
            "Membership is for senior leaders, so the networks team reviews applications."
        ),
        "join_policy": Network.JoinPolicy.APPROVAL,
        "eligible_organisation_kinds": BOROUGHS_AND_PARTNERS,
        "asks_seniority": True,
        "meeting_frequency": Network.MeetingFrequency.MONTHLY,
        **_cadence(
            week=2, weekday=1, at=time(10, 0), minutes=90, online="https://meet.loti.london/data-leaders"
        ),
        "discussion_url": "https://3.basecamp.com/loti/projects/data-leaders",
    },
    {
        "slug": "data-practitioners",
        "name": "Data Practitioners",
        "summary": "People running data projects day to day: analysts, engineers, information managers.",
        "audience": (
            "Anyone in a London borough or partner organisation who works with data day to day: "
            "data analysts, data engineers, performance and insight officers, and information "
            "governance and records managers."
        ),
        "description": (
            "The Data Practitioners network is where people doing the work compare notes.\n\n"
            "Every quarter members meet to walk through live projects, from data warehouses to "
            "dashboards and data-sharing agreements, and between meetings they ask and answer "
            "questions in the network's Basecamp project.\n\n"
            "Recent topics include:\n\n"
            "- matching records across council systems\n"
            "- moving reporting to cloud data platforms\n"
            "- writing data protection impact assessments that work for everyone\n\n"
            "The network is open: join straight away."
        ),
        "join_policy": Network.JoinPolicy.OPEN,
        "eligible_organisation_kinds": BOROUGHS_AND_PARTNERS,
        "asks_seniority": False,
        "meeting_frequency": Network.MeetingFrequency.QUARTERLY,
        **_cadence(week=1, weekday=2, at=time(14, 0), minutes=120, venue=LOTI_OFFICE),
        "discussion_url": "https://3.basecamp.com/loti/projects/data-practitioners",
    },
    {
        "slug": "data-scientists",
        "name": "Data Scientists",
        "summary": "Data scientists, and analysts learning to code, sharing methods, code and models.",
        "audience": (
            "Data scientists in London's public services, and analysts who are learning to code in "
            "Python or R and want to build their skills with peers."
        ),
        "description": (
            "The Data Scientists network meets monthly for show-and-tells, code reviews and short "
            "training sessions.\n\n"
            "Members share notebooks and models, for example forecasting demand for temporary "
            "accommodation or predicting which homes are at risk of damp and mould, and talk "
            "through the ethics of using them.\n\n"
            "Newcomers to coding are welcome: sessions regularly cover the basics of Python, R and "
            "version control. The network is open: join straight away."
        ),
        "join_policy": Network.JoinPolicy.OPEN,
        "eligible_organisation_kinds": BOROUGHS_AND_PARTNERS,
        "asks_seniority": False,
        "meeting_frequency": Network.MeetingFrequency.MONTHLY,
        **_cadence(
            week=-1, weekday=3, at=time(12, 30), minutes=60, online="https://meet.loti.london/data-scientists"
        ),
        "discussion_url": "",
    },
    {
        "slug": "womens-digital-leaders",
        "name": "Women's Digital Leaders",
        "summary": "Training, mentoring and peer support for women leading digital, data and technology.",
        "audience": (
            "Women in, or working towards, leadership roles in digital, data and technology in "
            "London's boroughs and public-sector partners."
        ),
        "description": (
            "Women's Digital Leaders is a new network, proposed by Hackney, for women who lead or "
            "want to lead digital, data and technology work in London's public services.\n\n"
            "It offers:\n\n"
            "- **training** on leadership, influencing and technical strategy\n"
            "- **mentoring**, pairing members with senior leaders across boroughs and partners\n"
            "- **peer support** in small groups that meet between the network's sessions\n\n"
            "The networks team reviews applications so that mentoring pairs and peer groups work well."
        ),
        "join_policy": Network.JoinPolicy.APPROVAL,
        "eligible_organisation_kinds": BOROUGHS_AND_PARTNERS,
        "asks_seniority": True,
        "meeting_frequency": Network.MeetingFrequency.BIMONTHLY,
        **_cadence(
            week=3,
            weekday=2,
            at=time(16, 0),
            minutes=90,
            online="https://meet.loti.london/womens-digital-leaders",
        ),
        "discussion_url": "",
    },
]

# (email, network slug, role, joined on)
MEMBERSHIPS = [
    ("amara.okafor@camden.gov.uk", "data-leaders", Membership.Role.LEAD, (2025, 9, 10)),
    ("daniel.clarke@met.police.uk", "data-leaders", Membership.Role.CO_CHAIR, (2025, 9, 10)),
    ("helen.wright@london-fire.gov.uk", "data-leaders", Membership.Role.MEMBER, (2025, 11, 4)),
    ("priya.shah@redbridge.gov.uk", "data-practitioners", Membership.Role.LEAD, (2025, 6, 2)),
    ("fatima.rahman@rbkc.gov.uk", "data-practitioners", Membership.Role.MEMBER, (2025, 10, 21)),
    ("tom.fisher@hackney.gov.uk", "data-practitioners", Membership.Role.MEMBER, (2026, 1, 13)),
    ("oliver.bennett@kingston.gov.uk", "data-scientists", Membership.Role.LEAD, (2025, 5, 19)),
    ("tom.fisher@hackney.gov.uk", "data-scientists", Membership.Role.MEMBER, (2025, 7, 8)),
    ("priya.shah@redbridge.gov.uk", "data-scientists", Membership.Role.MEMBER, (2026, 2, 3)),
    ("grace.mensah@walthamforest.gov.uk", "womens-digital-leaders", Membership.Role.LEAD, (2026, 3, 2)),
    ("fatima.rahman@rbkc.gov.uk", "womens-digital-leaders", Membership.Role.MEMBER, (2026, 3, 16)),
]

# (email, network slug, applied on, answers): waiting for staff to decide.
PENDING_APPLICATIONS = [
    (
        "grace.mensah@walthamforest.gov.uk",
        "data-leaders",
        (2026, 4, 7),
        {
            "job_title": "Chief Digital Officer",
            "organisation": "Waltham Forest",
            "reason": (
                "We are writing Waltham Forest's first data strategy and I would like to learn from "
                "boroughs that have done it, and to join up our work on data sharing with the police."
            ),
            "seniority": Membership.Seniority.EXECUTIVE,
        },
    ),
]


def _meeting_tomorrow(network: Network) -> None:
    """An extra Data Leaders meeting less than a day away, at a working hour, so its day-ahead
    reminders go out while someone tries the portal."""
    now = timezone.now()
    today = timezone.localdate()
    slots = [
        datetime.combine(today + timedelta(days=days), time(hour), tzinfo=LONDON)
        for days in (0, 1)
        for hour in range(9, 18)
    ]
    soon = [slot for slot in slots if now + timedelta(hours=1) <= slot < now + timedelta(hours=24)]
    start = max(soon, default=(now + timedelta(hours=23)).replace(minute=0, second=0, microsecond=0))
    Event.objects.update_or_create(
        slug="data-leaders-data-sharing-workshop",
        defaults={
            "title": "Data Leaders workshop: data-sharing agreements",
            "summary": "An extra meeting to agree a common template for data-sharing agreements.",
            "kind": Event.Kind.NETWORK_MEETING,
            "network": network,
            "start": start,
            "end": start + timedelta(minutes=90),
            "online_url": network.meeting_online_url,
            "audience": Event.Audience.NETWORK_MEMBERS,
            "status": Event.Status.PUBLISHED,
        },
    )


def _at(day: tuple[int, int, int]) -> datetime:
    return datetime(*day, 10, 0, tzinfo=LONDON)


@transaction.atomic
def load(stdout=None) -> None:
    networks = {}
    for spec in NETWORKS:
        slug = spec["slug"]
        defaults = {key: value for key, value in spec.items() if key != "slug"}
        defaults.update(contact_email=CONTACT, status=Network.Status.ACTIVE)
        networks[slug], _ = Network.objects.update_or_create(slug=slug, defaults=defaults)
        networks[slug].cadence_rrule = networks[slug].cadence_rrule_from_fields()
        networks[slug].save(update_fields=["cadence_rrule"])
    people = {user.email: user for user in User.objects.filter(email__in=_demo_emails())}
    for email, slug, role, day in MEMBERSHIPS:
        _membership(
            people[email], networks[slug], status=Membership.Status.ACTIVE, role=role, joined_at=_at(day)
        )
    for email, slug, day, answers in PENDING_APPLICATIONS:
        _membership(
            people[email],
            networks[slug],
            status=Membership.Status.PENDING,
            answers=answers,
            applied_at=_at(day),
        )
    for network in networks.values():
        meetings_generate(network=network)
    _meeting_tomorrow(networks["data-leaders"])
    if stdout:
        stdout.write(
            f"Networks: {Network.objects.count()}; memberships: "
            f"{Membership.objects.filter(status=Membership.Status.ACTIVE).count()} active, "
            f"{Membership.objects.filter(status=Membership.Status.PENDING).count()} pending"
        )


def _membership(person: User, network: Network, **state) -> None:
    """Set one membership to exactly `state`, every other field at its plain value."""
    defaults = {
        "role": Membership.Role.MEMBER,
        "answers": {},
        "applied_at": None,
        "joined_at": None,
        "left_at": None,
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
        **state,
    }
    defaults["created_at"] = defaults["applied_at"] or defaults["joined_at"]
    Membership.objects.update_or_create(user=person, network=network, defaults=defaults)


def _demo_emails() -> set[str]:
    return {row[0] for row in MEMBERSHIPS} | {row[0] for row in PENDING_APPLICATIONS}
