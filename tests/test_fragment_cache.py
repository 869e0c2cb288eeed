"""Whole pages (loti_portal/versions.py) and rendered parts of pages are kept per process under
keys made of what they show: every page looks the same for each kind of person with that cache
on and with it off, before and after changes made through the services (a registration, a
cancellation, staff editing an event, renaming a network, someone leaving a network, a person's
organisation changing)."""

import copy
import os
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, User
from accounts.services import user_organisation_set
from events.models import Event
from events.selectors import events_visible_to, registration_refusal_reason
from events.services import event_save, registration_cancel, registration_create
from networks.models import Membership, Network
from networks.services import membership_leave, network_save

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def fragments_off(caches: dict) -> dict:
    caches = copy.deepcopy(caches)
    caches["fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    caches["pages"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return caches


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)


def people() -> dict:
    pending = Membership.objects.filter(status=Membership.Status.PENDING).order_by("pk").first()
    return {
        "guest": None,
        "member": User.objects.get(email="amara.okafor@camden.gov.uk"),
        "partner": User.objects.get(email="daniel.clarke@met.police.uk"),
        "pending applicant": pending.user,
        "staff": User.objects.get(email="networks@loti.london"),
    }


def paths_for(user) -> list[str]:
    """Every page a person sees that has cached parts, and its neighbours."""
    viewer = user or _anonymous()
    events = events_visible_to(user=viewer).order_by("pk")
    paths = [
        reverse("events:event-list"),
        reverse("events:event-list") + "?page=2",
        reverse("events:event-list") + "?kind=network_meeting",
        reverse("events:event-list") + "?kind=no-such-kind",
        reverse("events:event-archive"),
        reverse("networks:network-list"),
        *(reverse("events:event-detail", args=[event.slug]) for event in events),
        *(reverse("networks:network-detail", args=[network.slug]) for network in Network.objects.all()),
    ]
    if user is not None:
        paths.append(reverse("events:my-events"))
    return paths


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def render_all(settings, caches: dict, viewer: str) -> dict:
    """One person's view of each page: {(person, path): (status, html without CSRF tokens)}."""
    settings.CACHES = caches
    pages = {}
    for name, user in people().items():
        if name != viewer:
            continue
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths_for(user):
            response = client.get(path)
            html = CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
            pages[name, path] = (response.status_code, html)
    return pages


def assert_same(cached: dict, fresh: dict) -> None:
    assert fresh, "no page was drawn"
    assert cached.keys() == fresh.keys()
    differing = [key for key in fresh if cached[key] != fresh[key]]
    assert not differing, f"{len(differing)} pages differ with the cache on, first {differing[0]}"


# One test per kind of person, so that the processes of a parallel run share them out.
VIEWERS = ("guest", "member", "partner", "pending applicant", "staff")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_pages_look_the_same_with_rendered_parts_cached_or_not(demo, settings, viewer, committed):
    assert set(VIEWERS) == set(people())
    on = django_settings.CACHES
    assert on["fragments"]["BACKEND"].endswith("LocMemCache")
    assert on["pages"]["BACKEND"].endswith("LocMemCache")
    off = fragments_off(on)

    render_all(settings, on, viewer)  # fills the cache
    assert_same(render_all(settings, on, viewer), render_all(settings, off, viewer))

    # Changes through the services: what was cached before them must not show after they commit
    # (the versions of kept pages are renewed then).
    member, staff = people()["member"], people()["staff"]
    event = next(
        event
        for event in Event.objects.filter(status=Event.Status.PUBLISHED, capacity__isnull=False)
        if registration_refusal_reason(event=event, user=member) is None and event.is_open_for_registration()
    )
    with committed():
        registration = registration_create(event=event, user=member, answers={}, acting_user=member)
    assert_same(render_all(settings, on, viewer), render_all(settings, off, viewer))

    with committed():
        registration_cancel(registration=registration, acting_user=member)
    edited = Event.objects.get(pk=event.pk)
    edited.title, edited.summary = "Renamed session", "A new summary"
    with committed():
        event_save(event=edited, acting_user=staff)
    network = Network.objects.exclude(events=None).order_by("pk").first()
    network.name = "Renamed network"
    with committed():
        network_save(network=network, changed_fields=["name"], acting_user=staff)
    assert_same(render_all(settings, on, viewer), render_all(settings, off, viewer))
    if viewer == "member":
        html = render_all(settings, on, viewer)["member", reverse("events:event-list")][1]
        assert "Renamed network" in html

    # What a person may see changes with their memberships and their organisation.
    membership = (
        Membership.objects.filter(user=member, status=Membership.Status.ACTIVE).order_by("pk").first()
    )
    with committed():
        membership_leave(membership=membership, acting_user=member)
    partner = people()["partner"]
    elsewhere = Organisation.objects.exclude(pk=partner.organisation_id).order_by("pk").first()
    with committed():
        user_organisation_set(user=partner, organisation=elsewhere, acting_user=staff)
    assert_same(render_all(settings, on, viewer), render_all(settings, off, viewer))
