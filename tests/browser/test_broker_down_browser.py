"""With Redis (the broker and the cache) stopped, a member registers in Chromium and is told "You
have a place"; the confirmation arrives once Redis is started again. Real parts throughout: the
live server, a Redis of the test's own that it stops and starts, a Celery worker and beat in
their own processes, and an SMTP sink on loopback. Needs PostgreSQL (the worker reads the test
database) and redis-server: skips without them, fails in CI."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from outbox.models import Email
from tests.factories import PASSWORD, EventFactory, OrganisationFactory, UserFactory
from tests.helpers import assert_no_axe_violations
from tests.integration import conftest as integration
from tests.integration.conftest import BeatProcess, WorkerProcess, worker_env_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

# The integration tests' fixtures: a Redis of the test's own, the SMTP sink, the real servers.
own_redis, smtp_sink, real_services = integration.own_redis, integration.smtp_sink, integration.real_services


def test_registering_with_the_broker_down_gives_a_place_and_the_confirmation_follows(
    page, live_server, own_redis, smtp_sink, tmp_path
):
    camden = OrganisationFactory(name="Camden", domains=["camden.gov.uk"])
    member = UserFactory(email="nadia@camden.gov.uk", full_name="Nadia Hussain", organisation=camden)
    start = (timezone.now() + timedelta(days=12)).replace(hour=10, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Data ethics in practice",
        slug="data-ethics-in-practice",
        start=start,
        end=start + timedelta(hours=1),
        capacity=30,
    )
    env = worker_env_for(smtp_sink, own_redis)
    worker = WorkerProcess(env).start()
    beat = BeatProcess(env, tmp_path).start()  # its sweeper hands out what is owed, on a short clock
    try:
        page.goto(live_server.url + "/account/login/")
        page.get_by_label("Email address").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/account/")

        own_redis.stop()
        page.goto(f"{live_server.url}/events/{event.slug}/")
        page.get_by_role("button", name="Register").click()
        page.wait_for_url(f"**/events/{event.slug}/register/")
        started = time.monotonic()
        page.get_by_role("button", name="Confirm registration").click()
        page.wait_for_url(f"**/events/{event.slug}/registered/")
        seconds = time.monotonic() - started
        assert page.get_by_role("heading", name="You have a place").is_visible()
        assert_no_axe_violations(page)
        assert seconds < 5, f"registering took {seconds:.1f} s with the broker down"
        assert Registration.objects.get(event=event, user=member).status == Registration.Status.CONFIRMED

        confirmation = Email.objects.get(user=member, kind="events.confirmed")
        assert confirmation.state == Email.State.PENDING
        assert not smtp_sink.wait_for(1, timeout=2), "nothing can go while the broker is down"

        own_redis.start()  # back, and empty: nothing was queued while it was down
        assert smtp_sink.wait_for(1, timeout=120), "the confirmation never arrived"
        smtp_sink.wait_for(2, timeout=3)
        assert [message["To"] for message in smtp_sink.messages] == [member.email]
        assert smtp_sink.messages[0]["Subject"] == f"Your place at {event.title} is confirmed"
        confirmation.refresh_from_db()
        assert confirmation.state == Email.State.SENT
    finally:
        beat.stop()
        worker.stop()
