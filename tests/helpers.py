"""Shared test helpers: real-service requirements and accessibility checks."""

import os
import shutil

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
