from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from mentoring import services
from mentoring.emails import KINDS, mentoring_email_build
from mentoring.models import CircleMeeting, Pairing, PeerCircle
from outbox.kinds import kind_get, kind_label

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_mentoring_email_renders_in_text_and_html(kind, programme, mentee, mentors):
    services.request_create(programme=programme, mentee=mentee.user, mentor_ids=[mentors[0].user_id])
    pairing = services.pairing_accept(pairing=Pairing.objects.get(), acting_user=mentors[0].user)
    pairing.end_reason = "Moving to a new role"
    circle = PeerCircle.objects.create(
        network=programme.network,
        name="Tuesday circle",
        slug="tuesday-circle",
        cadence_week=1,
        cadence_weekday=1,
        cadence_start_time=time(12, 30),
        cadence_starts_on=date(2026, 1, 1),
        meeting_online_url="https://meet.example/tuesday",
    )
    meeting = CircleMeeting.objects.create(
        circle=circle,
        occurrence_date=date(2026, 6, 2),
        start=datetime(2026, 6, 2, 12, 30, tzinfo=LONDON),
        end=datetime(2026, 6, 2, 13, 30, tzinfo=LONDON),
    )
    context = {
        "person": mentee.user,
        "other": mentors[0].user,
        "pairing": pairing,
        "programme": programme,
        "about": meeting if "circle" in kind else pairing,
        "circle": circle,
        "your_mentoring_url": absolute_url(reverse("mentoring:yours")),
    }
    template = "mentoring-" + kind.removeprefix("mentoring.").replace("_", "-")
    message = email_build(template=template, to=[mentee.user.email], context=context)
    html = message.alternatives[0][0]
    assert message.subject and "\n" not in message.subject
    assert message.body.startswith("Hello Mina Mentee,")
    assert "Hello Mina Mentee," in html
    assert "{{" not in message.body and "{%" not in html
    assert "LOTI networks team" in message.body


def test_every_mentoring_kind_is_written_by_the_outbox_at_send_time():
    for kind, (label, _applies) in KINDS.items():
        assert kind_get(kind).build is mentoring_email_build
        assert kind_label(kind) == label


def test_an_unknown_kind_is_refused(mentee):
    from mentoring.emails import mentoring_email_enqueue

    with pytest.raises(ValueError, match="Unknown mentoring email kind"):
        mentoring_email_enqueue(
            kind="mentoring.nope", user=mentee.user, about=mentee, context_ids={}, dedup_key=None
        )
