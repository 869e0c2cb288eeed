"""Every URL that takes an id, a slug or a token, asked for by each kind of visitor.

The URL patterns are read from the project's resolver, so a new pattern that takes a parameter
fails `test_every_url_with_a_parameter_is_in_the_matrix` until it is added here. Each case uses
real objects that belong to someone else ("Olivia Owner"): her registration, her network, her
invitation, her calendar feed, her unsubscribe link, her email confirmation and password reset
keys, and events she may see but others may not.

Expected answers: a status code; LOGIN, a redirect to sign in; ADMIN_LOGIN, a redirect to the admin
sign-in page; OK_OR_REDIRECT, a 2xx or a redirect inside the site. `owner` is the control: the
person the object belongs to, who must get in.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from events.guest_links import registration_token
from events.joining import join_token
from events.models import Registration
from mentoring.models import MentoringRequest, Pairing
from networks.models import Membership, Network
from tests.trust.permission_world import PRIVATE_NOTE, World, build_world

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
OK_OR_REDIRECT = "ok-or-redirect"
ACTORS = ("anonymous", "other_member", "staff", "owner")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(org, member, staff) -> World:
    return build_world(org=org, member=member, staff=staff)


@dataclass
class Case:
    name: str
    kwargs: Callable[[World], dict]
    expect: dict  # actor -> expected answer
    method: str = "get"
    label: str = ""
    check: Callable | None = None  # (world, actor, response) -> error message or None

    def __str__(self):
        return self.label or self.name


def _not_leaking_owner(world, actor, response):
    if actor != "owner" and b"olivia@camden.gov.uk" in response.content:
        return "shows the owner's email address"
    return None


def _owner_feed_only(world, actor, response):
    body = response.content.decode()
    if "Public session" not in body or "Draft session" in body:
        return "the feed is not the owner's own calendar"
    return None


def _registration_unchanged(world, actor, response):
    world["registration"].refresh_from_db()
    if actor != "owner" and world["registration"].status != Registration.Status.CONFIRMED:
        return "someone else cancelled the owner's place"
    return None


def _still_member(world, actor, response):
    if (
        actor != "owner"
        and not Membership.objects.filter(
            user=world["owner"], network=world["scientists"], status=Membership.Status.ACTIVE
        ).exists()
    ):
        return "someone else ended the owner's membership"
    return None


def _no_private_note(world, actor, response):
    if actor != "owner" and PRIVATE_NOTE.encode() in response.content.replace(b"&#x27;", b"'"):
        return "shows the pair's private check-in note"
    return None


def _pairing_unchanged(world, actor, response):
    world["pairing"].refresh_from_db()
    if world["pairing"].state != Pairing.State.ACTIVE:
        return "someone changed the owner's pairing"
    return None


def _request_still_waiting(world, actor, response):
    world["mentoring_request"].refresh_from_db()
    if actor != "owner" and world["mentoring_request"].state != MentoringRequest.State.WAITING:
        return "someone else withdrew the owner's request"
    return None


def _application_undecided(world, actor, response):
    for key in ("application", "elsewhere"):
        world[key].refresh_from_db()
        if not world[key].is_pending:
            return f"{actor} decided an application they may not decide"
    return None


def _claim_undecided(world, actor, response):
    world["claim"].refresh_from_db()
    if actor != "owner" and not world["claim"].is_pending:
        return f"{actor} decided a claim to an organisation they do not lead"
    return None


def _no_meeting_link_before_it_opens(world, actor, response):
    if world["public"].online_url in response.content.decode():
        return "the meeting link is shown"
    return None


def _who_has_a_place_for_staff_only(world, actor, response):
    if actor != "staff" and b"Olivia Owner" in response.content:
        return "shows who has a place"
    return None


def _no_one_elses_certificate(world, actor, response):
    if actor != "owner" and b"Olivia Owner" in response.content:
        return "shows the owner's certificate"
    return None


def _staff_sent_to_the_networks_page(world, actor, response):
    if actor == "staff" and not response["Location"].endswith(world["scientists"].get_absolute_url()):
        return "staff are not sent to the network's page"
    return None


def _guest_certificate_link(world) -> dict:
    token = registration_token(registration_id=world["guest_place"].pk, email="gail@gmail.example")
    return {"slug": world["course"].slug, "token": token}


def _network_on_site(world) -> dict:
    return {
        "content_type_id": ContentType.objects.get_for_model(Network).pk,
        "object_id": world["scientists"].pk,
    }


def row(name, arguments, anonymous, other_member, staff, owner, **options) -> Case:
    """One row of the matrix (see CASES)."""
    answers = {"anonymous": anonymous, "other_member": other_member, "staff": staff, "owner": owner}
    return Case(name, arguments, answers, **options)


def the(key: str, attribute: str = "pk") -> Callable[[World], object]:
    """An attribute (the id unless named) of one of the world's objects, as a URL's argument."""
    return lambda world: getattr(world[key], attribute)


def args(**values) -> Callable[[World], dict]:
    """A URL's arguments: each value as given, or read from the world (`the`)."""
    return lambda world: {name: value(world) if callable(value) else value for name, value in values.items()}


def slug_of(key: str, **more) -> Callable[[World], dict]:
    """The arguments of a URL naming one of the world's objects by its slug, and `more` (see args)."""
    return args(slug=the(key, "slug"), **more)


# The matrix, a row a case: the URL's name and its arguments, then the answer each visitor gets
# (anonymous, another member, staff, the owner), then what else the case says (method, label,
# check). Kept as written, a row to a line where it fits, so that it reads as a table.
# fmt: off
CASES = [
    # networks
    row("networks:network-detail", slug_of("scientists"), 200, 200, 200, 200),
    row("networks:network-detail", slug_of("archived"), 404, 404, 200, 404, label="archived network page"),
    row("networks:network-join", slug_of("scientists"), LOGIN, 405, 405, 405),
    row("networks:network-join", slug_of("archived"), LOGIN, 404, 302, 404,
        method="post", label="joining an archived network"),
    row("networks:network-apply", slug_of("leaders"), LOGIN, 200, 302, 302),
    row("networks:network-apply", slug_of("archived"), LOGIN, 404, 302, 404,
        label="applying to an archived network"),
    row("networks:network-leave", slug_of("scientists"), LOGIN, 404, 404, 200),
    row("networks:network-leave", slug_of("scientists"), LOGIN, 404, 404, 302,
        method="post", label="leaving a network you are not in", check=_still_member),
    row("networks:invitation-accept", args(token=the("invitation", "token")), LOGIN, 403, 403, 200,
        check=_not_leaking_owner),
    row("networks:invitation-accept", args(token="not-a-real-token"), LOGIN, 404, 404, 404,
        label="unknown invitation token"),
    # managing a network (its leads and staff) and an organisation (its leads only)
    row("networks:network-manage", slug_of("leaders"), LOGIN, 404, 200, 200, check=_not_leaking_owner),
    row("networks:network-manage", slug_of("scientists"), LOGIN, 404, 200, 404,
        label="managing a network one is only a member of"),
    row("networks:network-message", slug_of("leaders"), LOGIN, 404, 200, 200),
    row("networks:application-approve", slug_of("leaders", membership_id=the("elsewhere")),
        LOGIN, 404, 404, 404,
        method="post", label="approving another network's application through one's own",
        check=_application_undecided),
    row("networks:application-approve", slug_of("leaders", membership_id=the("application")),
        LOGIN, 405, 405, 405,
        check=_application_undecided),
    row("networks:application-decline", slug_of("leaders", membership_id=the("application")),
        LOGIN, 404, 200, 200,
        check=_application_undecided),
    row("organisations:claim-reject", args(request_id=the("claim")), LOGIN, 404, 404, 200,
        check=_claim_undecided),
    row("organisations:claim-confirm", args(request_id=the("claim")), LOGIN, 404, 404, 302,
        method="post", check=_claim_undecided),
    # events
    row("events:event-detail", slug_of("public"), 200, 200, 200, 200),
    row("events:event-detail", slug_of("draft"), 404, 404, 200, 404, label="draft event page"),
    row("events:event-detail", slug_of("private"), 404, 404, 200, 200, label="invitation-only event page"),
    row("events:event-register", slug_of("draft"), LOGIN, 404, 403, 404, label="registering for a draft"),
    row("events:event-register", slug_of("private"), LOGIN, 404, 403, 302,
        label="registering for an invitation-only event"),
    row("events:event-registered", slug_of("public"), LOGIN, 404, 404, 200, check=_not_leaking_owner),
    row("events:event-cancel", slug_of("public"), LOGIN, 404, 404, 200),
    row("events:event-cancel", slug_of("public"), LOGIN, 404, 404, 302,
        method="post", label="cancelling someone else's place", check=_registration_unchanged),
    # The session is a fortnight away: the owner's address says when it opens; anyone else
    # signed in is refused, and nobody is shown the meeting link.
    row("events:event-join", lambda w: {"token": join_token(w["registration"])}, 200, 403, 403, 200,
        check=_no_meeting_link_before_it_opens),
    row("events:event-offer", slug_of("public"), LOGIN, 404, 404, 302, check=_not_leaking_owner),
    row("events:event-offer", slug_of("public"), LOGIN, 404, 404, 302,
        method="post", label="answering someone else's offer", check=_registration_unchanged),
    row("events:event-check-in", slug_of("public"), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN,
        check=_who_has_a_place_for_staff_only),
    row("events:event-check-in", slug_of("public"), ADMIN_LOGIN, ADMIN_LOGIN, 404, ADMIN_LOGIN,
        method="post", label="checking someone in without saying who", check=_registration_unchanged),
    row("events:event-ics", slug_of("public"), 200, 200, 200, 200),
    # Guests: only a session open to everyone takes them; signed-in people register as members.
    row("events:guest-register", slug_of("public"), 403, OK_OR_REDIRECT, OK_OR_REDIRECT, OK_OR_REDIRECT,
        label="guest form of a session for people signed in"),
    row("events:guest-register", slug_of("draft"), 404, 404, OK_OR_REDIRECT, 404,
        label="guest form of a draft"),
    row("events:guest-register-sent", slug_of("public"), 200, 200, 200, 200),
    row("events:guest-confirm", slug_of("public", token="forged"), 404, 404, 404, 404, method="post"),
    # Always the signed-in person's own certificate: nobody else gets the owner's.
    row("certificates:certificate-download", slug_of("course"), LOGIN, 403, 403, 200,
        check=_no_one_elses_certificate),
    row("certificates:guest-certificate-download", slug_of("course", token="forged"), 404, 404, 404, 404),
    # The guest's own link is the key to their certificate, whoever holds it.
    row("certificates:guest-certificate-download", _guest_certificate_link, 200, 200, 200, 200,
        label="a guest's certificate from their own link"),
    # Public: confirms the name, course, date and hours, never an email address.
    row("certificates:certificate-verified", args(code=the("certificate", "code")), 200, 200, 200, 200,
        check=_not_leaking_owner),
    row("events:guest-registration", slug_of("public", token="forged"), 404, 404, 404, 404),
    row("events:guest-registration-ics", slug_of("public", token="forged"), 404, 404, 404, 404),
    row("events:guest-registration-cancel", slug_of("public", token="forged"), 404, 404, 404, 404,
        method="post"),
    row("events:guest-registration-accept", slug_of("public", token="forged"), 404, 404, 404, 404,
        method="post"),
    row("events:guest-registration-delete", slug_of("public", token="forged"), 404, 404, 404, 404,
        method="post"),
    row("events:event-ics", slug_of("draft"), 404, 404, 200, 404, label="calendar file of a draft"),
    row("events:event-ics", slug_of("private"), 404, 404, 200, 200,
        label="calendar file of an invitation-only event"),
    # A secret feed address works for whoever holds it (calendar apps send no session), and
    # shows only its owner's calendar; an unknown or replaced address shows nothing.
    row("events:calendar-feed", args(token=the("feed", "token")), 200, 200, 200, 200, check=_owner_feed_only),
    row("events:calendar-feed", args(token="an-old-or-guessed-token"), 404, 404, 404, 404,
        label="unknown calendar feed token"),
    row("events:network-feed", slug_of("scientists"), 200, 200, 200, 200),
    row("events:network-feed", args(slug="no-such-network"), 404, 404, 404, 404,
        label="unknown network feed"),
    # One-click unsubscribe: the signed token is the permission (RFC 8058, no session).
    row("events:reminders-unsubscribe", lambda w: {"token": w["unsubscribe"]}, 200, 200, 200, 200,
        check=_not_leaking_owner),
    row("events:reminders-unsubscribe", lambda w: {"token": w["unsubscribe"][:-2] + "xx"},
        400, 400, 400, 400,
        label="forged unsubscribe token"),
    # allauth's keys: possession of the emailed key is the permission.
    row("account_confirm_email", lambda w: {"key": w["confirmation_key"]}, 200, 200, 200, 200),
    row("account_confirm_email", args(key="bad-key"), 200, 200, 200, 200,
        label="unknown email confirmation key",
        check=lambda w, a, r: None if b"olivia" not in r.content else "shows the owner's address"),
    row("account_reset_password_from_key", lambda w: {"uidb36": w["reset"][0], "key": w["reset"][1]},
        302, 302, 302, OK_OR_REDIRECT),
    row("account_reset_password_from_key", lambda w: {"uidb36": w["reset"][0], "key": "bad-key"},
        200, 200, 200, 200,
        label="bad password reset key", check=_not_leaking_owner),
    # newsletter: links carry a signed token; GET never changes anything
    row("newsletter:issue-detail", args(pk=the("sent_issue")), 200, 200, 200, 200),
    row("newsletter:issue-detail", args(pk=the("draft_issue")), 404, 404, 404, 404,
        label="a draft newsletter"),
    row("newsletter:subscriber-confirm", lambda w: {"token": w["newsletter_confirm"]}, 200, 200, 200, 200),
    row("newsletter:subscriber-confirm", args(token="forged"), 400, 400, 400, 400,
        label="forged newsletter confirmation"),
    row("newsletter:unsubscribe", lambda w: {"token": w["newsletter_unsubscribe"]}, 200, 200, 200, 200),
    row("newsletter:unsubscribe", lambda w: {"token": w["newsletter_unsubscribe"][:-2] + "xx"},
        400, 400, 400, 400,
        method="post", label="forged newsletter unsubscribe"),
    row("newsletter:digest-off", lambda w: {"token": w["digest_off"]}, 200, 200, 200, 200),
    row("newsletter:digest-off", args(token="forged"), 400, 400, 400, 400,
        method="post", label="forged digest link"),
    row("admin:newsletter_issue_preview", args(object_id=the("draft_issue")),
        ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    # mentoring: programmes for the network's members, profiles for participants, a pairing and
    # its notes for the pair only, circles for their members.
    row("mentoring:programme-detail", slug_of("programme"), LOGIN, 404, 200, 200),
    row("mentoring:sign-up-about", slug_of("programme"), LOGIN, 404, 200, 200),
    row("mentoring:sign-up-goals", slug_of("programme"), LOGIN, 404, 302, 200),
    row("mentoring:sign-up-code", slug_of("programme"), LOGIN, 404, 302, 200),
    row("mentoring:mentor-list", slug_of("request_programme"), LOGIN, 404, 404, 200),
    row("mentoring:profile-detail", slug_of("programme", profile_id=the("profile")), LOGIN, 404, 200, 200),
    row("mentoring:pairing-detail", args(pairing_id=the("pairing")), LOGIN, 404, 404, 200,
        check=_no_private_note),
    row("mentoring:pairing-accept", args(pairing_id=the("pairing")), LOGIN, 404, 404, 302,
        method="post", check=_pairing_unchanged),
    row("mentoring:pairing-decline", args(pairing_id=the("pairing")), LOGIN, 405, 405, 405),
    row("mentoring:check-in-log", args(pairing_id=the("pairing")), LOGIN, 404, 404, 200),
    row("mentoring:fit-answer", args(pairing_id=the("pairing")), LOGIN, 405, 405, 405),
    row("mentoring:pairing-end", args(pairing_id=the("pairing")), LOGIN, 404, 404, 200,
        check=_no_private_note),
    row("mentoring:pairing-goals", args(pairing_id=the("pairing")), LOGIN, 404, 404, 200,
        check=_no_private_note),
    row("mentoring:feedback-give", args(pairing_id=the("pairing")), LOGIN, 404, 404, 302),
    row("mentoring:request-withdraw", args(request_id=the("mentoring_request")), LOGIN, 404, 404, 302,
        method="post", check=_request_still_waiting),
    row("mentoring:circle-ask", args(network_slug=the("scientists", "slug")), LOGIN, 404, 404, 200),
    row("mentoring:circle-detail", slug_of("circle"), LOGIN, 404, 200, 200),
    row("mentoring:circle-calendar", slug_of("circle"), LOGIN, 404, 200, 200),
    row("mentoring:circle-leave", slug_of("circle"), LOGIN, 404, 200, 200),
    row("admin:mentoring_mentoringprogramme_shortlist", args(programme_id=the("programme")),
        ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("admin:mentoring_mentoringprogramme_feedback", args(programme_id=the("programme")),
        ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("admin:mentoring_pairing_re_pair", args(pairing_id=the("pairing")),
        ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    # Staff pages outside the model admin pages.
    row("admin:networks_network_roster", args(network_id=the("scientists")),
        ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("admin:auth_user_password_change", args(id=the("owner")), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("admin:view_on_site", _network_on_site, ADMIN_LOGIN, ADMIN_LOGIN, 302, ADMIN_LOGIN,
        check=_staff_sent_to_the_networks_page),
    # after a session: materials and feedback (followup)
    row("followup:materials-manage", slug_of("held"), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("followup:material-download", slug_of("held", material_id=the("material")), LOGIN, 404, 200, 200),
    row("followup:feedback-give", slug_of("held"), LOGIN, 404, 404, 200),
    row("followup:feedback-results", slug_of("held"), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("followup:feedback-results-csv", slug_of("held"), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    row("followup:guest-feedback", slug_of("held", token="forged"), 404, 404, 404, 404),
    row("followup:guest-material-download", slug_of("held", token="forged", material_id=the("material")),
        404, 404, 404, 404),
    # The owner leads Data Leaders: its session feedback is for its leads and staff.
    row("followup:network-feedback", slug_of("leaders"), LOGIN, 404, 200, 200),
    row("followup:network-feedback", slug_of("scientists"), LOGIN, 404, 200, 404,
        label="session feedback of a network the owner belongs to but does not lead"),
    row("followup:network-feedback-csv", slug_of("leaders"), LOGIN, 404, 200, 200),
    row("admin:app_list", args(app_label="events"), ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
]
# fmt: on


# --- reading the project's URL patterns -----------------------------------------------------


def url_patterns() -> list[tuple[str, str, set[str]]]:
    """(route, name, parameter names) for every URL pattern in the project."""

    def parameters(pattern) -> set[str]:
        if hasattr(pattern, "converters") and pattern.converters:
            return set(pattern.converters)
        return set(pattern.regex.groupindex)

    def walk(patterns, prefix="", namespace="", inherited=frozenset()):
        for entry in patterns:
            params = inherited | parameters(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner, params)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), namespace + (entry.name or ""), set(params)

    return list(walk(get_resolver().url_patterns))


def _model_admin_url_names() -> set[str]:
    names = set()
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        names |= {f"{info}_change", f"{info}_delete", f"{info}_history"}
    return names


# Admin's own catch-all patterns: the object redirect (`<object_id>/` with no name) and the final
# "any other admin URL" pattern.
ADMIN_CATCH_ALL = re.compile(r"^admin/([\w]+/[\w]+/<path:object_id>/|\(\?P<url>\.\*\)\$)$")


def test_every_url_with_a_parameter_is_in_the_matrix():
    covered = {case.name for case in CASES} | _model_admin_url_names()
    missing = [
        f"{route} ({name or 'no name'})"
        for route, name, params in url_patterns()
        if params and name not in covered and not ADMIN_CATCH_ALL.match(route)
    ]
    assert not missing, "URL patterns with an id, slug or token missing from the matrix:\n" + "\n".join(
        missing
    )


# --- asking -----------------------------------------------------------------------------------


def _client(world: World, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world.people[actor])
    return client


def _matches(response, expected) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith(reverse("account_login"))
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith(reverse("admin:login"))
    if expected == OK_OR_REDIRECT:
        return response.status_code < 300 or (response.status_code == 302 and location.startswith("/"))
    return response.status_code == expected


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_visitor_gets_the_right_answer(world, case):
    url = reverse(case.name, kwargs=case.kwargs(world))
    failures = []
    for actor in ACTORS:
        response = getattr(_client(world, actor), case.method)(url)
        expected = case.expect[actor]
        if not _matches(response, expected):
            failures.append(
                f"{actor}: {case.method.upper()} {url} answered {response.status_code} "
                f"{response.get('Location', '')}, expected {expected}"
            )
        elif case.check and (problem := case.check(world, actor, response)):
            failures.append(f"{actor}: {case.method.upper()} {url}: {problem}")
    assert not failures, "\n".join(failures)


def test_model_admin_pages_of_every_object_are_for_staff_only(world):
    """Every model admin page of a real object: members and visitors are sent to the admin sign-in;
    staff see it (a delete page may be refused, for records that are never deleted)."""
    failures = []
    clients = {actor: _client(world, actor) for actor in ("anonymous", "other_member", "staff")}
    request = RequestFactory().get("/admin/")
    request.user = world.people["staff"]
    for model, model_admin in admin.site._registry.items():
        obj = model_admin.get_queryset(request).first()  # one the admin itself lists
        if obj is None:
            failures.append(f"no {model._meta.label} in the world: add one")
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for page, staff_answers in (("change", {200}), ("history", {200}), ("delete", {200, 403})):
            url = reverse(f"{info}_{page}", args=[obj.pk])
            for actor, client in clients.items():
                response = client.get(url)
                if actor == "staff":
                    ok = response.status_code in staff_answers
                else:
                    ok = _matches(response, ADMIN_LOGIN)
                if not ok:
                    failures.append(f"{actor}: {url} answered {response.status_code}")
    assert not failures, "\n".join(failures)


def test_pages_without_parameters_never_fail_and_ask_visitors_to_sign_in_where_needed(world):
    """The pages that take no parameter: nobody gets a server error, and a visitor gets either the
    page or the sign-in page (the few exceptions are listed)."""
    exceptions = {
        "benchmark-floor": 404,  # only with BENCHMARK_FLOOR on
        "benchmark-layout": 404,  # only with BENCHMARK_FLOOR on
        "healthz": None,  # 200 or 503, depending on the broker
        "events:calendar-feed-regenerate": LOGIN,
        "account_confirm_login_code": None,
        "newsletter:subscribe": 405,  # the sign-up form posts here
        "newsletter:digest-settings": LOGIN,
        "account_request_reauthentication_code": None,
        "account_confirm_reauthentication_code": None,
    }
    failures = []
    for route, name, params in url_patterns():
        if params or route.startswith("admin/"):
            continue
        url = reverse(name)
        for actor in ("anonymous", "other_member"):
            response = _client(world, actor).get(url)
            if response.status_code >= 500:
                failures.append(f"{actor}: {url} answered {response.status_code}")
            elif actor == "anonymous":
                expected = exceptions.get(name, OK_OR_REDIRECT)
                if expected is not None and not _matches(response, expected):
                    failures.append(f"anonymous: {url} answered {response.status_code}")
    for route, name, params in url_patterns():
        if (
            route.startswith("admin/")
            and not params
            and name not in ("admin:login", "admin:logout", "admin-sign-in")
        ):
            response = _client(world, "other_member").get(reverse(name))
            if not _matches(response, ADMIN_LOGIN):
                failures.append(f"member: {reverse(name)} answered {response.status_code}")
    assert not failures, "\n".join(failures)
