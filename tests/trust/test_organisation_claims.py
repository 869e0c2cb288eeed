"""An organisation claim is a request: only a confirmed address on the organisation's domain, or
a staff decision, links a person to it. Replayed through the real forms: sign-up, the emailed
confirmation link, "Change email address", the admin queue."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Organisation, OrganisationRequest, User
from accounts.permissions import NETWORK_MANAGERS
from accounts.selectors import person_is_borough_member
from events.models import Event, Registration
from networks.models import Membership, Network
from tests.factories import EventFactory, NetworkFactory, UserFactory

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks, monkeypatch):
    """Emails are queued once the change commits: run those callbacks after each request, as a
    committed transaction would."""
    original = Client.request

    def request(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def borough_session(db):
    return EventFactory(
        title="Social Value demo", slug="social-value-demo", audience=Event.Audience.BOROUGH_STAFF
    )


@pytest.fixture
def practitioners(db):
    return NetworkFactory(
        name="Data Practitioners",
        join_policy=Network.JoinPolicy.OPEN,
        eligible_organisation_kinds=["borough", "partner"],
        discussion_url="https://basecamp.example/practitioners",
    )


def _confirmation_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _sign_up_and_confirm(client, mailoutbox, *, email, organisation="", new_name=""):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Sam Someone",
            "email": email,
            "job_title": "Analyst",
            "organisation": str(organisation),
            "new_organisation_name": new_name,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()
    confirmation = next(m for m in mailoutbox if m.to == [email])
    assert client.post(_confirmation_path(confirmation)).status_code == 302
    return User.objects.get(email=email)


def _staff_emails(mailoutbox):
    return [m for m in mailoutbox if m.to == [settings.STAFF_NOTIFICATION_EMAIL]]


@pytest.mark.parametrize("email", ["someone@notcamden.gov.uk", "sam.someone@gmail.com"])
def test_choosing_camden_from_another_domain_is_a_request_with_no_borough_access(
    client, org, borough_session, practitioners, mailoutbox, email
):
    person = _sign_up_and_confirm(client, mailoutbox, email=email, organisation=org.pk)

    person.refresh_from_db()
    assert person.organisation is None
    assert not person_is_borough_member(person)
    request = OrganisationRequest.objects.get(user=person)
    assert (request.status, request.organisation, request.source) == ("pending", org, "chose")

    profile = client.get(reverse("accounts:profile-detail")).content.decode()
    assert "Awaiting review" in profile
    assert "London borough" not in profile

    # The borough-only session: refused, with the reason, and no place taken.
    register_url = reverse("events:event-register", args=[borough_session.slug])
    refused = client.get(register_url)
    assert refused.status_code == 403
    assert "checking that you work for Camden" in refused.content.decode()
    assert client.post(register_url, {}).status_code == 403
    assert not Registration.objects.filter(user=person).exists()
    page = client.get(reverse("events:event-detail", args=[borough_session.slug])).content.decode()
    assert borough_session.online_url not in page

    # A network for boroughs and partners: not joined, and its discussion link stays hidden.
    client.post(reverse("networks:network-join", args=[practitioners.slug]))
    assert not Membership.objects.filter(user=person, network=practitioners).exists()
    network_page = client.get(reverse("networks:network-detail", args=[practitioners.slug])).content.decode()
    assert "basecamp.example" not in network_page

    # Staff are told once, with the link to decide.
    [to_staff] = _staff_emails(mailoutbox)
    assert "Camden" in to_staff.subject
    review_url = reverse("admin:accounts_organisationrequest_change", args=[request.pk])
    assert review_url in to_staff.body
    request.refresh_from_db()
    assert request.staff_notified_at is not None


def test_staff_are_told_only_once_the_address_is_confirmed(client, org, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Sam Someone",
            "email": "sam@gmail.example",
            "organisation": str(org.pk),
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert _staff_emails(mailoutbox) == []
    client.post(_confirmation_path(mailoutbox[0]))
    assert len(_staff_emails(mailoutbox)) == 1


def test_a_confirmed_address_on_the_domain_links_without_review(client, org, borough_session, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="nadia@camden.gov.uk")
    person.refresh_from_db()
    assert person.organisation == org
    assert person_is_borough_member(person)
    assert not OrganisationRequest.objects.exists()
    assert _staff_emails(mailoutbox) == []
    client.post(reverse("events:event-register", args=[borough_session.slug]), {})
    assert Registration.objects.get(user=person).status == Registration.Status.CONFIRMED
    entry = AuditEntry.objects.get(action="accounts.user.organisation_changed", target_id=str(person.pk))
    assert entry.data["basis"] == "email_domain"


def _staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _act(staff, action, request, **extra):
    return _staff_client(staff).post(
        reverse("admin:accounts_organisationrequest_changelist"),
        {"action": action, "_selected_action": [request.pk], **extra},
    )


def test_staff_approve_from_the_queue_then_the_person_may_register(
    client, org, staff, borough_session, mailoutbox
):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", organisation=org.pk)
    request = OrganisationRequest.objects.get(user=person)

    queue = _staff_client(staff).get(reverse("admin:accounts_organisationrequest_changelist"))
    assert "sam@gmail.example" in queue.content.decode()

    mailoutbox.clear()
    assert _act(staff, "approve", request).status_code == 302
    person.refresh_from_db()
    request.refresh_from_db()
    assert person.organisation == org and person.requested_organisation_name == ""
    assert (request.status, request.decided_by, request.linked_organisation) == ("approved", staff, org)
    assert AuditEntry.objects.filter(
        action="accounts.organisation_request.approved", target_id=str(request.pk), actor=staff
    ).exists()
    [told] = mailoutbox
    assert told.to == ["sam@gmail.example"] and "linked to Camden" in told.subject

    client.post(reverse("events:event-register", args=[borough_session.slug]), {})
    assert Registration.objects.get(user=person).status == Registration.Status.CONFIRMED
    # Queue shows only what needs doing.
    queue = _staff_client(staff).get(reverse("admin:accounts_organisationrequest_changelist"))
    assert "sam@gmail.example" not in queue.content.decode()


def test_a_new_name_approved_becomes_an_organisation_of_kind_other(client, org, staff, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@newbody.example", new_name="New Body")
    _act(staff, "approve", OrganisationRequest.objects.get(user=person))
    person.refresh_from_db()
    assert person.organisation.name == "New Body"
    assert person.organisation.kind == Organisation.Kind.OTHER
    assert not person_is_borough_member(person)


def test_staff_merge_a_named_organisation_into_an_existing_one(client, org, staff, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", new_name="LB Camden")
    request = OrganisationRequest.objects.get(user=person)
    form = _act(staff, "merge", request)
    assert form.status_code == 200 and "Link them to" in form.content.decode()
    assert _act(staff, "merge", request, confirm="yes", organisation=str(org.pk)).status_code == 302
    person.refresh_from_db()
    assert person.organisation == org
    assert not Organisation.objects.filter(name="LB Camden").exists()
    assert AuditEntry.objects.filter(action="accounts.organisation_request.approved", actor=staff).exists()


def test_staff_reject_with_a_reason(client, org, staff, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", organisation=org.pk)
    request = OrganisationRequest.objects.get(user=person)
    mailoutbox.clear()
    _act(staff, "reject", request, confirm="yes", reason="Please sign up with your Camden address.")
    person.refresh_from_db()
    request.refresh_from_db()
    assert person.organisation is None and person.requested_organisation_name == ""
    assert request.status == "rejected"
    assert AuditEntry.objects.filter(action="accounts.organisation_request.rejected", actor=staff).exists()
    [told] = mailoutbox
    assert "Please sign up with your Camden address." in told.body


def test_a_network_manager_sees_the_queue_but_cannot_decide(client, org, mailoutbox):
    manager = UserFactory(email="jo@loti.example", is_staff=True)
    manager.groups.add(Group.objects.get(name=NETWORK_MANAGERS))
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", organisation=org.pk)
    request = OrganisationRequest.objects.get(user=person)
    _act(manager, "approve", request)
    person.refresh_from_db()
    assert person.organisation is None
    request.refresh_from_db()
    assert request.is_pending


def test_a_new_primary_address_off_the_domain_loses_the_borough(client, member, borough_session, mailoutbox):
    client.force_login(member)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "amara.home@gmail.example"})
    assert response.status_code == 302
    client.post(_confirmation_path(mailoutbox[-1]))
    member.refresh_from_db()
    assert member.email == "amara.home@gmail.example"
    assert member.organisation is None
    assert member.requested_organisation_name == "Camden"
    request = OrganisationRequest.objects.get(user=member)
    assert (request.source, request.organisation.name) == ("address_changed", "Camden")
    assert AuditEntry.objects.filter(
        action="accounts.user.organisation_unlinked", target_id=str(member.pk)
    ).exists()
    assert len(_staff_emails(mailoutbox)) == 1
    assert client.get(reverse("events:event-register", args=[borough_session.slug])).status_code == 403


def test_a_staff_decision_holds_for_the_address_it_was_made_for(client, org, staff, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", organisation=org.pk)
    _act(staff, "approve", OrganisationRequest.objects.get(user=person))
    # Confirming a new personal address: the staff decision was for the old one.
    client.post(reverse("account_email"), {"action_add": "", "email": "sam@outlook.example"})
    client.post(_confirmation_path(mailoutbox[-1]))
    person.refresh_from_db()
    assert person.organisation is None
    assert OrganisationRequest.objects.get(user=person, status="pending").source == "address_changed"


def test_linking_in_the_person_admin_is_an_audited_staff_decision(client, org, staff, mailoutbox):
    person = _sign_up_and_confirm(client, mailoutbox, email="sam@gmail.example", new_name="Camden Council")
    change_url = reverse("admin:accounts_user_change", args=[person.pk])
    form = _staff_client(staff).get(change_url)
    assert form.status_code == 200
    response = _staff_client(staff).post(
        change_url,
        {
            "email": person.email,
            "full_name": person.full_name,
            "job_title": person.job_title,
            "organisation": str(org.pk),
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": person.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    person.refresh_from_db()
    assert person.organisation == org
    assert OrganisationRequest.objects.get(user=person).status == "approved"
    entry = AuditEntry.objects.get(action="accounts.user.organisation_changed", target_id=str(person.pk))
    assert entry.actor == staff and entry.data["basis"] == "staff"


@pytest.mark.parametrize("verified", [True, False])
def test_the_decision_email_goes_only_to_a_confirmed_address(
    org, staff, mailoutbox, django_capture_on_commit_callbacks, verified
):
    from accounts.services import organisation_request_approve, user_complete_profile

    person = UserFactory(email="sam@gmail.example")
    EmailAddress.objects.filter(user=person).update(verified=verified)
    user_complete_profile(user=person, full_name="Sam <b>Evil</b>", job_title="", chosen_organisation=org)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_request_approve(request=OrganisationRequest.objects.get(user=person), acting_user=staff)
    sent = [m for m in mailoutbox if m.to == ["sam@gmail.example"]]
    assert len(sent) == (1 if verified else 0)


def test_the_demo_accounts_are_linked_by_their_addresses(db):
    from accounts import demo

    demo.load()
    amara = User.objects.get(email="amara.okafor@camden.gov.uk")
    assert amara.organisation.name == "Camden" and person_is_borough_member(amara)
    assert Client().login(email="amara.okafor@camden.gov.uk", password=demo.DEMO_PASSWORD)
    daniel = User.objects.get(email="daniel.clarke@met.police.uk")
    assert daniel.organisation.kind == Organisation.Kind.PARTNER


def test_existing_member_stays_a_member_when_nothing_changes(member):
    from accounts.services import user_organisation_decide

    user_organisation_decide(user=member)
    member.refresh_from_db()
    assert member.organisation.name == "Camden"
    assert not AuditEntry.objects.filter(action="accounts.user.organisation_unlinked").exists()
