"""Property-based checks over form posts: any input gets a 2xx/3xx/4xx answer with a message,
never a 500, and nothing is stored half-way. HTML in names is shown escaped."""

import csv
import io
from urllib.parse import quote

import pytest
from django.conf import settings as settings_module
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from events.models import Question, Registration
from networks.models import Membership, Network
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
)

# Any Unicode (no surrogates), very long strings, and markup.
texts = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=50),
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=200, max_size=2000),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://evil")',
            "\x00",
            "Robert'); DROP TABLE accounts_user;--",
            "💥" * 300,
            "",
            " ",
        ]
    ),
)

HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@HYPOTHESIS
@given(full_name=texts, email=texts, job_title=texts, new_org=texts, password=texts)
def test_signup_never_errors_and_stores_all_or_nothing(org, full_name, email, job_title, new_org, password):
    before = User.objects.count()
    response = Client().post(
        reverse("account_signup"),
        {
            "full_name": full_name,
            "email": email,
            "job_title": job_title,
            "new_organisation_name": new_org,
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code in (200, 302, 400, 429)
    created = User.objects.count() - before
    if response.status_code == 200:
        assert created == 0
        assert "govuk-error-summary" in response.content.decode()
    if created:
        user = User.objects.latest("id")
        assert user.full_name and user.email
        User.objects.filter(id=user.id).delete()


@pytest.mark.django_db
@HYPOTHESIS
@given(full_name=texts, job_title=texts)
def test_profile_edit_never_errors_and_keeps_old_values_on_error(member, full_name, job_title):
    client = Client()
    client.force_login(member)
    member.refresh_from_db()
    old = (member.full_name, member.job_title)
    response = client.post(reverse("accounts:profile-edit"), {"full_name": full_name, "job_title": job_title})
    assert response.status_code in (200, 302, 400)
    member.refresh_from_db()
    if response.status_code != 302:
        assert (member.full_name, member.job_title) == old
        assert "govuk-error-summary" in response.content.decode()
    else:
        assert member.full_name == " ".join(full_name.split())


def test_names_with_markup_are_escaped_on_the_account_page(client, member):
    member.full_name = '<script>alert("x")</script> Amara'
    member.save()
    client.force_login(member)
    html = client.get(reverse("accounts:profile-detail")).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


# --- every form post in networks/ and events/ -----------------------------------------------

answer_lists = st.lists(st.one_of(texts, st.sampled_from(["Commissioner", "Hostel manager"])), max_size=4)
junk_fields = st.dictionaries(
    st.sampled_from(["confirm", "status", "user", "next", "csrfmiddlewaretoken"]), texts
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def signed_in(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def approval_network(db):
    return NetworkFactory(
        name="Data Leaders",
        join_policy=Network.JoinPolicy.APPROVAL,
        eligible_organisation_kinds=["borough", "partner"],
        asks_seniority=True,
    )


@pytest.fixture
def open_network(db):
    return NetworkFactory(name="Data Scientists", eligible_organisation_kinds=["borough", "partner"])


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _no_500_and_errors_shown(response, *, allowed=(200, 302, 400, 403, 404)):
    assert response.status_code in allowed
    if response.status_code == 200:
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert "<title>Error: " in html


@pytest.mark.django_db
@HYPOTHESIS
@given(
    job_title=texts,
    organisation=texts,
    reason=texts,
    seniority=st.one_of(texts, st.sampled_from(Membership.Seniority.values)),
)
def test_application_form_stores_a_whole_application_or_nothing(
    signed_in, member, approval_network, job_title, organisation, reason, seniority
):
    url = reverse("networks:network-apply", args=[approval_network.slug])
    data = {"job_title": job_title, "organisation": organisation, "reason": reason, "seniority": seniority}
    response = signed_in.post(url, data)
    _no_500_and_errors_shown(response)
    membership = Membership.objects.filter(user=member, network=approval_network).first()
    try:
        if response.status_code == 302:
            assert membership.status == Membership.Status.PENDING
            assert membership.answers == {
                "job_title": _one_line(job_title),
                "organisation": _one_line(organisation),
                "reason": reason.strip(),
                "seniority": seniority,
            }
        else:
            assert membership is None
    finally:
        Membership.objects.filter(user=member).delete()


@pytest.mark.django_db
@HYPOTHESIS
@given(
    chosen=st.lists(st.one_of(st.sampled_from(["data-leaders", "data-scientists"]), texts), max_size=3),
    job_title=texts,
    reason=texts,
    seniority=st.one_of(texts, st.sampled_from(Membership.Seniority.values)),
)
def test_network_chooser_joins_and_applies_all_or_nothing(
    signed_in, member, approval_network, open_network, chosen, job_title, reason, seniority
):
    data = {
        "networks": chosen,
        "job_title": job_title,
        "organisation": "Camden",
        "reason": reason,
        "seniority": seniority,
    }
    response = signed_in.post(reverse("networks:choose"), data)
    _no_500_and_errors_shown(response)
    memberships = {m.network.slug: m.status for m in Membership.objects.filter(user=member)}
    try:
        if response.status_code == 302:
            expected = {
                slug: "pending" if slug == "data-leaders" else "active"
                for slug in chosen
                if slug in ("data-leaders", "data-scientists")
            }
            assert memberships == expected
        else:
            assert memberships == {}
    finally:
        Membership.objects.filter(user=member).delete()


@pytest.fixture
def questioned_event(db):
    event = EventFactory(title="Digital inclusion findings", slug="digital-inclusion-findings")
    QuestionFactory(event=event, text="Your role", kind=Question.Kind.SHORT_TEXT, options="", position=1)
    QuestionFactory(
        event=event,
        text="Where you work",
        kind=Question.Kind.ONE_CHOICE,
        options="Commissioner\nHostel manager",
        position=2,
    )
    QuestionFactory(
        event=event,
        text="Topics",
        kind=Question.Kind.SEVERAL_CHOICES,
        options="Commissioner\nHostel manager",
        required=False,
        position=3,
    )
    return event


@pytest.mark.django_db
@HYPOTHESIS
@given(role=texts, where=st.one_of(texts, st.sampled_from(["Commissioner"])), topics=answer_lists)
def test_registration_form_stores_a_whole_registration_or_nothing(
    signed_in, member, questioned_event, role, where, topics
):
    short, one, several = questioned_event.questions.order_by("position")
    data = {f"question_{short.pk}": role, f"question_{one.pk}": where, f"question_{several.pk}": topics}
    response = signed_in.post(reverse("events:event-register", args=[questioned_event.slug]), data)
    _no_500_and_errors_shown(response)
    registration = Registration.objects.filter(event=questioned_event, user=member).first()
    try:
        if response.status_code == 302:
            assert registration.status == Registration.Status.CONFIRMED
            assert registration.answers == {
                str(short.pk): role.strip(),
                str(one.pk): where,
                str(several.pk): topics,
            }
        else:
            assert registration is None
    finally:
        Registration.objects.filter(event=questioned_event).delete()


@pytest.mark.django_db
@HYPOTHESIS
@given(data=junk_fields)
def test_leave_and_cancel_confirmations_ignore_whatever_else_is_posted(
    signed_in, member, open_network, questioned_event, data
):
    membership = MembershipFactory(user=member, network=open_network)
    registration = RegistrationFactory(event=questioned_event, user=member)
    try:
        response = signed_in.post(reverse("networks:network-leave", args=[open_network.slug]), data)
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.status == Membership.Status.LEFT
        response = signed_in.post(reverse("events:event-cancel", args=[questioned_event.slug]), data)
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CANCELLED and registration.user == member
        for name, slug in [("networks:network-leave", open_network.slug), ("events:event-cancel", "nope")]:
            assert signed_in.post(reverse(name, args=[slug]), data).status_code == 404
    finally:
        Membership.objects.filter(user=member).delete()
        Registration.objects.filter(user=member).delete()


@pytest.mark.django_db
@HYPOTHESIS
@given(chosen=st.lists(st.one_of(texts, st.just("OPEN")), max_size=3))
def test_notification_settings_change_everything_asked_or_nothing(signed_in, member, open_network, chosen):
    membership = MembershipFactory(user=member, network=open_network, reminders_enabled=True)
    leaders = NetworkFactory(name="Data Leaders")
    other = MembershipFactory(user=member, network=leaders, reminders_enabled=True)
    values = [str(open_network.pk) if value == "OPEN" else value for value in chosen]
    try:
        response = signed_in.post(reverse("events:notification-settings"), {"networks": values})
        _no_500_and_errors_shown(response)
        membership.refresh_from_db()
        other.refresh_from_db()
        if response.status_code == 302:
            assert membership.reminders_enabled == (str(open_network.pk) in values)
            assert other.reminders_enabled is False
        else:
            assert membership.reminders_enabled and other.reminders_enabled
    finally:
        Membership.objects.filter(user=member).delete()


def test_unticking_every_network_turns_every_reminder_off(signed_in, member, open_network):
    """A form whose only field is a set of boxes posts nothing when none is ticked (for example
    with the CSRF token sent as a header): that is still a submission, not a first visit."""
    membership = MembershipFactory(user=member, network=open_network, reminders_enabled=True)
    response = signed_in.post(reverse("events:notification-settings"))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.reminders_enabled is False


@pytest.mark.django_db
@HYPOTHESIS
@given(full_name=texts, job_title=texts, show=st.one_of(st.none(), texts))
def test_profile_edit_with_the_name_choice_stores_all_or_nothing(member, full_name, job_title, show):
    client = Client()
    client.force_login(member)
    member.show_name_to_attendees = False
    member.save()
    data = {"full_name": full_name, "job_title": job_title}
    if show is not None:
        data["show_name_to_attendees"] = show
    response = client.post(reverse("accounts:profile-edit"), data)
    _no_500_and_errors_shown(response)
    member.refresh_from_db()
    if response.status_code == 302:
        assert member.show_name_to_attendees is (show is not None and show.lower() not in ("", "false", "0"))
    else:
        assert member.show_name_to_attendees is False


@pytest.mark.django_db
@HYPOTHESIS
@given(password=texts)
def test_delete_account_with_a_wrong_password_deletes_nothing(member, password):
    client = Client()
    client.force_login(member)
    response = client.post(reverse("privacy:account-delete"), {"password": password})
    _no_500_and_errors_shown(response, allowed=(200, 429))
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
@HYPOTHESIS
@given(token=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="/"), min_size=1))
def test_tokens_in_addresses_never_cause_an_error(signed_in, token):
    for name, allowed in [
        ("events:reminders-unsubscribe", (400,)),
        ("networks:invitation-accept", (404,)),
        ("events:calendar-feed", (404,)),
    ]:
        url = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
        assert signed_in.get(url).status_code in allowed
        if name == "events:reminders-unsubscribe":
            assert Client().post(url).status_code in allowed


@pytest.mark.django_db
@HYPOTHESIS
@given(network=texts, kind=texts, programme=texts, page=texts)
def test_event_filters_never_error(client, network, kind, programme, page):
    response = client.get(
        reverse("events:event-list"), {"network": network, "kind": kind, "programme": programme, "page": page}
    )
    assert response.status_code == 200


# --- markup shown escaped everywhere: pages, emails and exports -------------------------------

NAME = '<script>alert("name")</script> Amara'
ANSWER = '<img src=x onerror=alert("answer")>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _assert_escaped(html: str, where: str) -> None:
    for raw in ('<script>alert("name")', '<img src=x onerror=alert("answer")', "<script>alert(1)"):
        assert raw not in html, f"{where} shows {raw!r} unescaped"


def test_names_and_answers_with_markup_are_escaped_on_pages_in_emails_and_exports(
    member, staff, approval_network, questioned_event, django_capture_on_commit_callbacks, mailoutbox
):
    member.full_name = NAME
    member.job_title = ANSWER
    member.show_name_to_attendees = True
    member.save()
    client = Client()
    client.force_login(member)
    short, one, _ = questioned_event.questions.order_by("position")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("networks:network-apply", args=[approval_network.slug]),
            {"job_title": ANSWER, "organisation": FORMULA, "reason": ANSWER, "seniority": "manager"},
        )
        client.post(
            reverse("events:event-register", args=[questioned_event.slug]),
            {f"question_{short.pk}": ANSWER, f"question_{one.pk}": "Commissioner"},
        )
    assert Membership.objects.filter(user=member, status=Membership.Status.PENDING).exists()
    registration = Registration.objects.get(event=questioned_event, user=member)
    assert registration.answers[str(short.pk)] == ANSWER

    pages = [
        reverse("accounts:profile-detail"),
        reverse("privacy:personal-data"),
        reverse("events:event-detail", args=[questioned_event.slug]),
        reverse("events:event-registered", args=[questioned_event.slug]),
        reverse("events:my-events"),
        reverse("networks:my-networks"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        _assert_escaped(html, url)
    assert "&lt;script&gt;" in client.get(reverse("privacy:personal-data")).content.decode()

    staff_client = Client()
    staff_client.force_login(staff)
    membership = Membership.objects.get(user=member)
    for url in [
        reverse("admin:networks_membership_change", args=[membership.pk]),
        reverse("admin:networks_pendingapplication_changelist"),
        reverse("admin:events_event_change", args=[questioned_event.pk]),
        reverse("admin:events_registration_changelist"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_auditentry_changelist"),
        reverse("events:event-detail", args=[questioned_event.slug]),
    ]:
        _assert_escaped(staff_client.get(url).content.decode(), url)

    assert len(mailoutbox) >= 3  # application received, application to staff, place confirmed
    for message in mailoutbox:
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        _assert_escaped(html, f"the email {message.subject!r}")
    staff_email = next(m for m in mailoutbox if m.to == [settings_module.STAFF_NOTIFICATION_EMAIL])
    staff_html = staff_email.alternatives[0][0]
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; Amara" in staff_html

    roster = staff_client.get(reverse("admin:networks_network_roster", args=[approval_network.pk]))
    assert roster.status_code == 200  # (the applicant is not yet on the roster; checked below)
    membership.status, membership.joined_at = Membership.Status.ACTIVE, timezone.now()
    membership.save()
    member.full_name = FORMULA
    member.save()
    for response in [
        staff_client.get(reverse("admin:networks_network_roster", args=[approval_network.pk])),
        staff_client.post(
            reverse("admin:events_event_changelist"),
            {"action": "export_attendees", "_selected_action": [questioned_event.pk]},
        ),
    ]:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        assert "'" + FORMULA in cells
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_markup_in_staff_written_names_is_escaped_in_forms(signed_in, member, questioned_event):
    """crispy-forms-gds shows labels and hints as HTML: names written by staff (a network's name,
    a question) must reach it escaped."""
    NetworkFactory(
        name="<script>alert(1)</script> Leaders",
        slug="leaders",
        join_policy=Network.JoinPolicy.APPROVAL,
        eligible_organisation_kinds=["borough"],
        asks_seniority=True,
    )
    NetworkFactory(
        name='<img src=x onerror=alert("answer")> Scientists',
        slug="scientists",
        eligible_organisation_kinds=["borough"],
    )
    question = questioned_event.questions.order_by("position").first()
    question.text = "<script>alert(1)</script> role"
    question.hint = '<img src=x onerror=alert("answer")>'
    question.save()
    for url in [
        reverse("networks:network-apply", args=["leaders"]),
        reverse("networks:choose"),
        reverse("networks:network-list"),
        reverse("networks:network-detail", args=["leaders"]),
        reverse("events:event-register", args=[questioned_event.slug]),
    ]:
        html = signed_in.get(url).content.decode()
        assert signed_in.get(url).status_code == 200
        _assert_escaped(html, url)
    # and with the errors shown
    for url in [reverse("networks:network-apply", args=["leaders"]), reverse("networks:choose")]:
        html = signed_in.post(url, {"networks": ["leaders"]}).content.decode()
        _assert_escaped(html, url)
    html = signed_in.post(reverse("events:event-register", args=[questioned_event.slug]), {}).content.decode()
    _assert_escaped(html, "the registration form with errors")


@pytest.mark.django_db
@HYPOTHESIS
@given(name=texts, answer=texts)
def test_exports_hold_any_name_and_answer_as_plain_text(staff, open_network, questioned_event, name, answer):
    # (as the forms allow: no NUL character, at most 150 characters)
    person = UserFactory(full_name=name.replace("\x00", "")[:150], organisation=None)
    MembershipFactory(user=person, network=open_network)
    short = questioned_event.questions.order_by("position").first()
    answers = {str(short.pk): answer.replace("\x00", "")}
    RegistrationFactory(event=questioned_event, user=person, answers=answers)
    client = Client()
    client.force_login(staff)
    try:
        for response in [
            client.get(reverse("admin:networks_network_roster", args=[open_network.pk])),
            client.post(
                reverse("admin:events_event_changelist"),
                {"action": "export_attendees", "_selected_action": [questioned_event.pk]},
            ),
        ]:
            assert response.status_code == 200
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
            assert len(rows) == 2
            for cell in rows[1]:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            expected = person.full_name
            shown = expected if not expected.startswith(("=", "+", "-", "@", "\t", "\r")) else "'" + expected
            assert shown in rows[1]
    finally:
        Registration.objects.filter(event=questioned_event).delete()
        Membership.objects.filter(network=open_network).delete()
        person.delete()
