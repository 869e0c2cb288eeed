"""Staff edits in Django admin show on the site's pages at once, with whole pages kept
(loti_portal/versions.py): each test draws a page, posts a change through the real admin form or
action, and draws the page again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, User
from events.models import Event, Registration
from networks.models import Membership
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.helpers import admin_post_change, admin_run_action, page_html

pytestmark = pytest.mark.usefixtures("pages_kept")


EVENT_LIST = reverse("events:event-list")


def test_an_event_retitled_in_admin_shows_its_new_title_on_its_page_and_the_list(
    client, member, staff_browser
):
    event = EventFactory(title="Data maturity discovery")
    client.force_login(member)
    detail = reverse("events:event-detail", args=[event.slug])
    assert "Data maturity discovery" in page_html(client, detail)
    assert "Data maturity discovery" in page_html(client, EVENT_LIST)

    admin_post_change(staff_browser, "events_event", event, "event_form", title="Data maturity findings")

    assert "Data maturity findings" in page_html(client, detail)
    assert "Data maturity findings" in page_html(client, EVENT_LIST)


def test_an_event_deleted_in_admin_leaves_the_list_at_once(client, member, staff_browser):
    event = EventFactory(title="Supplier demo: Mapping tool")
    client.force_login(member)
    assert "Supplier demo: Mapping tool" in page_html(client, EVENT_LIST)

    response = staff_browser.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})

    assert response.status_code == 302 and not Event.objects.filter(pk=event.pk).exists()
    assert "Supplier demo: Mapping tool" not in page_html(client, EVENT_LIST)


def test_events_deleted_together_in_admin_leave_the_list_at_once(client, member, staff_browser):
    events = [EventFactory(title="Careers day stall"), EventFactory(title="Careers day talk")]
    client.force_login(member)
    assert "Careers day stall" in page_html(client, EVENT_LIST)

    admin_run_action(staff_browser, "events_event", "delete_selected", events, post="yes")

    assert not Event.objects.filter(pk__in=[e.pk for e in events]).exists()
    html = page_html(client, EVENT_LIST)
    assert "Careers day stall" not in html and "Careers day talk" not in html


def test_an_event_cancelled_by_an_admin_action_shows_cancelled(client, member, staff_browser):
    event = EventFactory(title="Cyber resilience training")
    client.force_login(member)
    detail = reverse("events:event-detail", args=[event.slug])
    assert "cancelled" not in page_html(client, detail).lower()

    admin_run_action(staff_browser, "events_event", "cancel_events", [event])

    assert "cancelled" in page_html(client, detail).lower()


def test_a_network_described_anew_in_admin_shows_the_new_description(client, member, staff_browser):
    network = NetworkFactory(name="Data Leaders", description="Members meet monthly.")
    client.force_login(member)
    detail = reverse("networks:network-detail", args=[network.slug])
    assert "Members meet monthly." in page_html(client, detail)

    admin_post_change(
        staff_browser, "networks_network", network, "network_form", description="Members meet every quarter."
    )

    assert "Members meet every quarter." in page_html(client, detail)


def test_an_application_approved_in_admin_makes_the_applicant_a_member_at_once(client, member, staff_browser):
    network = NetworkFactory(name="Data Scientists", join_policy="approval")
    membership = MembershipFactory(user=member, network=network, status=Membership.Status.PENDING)
    client.force_login(member)
    detail = reverse("networks:network-detail", args=[network.slug])
    assert "Withdraw your application" in page_html(client, detail)

    admin_run_action(staff_browser, "networks_membership", "approve", [membership])

    membership.refresh_from_db()
    assert membership.is_active
    html = page_html(client, detail)
    assert "You are a member of this network." in html and "Withdraw your application" not in html


def test_someone_removed_in_admin_is_no_longer_shown_as_a_member(client, member, staff_browser):
    network = NetworkFactory(name="Women's Digital Leaders")
    membership = MembershipFactory(user=member, network=network)
    client.force_login(member)
    detail = reverse("networks:network-detail", args=[network.slug])
    assert "You are a member of this network." in page_html(client, detail)

    admin_run_action(staff_browser, "networks_membership", "remove", [membership], confirm="yes")

    membership.refresh_from_db()
    assert not membership.is_active
    assert "You are a member of this network." not in page_html(client, detail)


def test_attendance_marked_in_admin_offers_the_attendee_their_certificate_at_once(
    client, member, staff_browser
):
    started = timezone.now() - timedelta(days=2)
    event = EventFactory(
        title="Data ethics workshop",
        kind=Event.Kind.TRAINING,
        start=started,
        end=started + timedelta(hours=2),
        certificates_enabled=True,
    )
    registration = RegistrationFactory(event=event, user=member)
    client.force_login(member)
    detail = reverse("events:event-detail", args=[event.slug])
    download = reverse("certificates:certificate-download", args=[event.slug])
    assert download not in page_html(client, detail)

    admin_run_action(staff_browser, "events_registration", "mark_attended", [registration])

    registration.refresh_from_db()
    assert registration.status == Registration.Status.ATTENDED
    assert download in page_html(client, detail)


def test_a_person_renamed_in_admin_shows_under_their_new_name_at_once(client, member, staff_browser):
    event = EventFactory(title="Data ethics workshop")
    RegistrationFactory(event=event, user=member)
    shown = UserFactory(full_name="Priya Shown", show_name_to_attendees=True)
    RegistrationFactory(event=event, user=shown)
    client.force_login(member)
    detail = reverse("events:event-detail", args=[event.slug])
    assert "Priya Shown" in page_html(client, detail)

    admin_post_change(staff_browser, "accounts_user", shown, "user_form", full_name="Priya Patel")

    html = page_html(client, detail)
    assert "Priya Patel" in html and "Priya Shown" not in html


def test_an_organisation_made_a_borough_in_admin_lets_its_people_register_for_borough_sessions(
    client, staff_browser
):
    city = OrganisationFactory(
        name="City of London", kind="other", membership_status="member", domains=["cityoflondon.gov.uk"]
    )
    person = UserFactory(email="fran@cityoflondon.gov.uk", organisation=city)
    event = EventFactory(title="Borough data leads briefing", audience=Event.Audience.BOROUGH_STAFF)
    client.force_login(person)
    detail = reverse("events:event-detail", args=[event.slug])
    refused = "This event is for London borough staff only."
    assert refused in page_html(client, detail)

    admin_post_change(staff_browser, "accounts_organisation", city, "organisation_form", kind="borough")

    assert refused not in page_html(client, detail)


def test_a_person_deleted_in_admin_gives_up_their_place_and_the_page_shows_it(client, member, staff_browser):
    event = EventFactory(title="Introduction to Data", capacity=1)
    leaving = UserFactory(full_name="Lena Leaving")
    registration = RegistrationFactory(event=event, user=leaving)
    client.force_login(member)
    detail = reverse("events:event-detail", args=[event.slug])
    assert "waiting list" in page_html(client, detail).lower()

    response = staff_browser.post(reverse("admin:accounts_user_delete", args=[leaving.pk]), {"post": "yes"})

    assert response.status_code == 302 and not User.objects.filter(pk=leaving.pk).exists()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED and registration.user is None
    assert AuditEntry.objects.filter(action="accounts.user.deleted").exists()
    assert "waiting list" not in page_html(client, detail).lower()
