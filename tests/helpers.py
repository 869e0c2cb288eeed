"""Shared test helpers: real-service requirements and accessibility checks."""

import os
import shutil
from html.parser import HTMLParser

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def session_queries() -> int:
    """Queries a signed-in request runs to load its session: none when sessions are cached (in
    Redis), one when they are read from the database."""
    from django.conf import settings

    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def open_event_for(user):
    """An upcoming published event that `user` may register for now (one exists in the demo data)."""
    from django.utils import timezone

    from events.models import Event
    from events.selectors import registration_refusal_reason

    return next(
        event
        for event in Event.objects.filter(status=Event.Status.PUBLISHED, start__gt=timezone.now())
        if registration_refusal_reason(event=event, user=user) is None
    )


def need(condition: bool, reason: str) -> None:
    """Skip a test whose real service is missing, except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def assert_no_axe_violations(page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page and fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
        },
    )
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n" + "\n".join(details)


class AdminForm(HTMLParser):
    """What a browser submits from the admin's form: checked boxes as "on", every chosen option
    of a multiple select, the text of each textarea."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select, self._multiple, self._textarea = None, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        name = attrs.get("name")
        if not self.inside:
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button") or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            self.data[name] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._multiple = name, "multiple" in attrs
            self.data.setdefault(name, [] if self._multiple else "")
        elif tag == "option" and self._select and "selected" in attrs:
            value = attrs.get("value", "")
            if self._multiple:
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n")


def page_html(client, url) -> str:
    """The page at `url` as the client sees it, which must be drawn (200)."""
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def admin_form_data(client, url, form_id) -> dict:
    """What the admin's form at `url` submits unchanged."""
    parser = AdminForm(form_id)
    parser.feed(page_html(client, url))
    return parser.data


def admin_post_change(client, model, obj, form_id, **changes):
    """Save `obj` through its admin change form (`model` as in "events_event"), with `changes`."""
    from django.urls import reverse

    url = reverse(f"admin:{model}_change", args=[obj.pk])
    response = client.post(url, {**admin_form_data(client, url, form_id), **changes})
    assert response.status_code == 302, response.content.decode()[:3000]


def admin_run_action(client, model, action, rows, **extra):
    """Run an admin action on `rows` from the model's list (delete_selected with post="yes")."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.urls import reverse

    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [row.pk for row in rows], **extra},
    )
    assert response.status_code in (200, 302)
    return response
