"""Demo sessions for `manage.py load_demo`, dated in the weeks after it runs. Safe to run twice:
events are matched by slug, and existing registrations are left as they are."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.demo import demo_person
from accounts.models import User
from networks.models import Network

from .formatting import LONDON, in_london
from .models import Event, Question, Registration, Speaker
from .services.counts import event_counts_refresh

DIIP = "Digital Inclusion Innovation Programme"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)

# Borough staff who fill the ONS course, so its waiting list shows.
ATTENDEES = [
    ("aisha.begum@towerhamlets.gov.uk", "Aisha Begum", "Director of Digital"),
    ("james.oconnor@lambeth.gov.uk", "James O'Connor", "Head of Business Intelligence"),
    ("sofia.rossi@southwark.gov.uk", "Sofia Rossi", "Assistant Director of Strategy"),
    ("kwame.asante@brent.gov.uk", "Kwame Asante", "Head of Insight"),
    ("emily.clarke@ealing.gov.uk", "Emily Clarke", "Director of Customer Services"),
    ("mohammed.ali@newham.gov.uk", "Mohammed Ali", "Head of Performance"),
    ("rachel.green@islington.gov.uk", "Rachel Green", "Assistant Chief Executive"),
    ("david.kim@harrow.gov.uk", "David Kim", "Head of Digital Services"),
    ("laura.evans@merton.gov.uk", "Laura Evans", "Director of Housing"),
    ("samuel.adeyemi@croydon.gov.uk", "Samuel Adeyemi", "Head of Transformation"),
    ("hannah.cohen@barnet.gov.uk", "Hannah Cohen", "Director of Adult Social Care"),
    ("peter.novak@hounslow.gov.uk", "Peter Novak", "Chief Information Officer"),
    ("zara.ahmed@enfield.gov.uk", "Zara Ahmed", "Head of Policy"),
    ("michael.obrien@haringey.gov.uk", "Michael O'Brien", "Director of Finance"),
    ("nina.patel@sutton.gov.uk", "Nina Patel", "Head of Commissioning"),
    ("chris.walker@wandsworth.gov.uk", "Chris Walker", "Head of Data"),
    ("yusuf.hassan@westminster.gov.uk", "Yusuf Hassan", "Director of Children's Services"),
    ("olivia.brown@lewisham.gov.uk", "Olivia Brown", "Head of Strategy"),
    ("ben.taylor@richmond.gov.uk", "Ben Taylor", "Head of Digital"),
]

TA_DESCRIPTION = """\
People placed in temporary accommodation often struggle to get online just when they most need to:
to bid for housing, claim benefits, register with a GP or keep children's schoolwork going.

Over the last few months a LOTI team has talked to residents, hostel staff and council officers in
several boroughs. In this session we will share what we found:

- where residents lose access to devices, data and support
- what hostels and temporary accommodation teams already do that works
- the opportunities we think boroughs could test together

There will be time for questions and to say which opportunities matter most to your service.
"""

SVE_DESCRIPTION = """\
A demonstration of the Social Value Exchange, a platform that matches the social value that
suppliers promise in council contracts with the needs of local community organisations.

The demo is part of the Digital Inclusion Innovation Programme, which is looking at how
social value commitments could provide devices, connectivity and skills support for residents.
"""

ONS_DESCRIPTION = """\
A half-day introduction for senior leaders, run with the Office for National Statistics.

You will learn how to ask good questions of data, read charts and statistics critically, and
recognise what good data practice looks like in a council. No technical knowledge is needed.

Places are limited to keep the group small: if the course is full, join the waiting list.
"""

CAREERS_DESCRIPTION = """\
A free day for anyone curious about a career in data in London's councils: students, people
changing career, and people working in the private sector or elsewhere in the public sector.
You do not need to work in local government, or to have an account, to come.

London's 33 councils run the services millions of people rely on every day: schools, social
care, housing, bins, libraries and roads. Their data teams help decide where a new school
goes, which families need help early, and how to get a bus route or a repair right first time.
The London Office of Technology and Innovation (LOTI) helps the councils work on this together.

## What happens on the day

- **Morning:** short talks from council data teams about the work they do and how they got into it
- **Lunch** (provided, tell us about any dietary or access needs when you register)
- **Afternoon:** meet the teams at their stands, CV and application advice, and a session on
  apprenticeships and graduate schemes

## The roles

- **Data analyst:** turning data into answers for the people who run services
- **Data engineer:** building the pipelines and platforms the data lives on
- **Data scientist:** forecasting, modelling and machine learning for public services
- **Data protection:** keeping residents' information safe and used lawfully
- **Digital and product roles:** designing and running online services with residents

## Getting there

City Hall is a few minutes' walk from Royal Victoria station (DLR) and from the Elizabeth line at
Custom House. The building has step-free access, a hearing loop and accessible toilets. If you
cannot come in person, the morning talks are streamed online: the joining link is emailed to
everyone with a place.
"""


@transaction.atomic
def load(stdout=None) -> None:
    today = in_london(timezone.now()).date()
    people = [demo_person(email, name, job_title) for email, name, job_title in ATTENDEES]

    ta_session = _event(
        slug="digital-inclusion-temporary-accommodation-findings",
        title="Digital inclusion in temporary accommodation: discovery findings session",
        summary="What we learned about getting online while living in temporary accommodation, and "
        "what boroughs could do next.",
        description=TA_DESCRIPTION,
        kind=Event.Kind.DISCOVERY,
        programme=DIIP,
        day=_weekday_after(today, FRIDAY, weeks=2),
        starts=time(10, 0),
        ends=time(11, 30),
        online_url="https://meet.loti.example/ta-discovery-findings",
        mode=Event.Mode.ONLINE,
        capacity=60,
        audience=Event.Audience.SIGNED_IN,
    )
    role = _question(
        ta_session,
        text="Your role",
        hint="So we can focus the discussion on what matters to you.",
        kind=Question.Kind.ONE_CHOICE,
        options=["Temporary accommodation service lead", "Commissioner", "Hostel manager", "Other"],
    )
    _speaker(ta_session, "LOTI discovery team", "London Office of Technology and Innovation", "", 0)

    sve_demo = _event(
        slug="social-value-exchange-demo",
        title="Social Value Exchange demo",
        summary="See how the Social Value Exchange matches suppliers' social value commitments with "
        "community needs.",
        description=SVE_DESCRIPTION,
        kind=Event.Kind.DEMO,
        programme=DIIP,
        day=_weekday_after(today, THURSDAY, weeks=1),
        starts=time(10, 0),
        ends=time(11, 0),
        online_url="https://meet.loti.example/social-value-exchange-demo",
        mode=Event.Mode.ONLINE,
        capacity=None,
        audience=Event.Audience.BOROUGH_STAFF,
    )
    _speaker(sve_demo, "Dan Ebanks", "Social Value Exchange", "", 0)

    ons_course = _event(
        slug="introduction-to-data-for-senior-leaders",
        title="Introduction to Data for senior leaders",
        summary="A half-day course with the Office for National Statistics for senior leaders who want "
        "to use data with confidence.",
        description=ONS_DESCRIPTION,
        kind=Event.Kind.TRAINING,
        network=_network("data-leaders"),
        day=_weekday_after(today, TUESDAY, weeks=3),
        starts=time(9, 30),
        ends=time(12, 30),
        venue="LOTI, City Hall, Kamal Chunchie Way, London E16 1ZE",
        capacity=15,
        audience=Event.Audience.SIGNED_IN,
    )
    _speaker(ons_course, "Data Science Campus trainers", "Office for National Statistics", "Course tutors", 0)

    careers_day = _event(
        slug="local-government-data-careers-day",
        title="Careers in local government data",
        summary="Meet London's council data teams and find out how to start or grow a career in data.",
        description=CAREERS_DESCRIPTION,
        kind=Event.Kind.CAREERS_DAY,
        network=_network("data-practitioners"),
        day=_weekday_after(today, WEDNESDAY, weeks=5),
        starts=time(10, 0),
        ends=time(16, 0),
        venue="City Hall, Kamal Chunchie Way, London E16 1ZE",
        online_url="https://meet.loti.example/careers-day-talks",
        capacity=40,
        audience=Event.Audience.PUBLIC,
    )
    _question(
        careers_day,
        text="What do you do now?",
        hint="So we can match you with the right people on the day.",
        kind=Question.Kind.ONE_CHOICE,
        options=[
            "Student",
            "Changing career",
            "Working in the private sector",
            "Working elsewhere in the public sector",
            "Other",
        ],
    )
    _question(
        careers_day,
        text="Which roles interest you?",
        hint="Select all that apply.",
        kind=Question.Kind.SEVERAL_CHOICES,
        options=[
            "Data analyst",
            "Data engineer",
            "Data scientist",
            "Data protection",
            "Digital and product roles",
        ],
        position=1,
    )
    _speaker(careers_day, "Chris Walker", "London Borough of Wandsworth", "Head of Data", 0)
    _speaker(careers_day, "Olivia Brown", "London Borough of Lewisham", "Head of Strategy", 1)
    _speaker(careers_day, "LOTI data team", "London Office of Technology and Innovation", "", 2)

    # The same course's last run, three weeks ago: Amara attended, and may download her certificate.
    past_course = _event(
        slug="introduction-to-data-for-senior-leaders-last-run",
        title="Introduction to Data for senior leaders",
        summary=ons_course.summary,
        description=ONS_DESCRIPTION,
        kind=Event.Kind.TRAINING,
        network=_network("data-leaders"),
        day=_weekday_after(today, TUESDAY, weeks=-3),
        starts=time(9, 30),
        ends=time(12, 30),
        venue=ons_course.venue,
        capacity=15,
        audience=Event.Audience.SIGNED_IN,
    )
    _speaker(
        past_course, "Data Science Campus trainers", "Office for National Statistics", "Course tutors", 0
    )
    amara = User.objects.filter(email="amara.okafor@camden.gov.uk").first()
    if amara and not Registration.objects.filter(event=past_course, user=amara).exists():
        Registration.objects.create(event=past_course, user=amara, status=Registration.Status.ATTENDED)
        event_counts_refresh(event_id=past_course.pk)

    for person in people:
        _register(ons_course, person)
    fatima = User.objects.filter(email="fatima.rahman@rbkc.gov.uk").first()
    if fatima:
        _register(ta_session, fatima, {str(role.pk): "Temporary accommodation service lead"})
    for person in people[:3]:
        _register(ta_session, person, {str(role.pk): "Commissioner"})
    for person in people[3:9]:
        _register(careers_day, person)
    _register(sve_demo, people[0])

    if stdout:
        stdout.write(f"Events: {Event.objects.count()}; registrations: {Registration.objects.count()}")


def _weekday_after(today: date, weekday: int, *, weeks: int) -> date:
    """The given weekday in the week `weeks` weeks after this one."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=weeks, days=weekday)


def _network(slug: str) -> Network:
    # networks.demo runs first (see load_demo), so the demo networks exist.
    return Network.objects.get(slug=slug)


def _event(*, slug, day, starts, ends, **fields) -> Event:
    event, _ = Event.objects.update_or_create(
        slug=slug,
        defaults={
            "start": datetime.combine(day, starts, tzinfo=LONDON),
            "end": datetime.combine(day, ends, tzinfo=LONDON),
            "status": Event.Status.PUBLISHED,
            **fields,
        },
    )
    return event


def _question(event, *, text, hint, kind, options, position=0) -> Question:
    question, _ = Question.objects.update_or_create(
        event=event,
        text=text,
        defaults={
            "hint": hint,
            "kind": kind,
            "options": "\n".join(options),
            "required": True,
            "position": position,
        },
    )
    return question


def _speaker(event, name, organisation, role, position) -> Speaker:
    speaker, _ = Speaker.objects.update_or_create(
        event=event, name=name, defaults={"organisation": organisation, "role": role, "position": position}
    )
    return speaker


def _register(event: Event, user: User, answers: dict | None = None) -> Registration:
    """A place if one is free, else the waiting list; an existing registration is kept as it is.
    Demo people get no emails, so this does not go through registration_create."""
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None:
        return registration
    taken = event.registrations.filter(status__in=Registration.HOLDS_PLACE_STATUSES).count()
    if event.capacity is None or taken < event.capacity:
        status, position = Registration.Status.CONFIRMED, None
    else:
        highest = event.registrations.aggregate(highest=Max("waitlist_position"))["highest"]
        status, position = Registration.Status.WAITLISTED, (highest or 0) + 1
    registration = Registration.objects.create(
        event=event, user=user, status=status, waitlist_position=position, answers=answers or {}
    )
    event_counts_refresh(event_id=event.pk)
    return registration
