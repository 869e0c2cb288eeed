"""Feedback the day after a session: one request per attendee through the outbox, a short form
answered once (and changed until it closes), results for staff and only totals of 3 or more for
a network's leads."""

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from events.models import Event, Registration
from followup.links import guest_token
from followup.models import FeedbackResponse
from followup.services import FEEDBACK_REQUEST, feedback_save
from followup.tasks import feedback_requests_send
from loti_portal.utils import LONDON
from networks.models import Membership
from outbox.models import Email
from outbox.services import emails_send
from privacy.services import account_delete, personal_data_export
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Tuesday afternoon session in March (GMT), and moments around it.
START = datetime(2026, 3, 10, 14, 0, tzinfo=LONDON)
END = START + timedelta(hours=2)
EVENING = datetime(2026, 3, 10, 20, 0, tzinfo=LONDON)
NEXT_DAY_EARLY = datetime(2026, 3, 11, 7, 30, tzinfo=LONDON)
NEXT_DAY = datetime(2026, 3, 11, 9, 20, tzinfo=LONDON)
CLOSED = END + timedelta(days=14, minutes=1)


@pytest.fixture
def session(db):
    with time_machine.travel(START - timedelta(days=7), tick=False):
        network = NetworkFactory(name="Data Practitioners")
        event = EventFactory(
            title="ONS course: data visualisation",
            slug="ons-data-vis",
            kind=Event.Kind.TRAINING,
            start=START,
            end=END,
            network=network,
            audience=Event.Audience.PUBLIC,
        )
        came = [
            RegistrationFactory(
                event=event, user=UserFactory(email=f"came{n}@camden.gov.uk"), status="attended"
            )
            for n in range(3)
        ]
        guest = RegistrationFactory(
            event=event, user=None, guest_name="Gita Guest", guest_email="gita@example.org", status="attended"
        )
        RegistrationFactory(event=event, user=UserFactory(email="noshow@camden.gov.uk"), status="no_show")
        RegistrationFactory(
            event=event, user=UserFactory(email="cancelled@camden.gov.uk"), status="cancelled"
        )
    return {"event": event, "network": network, "came": came, "guest": guest}


def requests():
    return list(Email.objects.filter(kind=FEEDBACK_REQUEST).order_by("to"))


def test_each_attendee_gets_one_request_the_day_after_and_not_before(session):
    with time_machine.travel(EVENING, tick=False):
        assert feedback_requests_send() == 0  # the same day: not yet
    with time_machine.travel(NEXT_DAY_EARLY, tick=False):
        assert feedback_requests_send() == 0  # the next day, but not before 9am
    with time_machine.travel(NEXT_DAY, tick=False):
        assert feedback_requests_send() == 4
        assert feedback_requests_send() == 0  # run twice: nothing more
    with time_machine.travel(NEXT_DAY + timedelta(hours=1), tick=False):
        assert feedback_requests_send() == 0  # the next hourly run
    assert sorted(email.to for email in requests()) == [
        "came0@camden.gov.uk",
        "came1@camden.gov.uk",
        "came2@camden.gov.uk",
        "gita@example.org",
    ]


def test_someone_checked_in_late_still_gets_one_and_nobody_gets_two(session):
    with time_machine.travel(NEXT_DAY, tick=False):
        feedback_requests_send()
        Registration.objects.filter(user__email="noshow@camden.gov.uk").update(status="attended")
    with time_machine.travel(NEXT_DAY + timedelta(hours=1), tick=False):
        assert feedback_requests_send() == 1
    assert len(requests()) == 5 and len({email.to for email in requests()}) == 5


def test_a_session_long_past_asks_nobody(session):
    with time_machine.travel(END + timedelta(days=10), tick=False):
        assert feedback_requests_send() == 0


def test_the_request_links_to_the_form_and_a_guest_to_their_signed_link(session, mailoutbox):
    with time_machine.travel(NEXT_DAY, tick=False):
        feedback_requests_send()
        outcome = emails_send(email_ids=[email.pk for email in requests()])
    assert outcome["sent"] == 4
    by_to = {message.to[0]: message for message in mailoutbox}
    member_mail = by_to["came0@camden.gov.uk"]
    assert member_mail.subject == "How was ONS course: data visualisation? Tell us in 2 minutes"
    assert reverse("followup:feedback-give", args=["ons-data-vis"]) in member_mail.body
    assert "Tuesday 24 March 2026" in member_mail.body  # closes a fortnight after the session
    guest_mail = by_to["gita@example.org"]
    token = guest_token(session["guest"])
    assert reverse("followup:guest-feedback", args=["ons-data-vis", token]) in guest_mail.body
    html = guest_mail.alternatives[0][0]
    assert "Give feedback on ONS course" in html


def test_a_request_is_not_sent_to_someone_who_answered_already(session):
    came = session["came"][0]
    with time_machine.travel(NEXT_DAY, tick=False):
        feedback_requests_send()
        feedback_save(registration=came, rating=5, what_worked="", what_to_improve="")
        email = Email.objects.get(kind=FEEDBACK_REQUEST, user=came.user)
        assert emails_send(email_ids=[email.pk])["skipped"] == 1


def test_an_attendee_answers_changes_their_answer_and_has_one_answer(session, client):
    came = session["came"][0]
    client.force_login(came.user)
    url = reverse("followup:feedback-give", args=["ons-data-vis"])
    with time_machine.travel(NEXT_DAY, tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "How was ONS course: data visualisation?" in page.content.decode()
        response = client.post(url, {"rating": "4", "what_worked": "Clear examples", "what_to_improve": ""})
        assert response.status_code == 302
        client.post(url, {"rating": "2", "what_worked": "Clear examples", "what_to_improve": "Too fast"})
    answer = FeedbackResponse.objects.get()
    assert (answer.rating, answer.what_to_improve, answer.user) == (2, "Too fast", came.user)
    with time_machine.travel(NEXT_DAY, tick=False):
        page = client.get(url).content.decode()
    assert "Too fast" in page and "Change your feedback" in page


def test_the_form_closes_after_a_fortnight(session, client):
    came = session["came"][0]
    client.force_login(came.user)
    url = reverse("followup:feedback-give", args=["ons-data-vis"])
    with time_machine.travel(CLOSED, tick=False):
        response = client.post(url, {"rating": "5"})
    assert response.status_code == 403
    assert "Feedback on this session has closed." in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_only_attendees_answer(session, client):
    url = reverse("followup:feedback-give", args=["ons-data-vis"])
    with time_machine.travel(NEXT_DAY, tick=False):
        client.force_login(UserFactory(email="noshow2@camden.gov.uk"))
        assert client.get(url).status_code == 404  # never registered
        client.force_login(Registration.objects.get(status="no_show").user)
        response = client.post(url, {"rating": "1"})
        assert response.status_code == 403
        assert "people who came to the session" in response.content.decode()
        client.logout()
        assert client.get(url).status_code == 302  # to sign in
        client.force_login(session["came"][0].user)
        assert client.delete(url).status_code == 405
        # Before the session ends there is nothing to answer.
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        response = client.get(url)
        assert response.status_code == 403 and "once the session has ended" in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_an_answer_without_a_rating_is_shown_the_error_and_stores_nothing(session, client):
    client.force_login(session["came"][0].user)
    url = reverse("followup:feedback-give", args=["ons-data-vis"])
    with time_machine.travel(NEXT_DAY, tick=False):
        response = client.post(url, {"rating": "7", "what_worked": "x" * 2001})
        page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "What worked well must be 2,000 characters or fewer" in page
    assert 'href="#id_rating_1"' in page
    assert not FeedbackResponse.objects.exists()


def test_a_guest_answers_through_their_signed_link(session, client):
    guest = session["guest"]
    url = reverse("followup:guest-feedback", args=["ons-data-vis", guest_token(guest)])
    with time_machine.travel(NEXT_DAY, tick=False):
        response = client.post(url, {"rating": "5", "what_worked": "Friendly"})
        assert response.status_code == 302
        assert response["Location"] == url
        assert client.get(url)["Referrer-Policy"] == "no-referrer"
        other = reverse("followup:guest-feedback", args=["ons-data-vis", guest_token(guest) + "x"])
        assert client.get(other).status_code == 404
    answer = FeedbackResponse.objects.get()
    assert answer.registration == guest and answer.user is None and answer.what_worked == "Friendly"


def answer(registration, rating, worked="", improve=""):
    with time_machine.travel(NEXT_DAY, tick=False):
        feedback_save(registration=registration, rating=rating, what_worked=worked, what_to_improve=improve)


def test_staff_see_the_results_and_the_csv_without_names(session, client, staff):
    came = session["came"]
    answer(came[0], 5, "Clear examples", "")
    answer(came[1], 4, "", "Longer exercises")
    answer(session["guest"], 3)
    client.force_login(staff)
    page = client.get(reverse("followup:feedback-results", args=["ons-data-vis"])).content.decode()
    assert "3 of 4 who came answered" in page and "4.0 out of 5" in page
    assert "Clear examples" in page and "Longer exercises" in page
    assert "came0@camden.gov.uk" not in page and "Gita" not in page

    response = client.get(reverse("followup:feedback-results-csv", args=["ons-data-vis"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Session", "Session date", "Rating", "What worked", "What to improve", "Answered at"]
    assert [row[2:5] for row in rows[1:]] == [
        ["5", "Clear examples", ""],
        ["4", "", "Longer exercises"],
        ["3", "", ""],
    ]
    assert all(row[1] == "2026-03-10" for row in rows[1:])


def test_results_are_for_staff_only(session, client, member):
    client.force_login(member)
    response = client.get(reverse("followup:feedback-results", args=["ons-data-vis"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.get(reverse("followup:feedback-results-csv", args=["ons-data-vis"]))
    assert response.status_code == 302


@pytest.fixture
def two_sessions(session):
    """The network's course with 3 answers, and a smaller session with 2."""
    network = session["network"]
    for registration, rating in zip(session["came"], (5, 4, 3), strict=True):
        answer(registration, rating, "Kind words that name Dev Patel")
    with time_machine.travel(START - timedelta(days=7), tick=False):
        small = EventFactory(
            title="Small workshop",
            slug="small-workshop",
            start=START - timedelta(days=1),
            end=END - timedelta(days=1),
            network=network,
        )
        few = [RegistrationFactory(event=small, status="attended") for _ in range(2)]
    answer(few[0], 1)
    answer(few[1], 2)
    lead = UserFactory(email="lead@camden.gov.uk")
    MembershipFactory(user=lead, network=network, role=Membership.Role.LEAD)
    return {**session, "small": small, "lead": lead}


def test_a_lead_sees_only_totals_of_three_or_more_and_never_who_said_what(two_sessions, client):
    client.force_login(two_sessions["lead"])
    url = reverse("followup:network-feedback", args=["data-practitioners"])
    with time_machine.travel(NEXT_DAY, tick=False):
        page = client.get(url).content.decode()
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(
                        reverse("followup:network-feedback-csv", args=["data-practitioners"])
                    ).content.decode("utf-8-sig")
                )
            )
        )
    assert "ONS course: data visualisation" in page and "Small workshop" in page
    assert "Fewer than 3: not shown" in page
    assert "Kind words" not in page and "Dev Patel" not in page
    # The total is made of the sessions shown only: the small session's 1 and 2 cannot be worked out.
    assert "3 of 4 who came answered" in page and "4.0 out of 5" in page
    by_title = {row[0]: row for row in rows[1:]}
    assert by_title["ONS course: data visualisation"][3:] == ["3", "4.0", "0", "0", "1", "1", "1"]
    assert by_title["Small workshop"][3] == "Fewer than 3" and by_title["Small workshop"][4:] == [""] * 6
    assert by_title["All sessions shown"][3:5] == ["3", "4.0"]


def test_staff_see_every_session_of_the_network_in_full(two_sessions, client, staff):
    client.force_login(staff)
    with time_machine.travel(NEXT_DAY, tick=False):
        response = client.get(reverse("followup:network-feedback-csv", args=["data-practitioners"]))
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Small workshop"][3:5] == ["2", "1.5"]
    assert rows["All sessions shown"][3:5] == ["5", "3.0"]


def test_a_member_or_another_network_s_lead_sees_no_network_results(two_sessions, client):
    other_lead = UserFactory(email="other-lead@hackney.gov.uk")
    MembershipFactory(user=other_lead, network=NetworkFactory(name="Data Leaders"), role=Membership.Role.LEAD)
    member = UserFactory(email="plain@camden.gov.uk")
    MembershipFactory(user=member, network=two_sessions["network"])
    for user in (other_lead, member):
        client.force_login(user)
        assert (
            client.get(reverse("followup:network-feedback", args=["data-practitioners"])).status_code == 404
        )
        assert (
            client.get(reverse("followup:network-feedback-csv", args=["data-practitioners"])).status_code
            == 404
        )


def test_what_a_person_wrote_is_in_their_export_and_goes_with_their_account(session):
    came = session["came"][0]
    answer(came, 4, "Clear examples", "Too fast")
    exported = personal_data_export(user=came.user)["session_feedback"]
    assert exported[0]["event"] == "ONS course: data visualisation"
    assert (exported[0]["rating"], exported[0]["what_worked"], exported[0]["what_to_improve"]) == (
        4,
        "Clear examples",
        "Too fast",
    )
    account_delete(user=came.user)
    kept = FeedbackResponse.objects.get()
    assert (kept.user, kept.what_worked, kept.what_to_improve, kept.rating) == (None, "", "", 4)


def test_the_network_s_feedback_page_runs_the_same_queries_whatever_the_number_of_sessions(session, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = UserFactory(email="lead@camden.gov.uk")
    MembershipFactory(user=lead, network=session["network"], role=Membership.Role.LEAD)
    client.force_login(lead)
    url = reverse("followup:network-feedback", args=["data-practitioners"])

    def queries():
        with time_machine.travel(NEXT_DAY, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the first request after signing in refreshes the session
    one = queries()
    with time_machine.travel(START - timedelta(days=30), tick=False):
        for number in range(6):
            event = EventFactory(
                start=START - timedelta(days=number + 1),
                end=END - timedelta(days=number + 1),
                network=session["network"],
            )
            for rating in (3, 4, 5):
                registration = RegistrationFactory(event=event, status="attended")
                FeedbackResponse.objects.create(event=event, registration=registration, rating=rating)
    assert queries() == one
    print(f"\nnetwork feedback page: {one} queries with 1 session and with 7")
