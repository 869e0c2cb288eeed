"""Demo mentoring for `manage.py load_demo`, after networks.demo: the Women's Digital Leaders
programme with six mentors and eight mentees across boroughs, pairings under way (one at risk: no
check-in for too long), one request waiting for its mentor, and two mentees still to be matched.

Safe to run twice: people, profiles and pairings are updated on their natural keys. Dates are
relative to today, so the pairings are under way and the request is waiting whenever it is loaded.
Two peer-support circles meet monthly, one online and one in person.
"""

from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_person
from accounts.models import User
from networks.models import Membership, Network

from .circles import circle_meetings_generate
from .models import (
    REQUEST_ANSWER_DAYS,
    CheckIn,
    CircleMembership,
    CirclePlacementRequest,
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
    MentoringRequest,
    Pairing,
    PeerCircle,
)

SLUG = "womens-digital-leaders-mentoring"
LOTI_OFFICE = "London Office of Technology and Innovation, 59½ Southwark Street, London SE1 0AL"

FOCUS_AREAS = [
    "Leading teams",
    "Influencing senior stakeholders",
    "Data strategy",
    "Digital service design",
    "Technology and architecture",
    "Career moves and promotion",
    "Confidence and presence",
]

CODE_OF_CONDUCT = (
    "Treat each other with respect and kindness.\n\n"
    "Keep what you hear in confidence, unless someone is at risk of harm.\n\n"
    "Turn up to the meetings you agree, or say in good time if you cannot.\n\n"
    "Mentoring is not line management: mentors share experience, mentees make their own decisions.\n\n"
    "If something is not working, tell the networks team: we can help, or find a new pairing."
)

# (email, name, job title, role, focus areas, goals, capacity, format)
PEOPLE = [
    (
        "grace.mensah@walthamforest.gov.uk",
        "Grace Mensah",
        "Chief Digital Officer",
        "mentor",
        ["Leading teams", "Data strategy", "Influencing senior stakeholders"],
        ["Help women step into their first head-of-service role"],
        2,
        "either",
    ),
    (
        "nadia.hussain@lambeth.gov.uk",
        "Nadia Hussain",
        "Director of Digital",
        "mentor",
        ["Influencing senior stakeholders", "Career moves and promotion"],
        ["Share how I moved from delivery into a director role"],
        2,
        "online",
    ),
    (
        "claire.oconnor@islington.gov.uk",
        "Claire O'Connor",
        "Head of Data",
        "mentor",
        ["Data strategy", "Leading teams"],
        ["Help data people lead, not only analyse"],
        2,
        "either",
    ),
    (
        "mei.lin@newham.gov.uk",
        "Mei Lin",
        "Head of Technology",
        "mentor",
        ["Technology and architecture", "Leading teams"],
        ["Support women in technical leadership"],
        1,
        "in_person",
    ),
    (
        "yetunde.adebayo@southwark.gov.uk",
        "Yetunde Adebayo",
        "Service Design Lead",
        "mentor",
        ["Digital service design", "Confidence and presence"],
        ["Grow more user-centred leaders"],
        2,
        "online",
    ),
    (
        "rachel.green@met.police.uk",
        "Rachel Green",
        "Deputy Director of Data",
        "mentor",
        ["Data strategy", "Career moves and promotion"],
        ["Mentor across the public sector, not only policing"],
        1,
        "either",
    ),
    (
        "fatima.rahman@rbkc.gov.uk",
        "Fatima Rahman",
        "Temporary Accommodation Service Lead",
        "mentee",
        ["Data strategy", "Influencing senior stakeholders"],
        ["Make the case for a data team in housing", "Present to our cabinet member with confidence"],
        0,
        "either",
    ),
    (
        "aisha.begum@towerhamlets.gov.uk",
        "Aisha Begum",
        "Product Manager",
        "mentee",
        ["Career moves and promotion", "Influencing senior stakeholders"],
        ["Move into a head of product role within two years"],
        0,
        "online",
    ),
    (
        "sophie.turner@croydon.gov.uk",
        "Sophie Turner",
        "Data Team Lead",
        "mentee",
        ["Leading teams", "Data strategy"],
        ["Lead a growing data team well", "Write our first data strategy"],
        0,
        "either",
    ),
    (
        "hannah.kowalski@ealing.gov.uk",
        "Hannah Kowalski",
        "Senior Developer",
        "mentee",
        ["Technology and architecture", "Confidence and presence"],
        ["Become a technical architect"],
        0,
        "in_person",
    ),
    (
        "leila.ahmadi@brent.gov.uk",
        "Leila Ahmadi",
        "User Researcher",
        "mentee",
        ["Digital service design"],
        ["Lead a service design team"],
        0,
        "online",
    ),
    (
        "ruth.osei@lewisham.gov.uk",
        "Ruth Osei",
        "Data Analyst",
        "mentee",
        ["Data strategy", "Career moves and promotion"],
        ["Move from analysis into data leadership"],
        0,
        "either",
    ),
    (
        "jess.walker@haringey.gov.uk",
        "Jess Walker",
        "Digital Project Manager",
        "mentee",
        ["Leading teams", "Confidence and presence"],
        ["Speak up with confidence in senior meetings"],
        0,
        "either",
    ),
    (
        "chloe.martin@merton.gov.uk",
        "Chloe Martin",
        "Business Analyst",
        "mentee",
        ["Digital service design", "Career moves and promotion"],
        ["Find my next step in digital"],
        0,
        "online",
    ),
]

# (mentor, mentee, days since accepted, days since the last check-in or None, note)
PAIRINGS = [
    ("grace.mensah", "fatima.rahman", 60, 9, "Planned the business case for a housing data team."),
    ("nadia.hussain", "aisha.begum", 45, 12, "Mapped the skills a head of product role asks for."),
    ("claire.oconnor", "sophie.turner", 30, 5, "Talked through how to run the team's first away day."),
    ("yetunde.adebayo", "leila.ahmadi", 20, None, ""),
    # At risk: accepted ten weeks ago and no check-in since.
    ("mei.lin", "hannah.kowalski", 70, None, ""),
]

# Two peer-support circles: (slug, name, description, week, weekday, time, online link, venue, members)
CIRCLES = [
    (
        "wdl-tuesday-lunch-circle",
        "Tuesday lunch circle",
        "An hour online over lunch to talk through what is hard this month, and what worked.",
        1, 1, time(12, 30), "https://meet.loti.london/wdl-tuesday-lunch", "",
        ["grace.mensah", "fatima.rahman", "aisha.begum", "sophie.turner", "jess.walker", "chloe.martin"],
    ),
    (
        "wdl-new-leaders-circle",
        "New leaders circle",
        "For people in their first leadership role: we meet in person at LOTI after work.",
        3, 3, time(17, 30), "", LOTI_OFFICE,
        ["hannah.kowalski", "leila.ahmadi", "ruth.osei", "nadia.hussain"],
    ),
]  # fmt: skip

# The waiting request: Ruth asked Rachel first, then Claire; Rachel has a day left to answer.
REQUEST = ("ruth.osei", ["rachel.green", "claire.oconnor"])


def _email(short: str) -> str:
    return next(row[0] for row in PEOPLE if row[0].startswith(short + "@"))


@transaction.atomic
def load(stdout=None) -> None:
    network = Network.objects.get(slug="womens-digital-leaders")
    areas = {name: FocusArea.objects.get_or_create(name=name)[0] for name in FOCUS_AREAS}
    today = timezone.localdate()
    programme, _ = MentoringProgramme.objects.update_or_create(
        slug=SLUG,
        defaults={
            "network": network,
            "name": "Women's Digital Leaders mentoring",
            "summary": (
                "Six-month pairings between women leading digital, data and technology and those "
                "working towards it, across London's boroughs and partners. Mentees choose up to three "
                "mentors to ask."
            ),
            "is_open": True,
            "starts_on": date(2026, 1, 1),
            "ends_on": max(date(2027, 6, 30), today + relativedelta(months=9)),
            "pairing_months": 6,
            "cadence_days": MentoringProgramme.Cadence.MONTHLY,
            "max_mentees_per_mentor": 2,
            "matching_mode": MentoringProgramme.MatchingMode.REQUEST,
            "code_of_conduct": CODE_OF_CONDUCT,
        },
    )
    programme.focus_areas.set(areas.values())
    people = {}
    for email, name, job_title, role, area_names, goals, capacity, meeting_format in PEOPLE:
        person = demo_person(email, name, job_title)
        people[email] = person
        Membership.objects.get_or_create(
            user=person,
            network=network,
            defaults={"status": Membership.Status.ACTIVE, "joined_at": timezone.now() - timedelta(days=120)},
        )
        Membership.objects.filter(user=person, network=network).exclude(
            status=Membership.Status.ACTIVE
        ).update(status=Membership.Status.ACTIVE, joined_at=timezone.now() - timedelta(days=120))
        profile, _ = MentoringProfile.objects.update_or_create(
            programme=programme,
            user=person,
            defaults={
                "role": role,
                "capacity": capacity,
                "meeting_format": meeting_format,
                "prefers_outside_organisation": role == "mentee",
                "about": f"{job_title}. " + goals[0] + ".",
                "goals": goals,
                "goals_saved_at": timezone.now() - timedelta(days=100),
                "code_of_conduct_accepted_at": timezone.now() - timedelta(days=100),
                "withdrawn_at": None,
            },
        )
        profile.focus_areas.set([areas[name] for name in area_names])
    for mentor, mentee, accepted_days, met_days, note in PAIRINGS:
        _pairing(programme, people[_email(mentor)], people[_email(mentee)], accepted_days, met_days, note)
    _waiting_request(programme, people)
    for spec in CIRCLES:
        _circle(network, people, *spec)
    CirclePlacementRequest.objects.get_or_create(
        network=network,
        user=people[_email("claire.oconnor")],
        closed_at=None,
        defaults={"note": "An evening circle would suit me best."},
    )
    if stdout:
        participants = MentoringProfile.objects.filter(programme=programme).count()
        current = Pairing.objects.filter(programme=programme, state__in=Pairing.CURRENT_STATES).count()
        stdout.write(f"Mentoring: {participants} participants, {current} pairings under way")


def _pairing(
    programme, mentor: User, mentee: User, accepted_days: int, met_days: int | None, note: str
) -> None:
    accepted_at = timezone.now() - timedelta(days=accepted_days)
    Pairing.objects.filter(programme=programme, mentee=mentee).exclude(mentor=mentor).delete()
    pairing, _ = Pairing.objects.update_or_create(
        programme=programme,
        mentor=mentor,
        mentee=mentee,
        defaults={
            "state": Pairing.State.ACTIVE if met_days is not None else Pairing.State.ACCEPTED,
            "cadence_days": programme.cadence_days,
            "accepted_at": accepted_at,
            "proposed_at": accepted_at - timedelta(days=2),
            "ends_on": timezone.localdate(accepted_at) + relativedelta(months=programme.pairing_months),
            "agreed_goals": "\n".join(MentoringProfile.objects.get(programme=programme, user=mentee).goals),
        },
    )
    pairing.check_ins.all().delete()
    last = None
    if met_days is not None:
        last = timezone.localdate() - timedelta(days=met_days)
        CheckIn.objects.create(pairing=pairing, met_on=last, logged_by=mentee, note=note)
    pairing.check_in_due_on = pairing.check_in_due(last)
    pairing.save(update_fields=["check_in_due_on"])


def _waiting_request(programme, people) -> None:
    mentee_short, mentor_shorts = REQUEST
    mentee = people[_email(mentee_short)]
    mentor_ids = [people[_email(short)].pk for short in mentor_shorts]
    Pairing.objects.filter(programme=programme, mentee=mentee).delete()
    MentoringRequest.objects.filter(programme=programme, mentee=mentee).delete()
    created_at = timezone.now() - timedelta(days=REQUEST_ANSWER_DAYS - 1)
    request = MentoringRequest.objects.create(
        programme=programme, mentee=mentee, mentors=mentor_ids, created_at=created_at
    )
    Pairing.objects.create(
        programme=programme,
        mentor=people[_email(mentor_shorts[0])],
        mentee=mentee,
        request=request,
        cadence_days=programme.cadence_days,
        proposed_at=created_at,
        answer_by=created_at + timedelta(days=REQUEST_ANSWER_DAYS),
    )


def _circle(network, people, slug, name, description, week, weekday, at, online, venue, members) -> None:
    circle, _ = PeerCircle.objects.update_or_create(
        slug=slug,
        defaults={
            "network": network,
            "name": name,
            "description": description,
            "frequency": PeerCircle.Frequency.MONTHLY,
            "cadence_week": week,
            "cadence_weekday": weekday,
            "cadence_start_time": at,
            "cadence_duration_minutes": 60,
            "cadence_starts_on": date(2026, 1, 1),
            "meeting_online_url": online,
            "meeting_venue": venue,
        },
    )
    for short in members:
        CircleMembership.objects.get_or_create(circle=circle, user=people[_email(short)], left_at=None)
    circle_meetings_generate(circle=circle)
