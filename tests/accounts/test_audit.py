"""The audit trail: what audit_record writes reads back as the model's fields give it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.services import audit_record
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_audit_entry_says_who_did_what_to_which_object_and_when():
    actor, event = UserFactory(), EventFactory(title="Data maturity discovery")
    before = timezone.now()
    audit_record(actor=actor, action="events.event.saved", target=event, data={"fields": ["title"], "n": 2})
    audit_record(actor=None, action="events.event.checked", target=event)

    saved, checked = AuditEntry.objects.order_by("id")
    assert (saved.actor, saved.action, saved.target_type, saved.target_id, saved.target_repr) == (
        actor,
        "events.event.saved",
        "events.event",
        str(event.pk),
        "Data maturity discovery",
    )
    assert saved.data == {"fields": ["title"], "n": 2}
    assert before <= saved.created_at <= timezone.now() + timedelta(seconds=1)
    assert (checked.actor, checked.data) == (None, {})
    # Found by the ORM's own lookups on what was written.
    assert AuditEntry.objects.filter(data__n=2, created_at__gte=before).get() == saved
