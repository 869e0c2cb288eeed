"""Demo organisations and people for `manage.py load_demo`. Safe to run twice."""

from functools import cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import Organisation, OrganisationDomain, OrganisationRequest, User
from .permissions import NETWORK_MANAGERS

DEMO_PASSWORD = "loti-demo-2026"

# The 32 London boroughs and the City of London, with their council email domains and whether
# they are LOTI members.
LONDON_AUTHORITIES = [
    ("Barking and Dagenham", ["lbbd.gov.uk"], False),
    ("Barnet", ["barnet.gov.uk"], True),
    ("Bexley", ["bexley.gov.uk"], False),
    ("Brent", ["brent.gov.uk"], True),
    ("Bromley", ["bromley.gov.uk"], False),
    ("Camden", ["camden.gov.uk"], True),
    ("City of London", ["cityoflondon.gov.uk"], True),
    ("Croydon", ["croydon.gov.uk"], True),
    ("Ealing", ["ealing.gov.uk"], True),
    ("Enfield", ["enfield.gov.uk"], True),
    ("Greenwich", ["royalgreenwich.gov.uk"], True),
    ("Hackney", ["hackney.gov.uk"], True),
    ("Hammersmith and Fulham", ["lbhf.gov.uk"], True),
    ("Haringey", ["haringey.gov.uk"], True),
    ("Harrow", ["harrow.gov.uk"], True),
    ("Havering", ["havering.gov.uk"], False),
    ("Hillingdon", ["hillingdon.gov.uk"], False),
    ("Hounslow", ["hounslow.gov.uk"], True),
    ("Islington", ["islington.gov.uk"], True),
    ("Kensington and Chelsea", ["rbkc.gov.uk"], True),
    ("Kingston upon Thames", ["kingston.gov.uk"], True),
    ("Lambeth", ["lambeth.gov.uk"], True),
    ("Lewisham", ["lewisham.gov.uk"], True),
    ("Merton", ["merton.gov.uk"], True),
    ("Newham", ["newham.gov.uk"], True),
    ("Redbridge", ["redbridge.gov.uk"], True),
    ("Richmond upon Thames", ["richmond.gov.uk"], True),
    ("Southwark", ["southwark.gov.uk"], True),
    ("Sutton", ["sutton.gov.uk"], True),
    ("Tower Hamlets", ["towerhamlets.gov.uk"], True),
    ("Waltham Forest", ["walthamforest.gov.uk"], True),
    ("Wandsworth", ["wandsworth.gov.uk"], True),
    ("Westminster", ["westminster.gov.uk"], True),
]

PARTNERS = [
    ("Metropolitan Police", Organisation.Kind.PARTNER, ["met.police.uk"]),
    ("London Fire Brigade", Organisation.Kind.PARTNER, ["london-fire.gov.uk"]),
    ("Office for National Statistics", Organisation.Kind.PARTNER, ["ons.gov.uk"]),
    ("Greater London Authority", Organisation.Kind.PARTNER, ["london.gov.uk"]),
    ("London Councils", Organisation.Kind.PARTNER, ["londoncouncils.gov.uk"]),
    ("London Office of Technology and Innovation", Organisation.Kind.PARTNER, ["loti.london"]),
    ("Social Value Exchange", Organisation.Kind.SUPPLIER, ["socialvalueexchange.com"]),
]

STAFF = ("networks@loti.london", "Sam Taylor", "Network Programme Manager")
NETWORK_MANAGER = ("jordan.lee@loti.london", "Jordan Lee", "Network Coordinator")

MEMBERS = [
    ("amara.okafor@camden.gov.uk", "Amara Okafor", "Head of Data and Insight"),
    ("tom.fisher@hackney.gov.uk", "Tom Fisher", "Data Engineer"),
    ("priya.shah@redbridge.gov.uk", "Priya Shah", "Senior Data Analyst"),
    ("grace.mensah@walthamforest.gov.uk", "Grace Mensah", "Chief Digital Officer"),
    ("oliver.bennett@kingston.gov.uk", "Oliver Bennett", "Data Scientist"),
    ("fatima.rahman@rbkc.gov.uk", "Fatima Rahman", "Temporary Accommodation Service Lead"),
    ("daniel.clarke@met.police.uk", "Daniel Clarke", "Director of Data"),
    ("helen.wright@london-fire.gov.uk", "Helen Wright", "Head of Performance and Data"),
]


# Someone whose address proves no organisation, who chose Camden at sign-up: awaiting review in
# admin (Organisation requests), with only what anyone signed in has until staff decide.
AWAITING_REVIEW = ("alex.turner@example.org", "Alex Turner", "Data Consultant", "Camden")


@transaction.atomic
def load(stdout=None) -> None:
    for name, domains, is_member in LONDON_AUTHORITIES:
        _organisation(
            name,
            Organisation.Kind.BOROUGH,
            domains,
            Organisation.MembershipStatus.MEMBER if is_member else Organisation.MembershipStatus.NOT_MEMBER,
        )
    for name, kind, domains in PARTNERS:
        _organisation(name, kind, domains, Organisation.MembershipStatus.NOT_MEMBER)
    email, full_name, job_title = STAFF
    demo_person(email, full_name, job_title, is_staff=True)
    email, full_name, job_title = NETWORK_MANAGER
    manager = demo_person(email, full_name, job_title, is_staff=True, is_superuser=False)
    manager.groups.add(Group.objects.get(name=NETWORK_MANAGERS))
    for email, full_name, job_title in MEMBERS:
        demo_person(email, full_name, job_title)
    email, full_name, job_title, organisation_name = AWAITING_REVIEW
    person = demo_person(email, full_name, job_title)
    if not OrganisationRequest.objects.filter(user=person).exists():
        from .services import user_complete_profile

        user_complete_profile(
            user=person,
            full_name=full_name,
            job_title=job_title,
            chosen_organisation=Organisation.objects.get(name=organisation_name),
        )
        # Staff are not emailed about demo data.
        OrganisationRequest.objects.filter(user=person).update(staff_notified_at=timezone.now())
    if stdout:
        stdout.write(f"Organisations: {Organisation.objects.count()}; people: {User.objects.count()}")


def _organisation(name, kind, domains, membership_status):
    organisation, _ = Organisation.objects.update_or_create(
        name=name, defaults={"kind": kind, "membership_status": membership_status}
    )
    for domain in domains:
        OrganisationDomain.objects.update_or_create(domain=domain, defaults={"organisation": organisation})
    return organisation


@cache
def demo_password_hash() -> str:
    """DEMO_PASSWORD hashed once for every demo account: a hash takes most of a second on
    purpose, and `make run` makes dozens of accounts."""
    return make_password(DEMO_PASSWORD)


def demo_person(email, full_name, job_title, *, is_staff=False, is_superuser=None):
    from .selectors import organisation_for_email

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            None,  # set below, from the one hash
            full_name=full_name,
            job_title=job_title,
            is_staff=is_staff,
            is_superuser=is_staff if is_superuser is None else is_superuser,
            organisation=organisation_for_email(email=email),
        )
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
