"""'Manage this network': what a network's leads see and do, and what nobody else sees."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from networks.models import Membership, Network, NetworkMessage
from outbox.models import Email
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory
from tests.helpers import session_queries


def manage_url(network):
    return reverse("networks:network-manage", args=[network.slug])


def html_of(response):
    return response.content.decode()


@pytest.fixture
def leaders(db):
    return NetworkFactory(
        name="Data Leaders", join_policy=Network.JoinPolicy.APPROVAL, leads_decide_applications=True
    )


@pytest.fixture
def lead(member, leaders):
    MembershipFactory(user=member, network=leaders, role=Membership.Role.LEAD)
    return member


@pytest.fixture
def roster(leaders, other_org):
    """Two members, one applicant, one person who left."""
    people = {
        "tom": UserFactory(email="tom@hackney.gov.uk", full_name="Tom Fisher", organisation=other_org),
        "helen": UserFactory(email="helen@lfb.example", full_name="Helen Wright", job_title="Head of data"),
        "priya": UserFactory(
            email="priya@hackney.gov.uk", full_name="Priya Applicant", organisation=other_org
        ),
        "gone": UserFactory(email="gone@hackney.gov.uk", full_name="Gone Person", organisation=other_org),
    }
    MembershipFactory(user=people["tom"], network=leaders, role=Membership.Role.CO_CHAIR)
    MembershipFactory(user=people["helen"], network=leaders)
    MembershipFactory(
        user=people["priya"],
        network=leaders,
        status=Membership.Status.PENDING,
        applied_at=timezone.now(),
        answers={"job_title": "Head of insight", "organisation": "Hackney", "reason": "To learn from peers"},
    )
    MembershipFactory(user=people["gone"], network=leaders, status=Membership.Status.LEFT)
    return people


def meeting(network, *, days, **kwargs):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return EventFactory(
        network=network,
        kind=Event.Kind.NETWORK_MEETING,
        start=start,
        end=start + timedelta(hours=1),
        **kwargs,
    )


# --- what a lead sees -----------------------------------------------------------------------


def test_lead_sees_roster_applications_and_meetings_but_no_email_or_answers(client, lead, leaders, roster):
    upcoming = meeting(leaders, days=7, title="March meeting")
    RegistrationFactory(event=upcoming, user=roster["tom"], answers={"role": "SECRET-ANSWER"})
    RegistrationFactory(
        event=upcoming, user=roster["helen"], status=Registration.Status.WAITLISTED, waitlist_position=1
    )
    past = meeting(leaders, days=-30, title="February meeting")
    RegistrationFactory(event=past, user=roster["tom"], status=Registration.Status.ATTENDED)
    RegistrationFactory(event=past, user=roster["helen"], status=Registration.Status.NO_SHOW)
    RegistrationFactory(event=past, user=lead, status=Registration.Status.ATTENDED)
    client.force_login(lead)

    response = client.get(manage_url(leaders))

    html = html_of(response)
    assert response.status_code == 200
    for shown in (
        "Tom Fisher",
        "Hackney",
        "Co-chair",
        "Helen Wright",
        "Head of data",
        "Amara Member",
        "Camden",
    ):
        assert shown in html
    assert "3 members" in html
    assert "Gone Person" not in html
    # The applicant, with what they wrote to apply, and the buttons to decide.
    assert "Priya Applicant" in html and "To learn from peers" in html
    assert 'Approve<span class="govuk-visually-hidden"> Priya Applicant' in html
    # Who registered for the coming meeting; attendance at the past one.
    assert "2 registered for March meeting" in html and "Waiting list" in html
    past_row = response.context["page"].past[0]
    assert (past_row.registered, past_row.attended, past_row.no_shows) == (3, 2, 1)
    # Never anyone's email address or answers.
    for hidden in ("tom@hackney.gov.uk", "helen@lfb.example", "priya@hackney.gov.uk", "SECRET-ANSWER"):
        assert hidden not in html


def test_network_page_offers_manage_to_its_leads_and_staff_only(client, lead, leaders, outsider, staff):
    MembershipFactory(user=outsider, network=leaders)
    detail = reverse("networks:network-detail", args=[leaders.slug])
    client.force_login(lead)
    assert "Manage this network" in html_of(client.get(detail))
    client.force_login(outsider)
    assert "Manage this network" not in html_of(client.get(detail))
    client.force_login(staff)
    assert "Manage this network" in html_of(client.get(detail))


@pytest.mark.parametrize("who", ["member", "other_lead", "lead_who_left", "archived"])
def test_nobody_but_its_leads_sees_the_management_page(client, request, leaders, roster, outsider, who):
    visitor = outsider
    if who == "member":
        MembershipFactory(user=outsider, network=leaders)
    elif who == "other_lead":
        MembershipFactory(
            user=outsider, network=NetworkFactory(name="Data Scientists"), role=Membership.Role.LEAD
        )
    elif who == "lead_who_left":
        MembershipFactory(
            user=outsider, network=leaders, role=Membership.Role.LEAD, status=Membership.Status.LEFT
        )
    else:
        MembershipFactory(user=outsider, network=leaders, role=Membership.Role.LEAD)
        Network.objects.filter(pk=leaders.pk).update(status=Network.Status.ARCHIVED)
    application = Membership.objects.get(user=roster["priya"])
    client.force_login(visitor)

    pages = [
        client.get(manage_url(leaders)),
        client.get(reverse("networks:network-message", args=[leaders.slug])),
        client.post(reverse("networks:application-approve", args=[leaders.slug, application.pk])),
        client.get(reverse("networks:application-decline", args=[leaders.slug, application.pk])),
    ]

    for response in pages:
        assert response.status_code == 404
        assert "Tom Fisher" not in html_of(response) and "Priya Applicant" not in html_of(response)
    application.refresh_from_db()
    assert application.is_pending


def test_a_lead_cannot_reach_another_networks_application_through_their_own(client, lead, leaders):
    elsewhere = NetworkFactory(name="Data Scientists", join_policy=Network.JoinPolicy.APPROVAL)
    stranger = MembershipFactory(
        user=UserFactory(full_name="Stranger"), network=elsewhere, status=Membership.Status.PENDING
    )
    client.force_login(lead)
    response = client.post(reverse("networks:application-approve", args=[leaders.slug, stranger.pk]))
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_pending


def test_signed_out_people_are_asked_to_sign_in(client, leaders):
    response = client.get(manage_url(leaders))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_staff_see_the_management_page(client, staff, leaders, roster):
    client.force_login(staff)
    response = client.get(manage_url(leaders))
    assert response.status_code == 200 and "Tom Fisher" in html_of(response)


def test_management_page_refuses_post(client, lead, leaders):
    client.force_login(lead)
    assert client.post(manage_url(leaders)).status_code == 405


def test_management_page_runs_the_same_queries_whatever_the_size(client, lead, leaders, org):
    client.force_login(lead)
    client.get(manage_url(leaders))
    counts = []
    for size in (5, 200):
        people = UserFactory.create_batch(size, organisation=org)
        for person in people:
            MembershipFactory(user=person, network=leaders)
        event = meeting(leaders, days=3 + size)
        past = meeting(leaders, days=-3 - size)
        for person in people:
            RegistrationFactory(event=event, user=person)
            RegistrationFactory(event=past, user=person, status=Registration.Status.ATTENDED)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(manage_url(leaders))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The person, the network, roster, applications, meetings and their people, past meetings, messages.
    assert counts[0] <= 8 + session_queries()


# --- deciding applications ------------------------------------------------------------------


def test_lead_approves_an_application_and_the_applicant_is_told(client, lead, leaders, roster, on_commit):
    application = Membership.objects.get(user=roster["priya"])
    client.force_login(lead)
    with on_commit():
        response = client.post(
            reverse("networks:application-approve", args=[leaders.slug, application.pk]), follow=True
        )
    assert "Priya Applicant is now a member of Data Leaders" in html_of(response)
    application.refresh_from_db()
    assert application.is_active and application.decided_by == lead
    assert Email.objects.filter(to="priya@hackney.gov.uk", kind="networks.application_approved").exists()


def test_when_the_network_does_not_let_leads_decide_they_see_but_cannot_decide(client, lead, leaders, roster):
    Network.objects.filter(pk=leaders.pk).update(leads_decide_applications=False)
    application = Membership.objects.get(user=roster["priya"])
    client.force_login(lead)
    html = html_of(client.get(manage_url(leaders)))
    assert "Priya Applicant" in html
    assert "The networks team decides applications to Data Leaders" in html
    assert reverse("networks:application-approve", args=[leaders.slug, application.pk]) not in html
    response = client.post(reverse("networks:application-approve", args=[leaders.slug, application.pk]))
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.is_pending


def test_declining_needs_a_reason_then_sends_it(client, lead, leaders, roster, on_commit):
    application = Membership.objects.get(user=roster["priya"])
    decline = reverse("networks:application-decline", args=[leaders.slug, application.pk])
    client.force_login(lead)
    assert "Why is the application declined?" in html_of(client.get(decline))

    response = client.post(decline, {"reason": "   "})
    assert response.status_code == 200
    assert "There is a problem" in html_of(
        response
    ) and "Enter the reason the application is declined" in html_of(response)
    application.refresh_from_db()
    assert application.is_pending

    with on_commit():
        response = client.post(decline, {"reason": "The network is for heads of service."}, follow=True)
    assert "You have declined the application from Priya Applicant" in html_of(response)
    application.refresh_from_db()
    assert application.status == Membership.Status.DECLINED
    assert application.decision_reason == "The network is for heads of service."
    email = Email.objects.get(to="priya@hackney.gov.uk", kind="networks.application_declined")
    assert email.data["reason"] == "The network is for heads of service."


def test_an_application_already_decided_is_not_found(client, lead, leaders, roster):
    application = Membership.objects.get(user=roster["priya"])
    Membership.objects.filter(pk=application.pk).update(status=Membership.Status.DECLINED)
    client.force_login(lead)
    response = client.post(reverse("networks:application-approve", args=[leaders.slug, application.pk]))
    assert response.status_code == 404


# --- emailing the members -------------------------------------------------------------------


def test_lead_emails_the_members_with_a_copy_to_staff(
    client, lead, leaders, roster, on_commit, settings, mailoutbox
):
    client.force_login(lead)
    with on_commit():
        response = client.post(
            reverse("networks:network-message", args=[leaders.slug]),
            {"subject": "Agenda for March", "body": "Please send me your items by Friday."},
            follow=True,
        )
    assert "Your message is on its way to 3 members of Data Leaders" in html_of(response)
    message = NetworkMessage.objects.get()
    assert (message.sent_by, message.recipient_count) == (lead, 3)
    sent = {mail.to[0]: mail for mail in mailoutbox}
    assert set(sent) == {
        "amara@camden.gov.uk",
        "tom@hackney.gov.uk",
        "helen@lfb.example",
        settings.STAFF_NOTIFICATION_EMAIL,
    }
    assert sent["tom@hackney.gov.uk"].subject == "Data Leaders: Agenda for March"
    assert "Please send me your items by Friday." in sent["tom@hackney.gov.uk"].body
    assert "Dear Tom Fisher" in sent["tom@hackney.gov.uk"].body
    assert sent["tom@hackney.gov.uk"].reply_to == ["amara@camden.gov.uk"]
    assert "Copy for the networks team" in sent[settings.STAFF_NOTIFICATION_EMAIL].body
    assert "Agenda for March" in html_of(client.get(manage_url(leaders)))


def test_a_member_who_left_before_the_email_went_is_not_sent_it(lead, leaders, roster, mailoutbox):
    from django.db import transaction

    from networks import services
    from outbox.services import emails_send

    with transaction.atomic():
        services.network_message_members(network=leaders, subject="Hello", body="News.", acting_user=lead)
    Membership.objects.filter(user=roster["tom"]).update(status=Membership.Status.LEFT)
    emails_send(email_ids=list(Email.objects.values_list("pk", flat=True)))
    assert "tom@hackney.gov.uk" not in [mail.to[0] for mail in mailoutbox]
    assert Email.objects.get(to="tom@hackney.gov.uk").state == Email.State.SKIPPED


def test_an_empty_message_is_refused_next_to_the_fields_and_nothing_is_sent(client, lead, leaders, roster):
    client.force_login(lead)
    response = client.post(
        reverse("networks:network-message", args=[leaders.slug]), {"subject": " ", "body": ""}
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter a subject" in html and "Enter your message" in html
    assert not NetworkMessage.objects.exists() and not Email.objects.exists()
