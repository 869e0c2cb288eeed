"""Registering, the waiting list and cancelling, through the services."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Event, Invitation, Registration
from events.services import (
    RegistrationRefused,
    event_fill_from_waitlist,
    event_save,
    registration_cancel,
    registration_create,
    registration_mark_attendance,
    registration_promote,
)
from networks.models import Membership
from outbox.models import Email
from tests.factories import EventFactory, QuestionFactory, RegistrationFactory, UserFactory

from .conftest import calendar_attachment

Status = Registration.Status


def register(event, user, answers=None):
    return registration_create(event=event, user=user, answers=answers or {}, acting_user=user)


def test_free_place_confirms_and_emails_an_invitation(event, member, committed, mailoutbox):
    with committed():
        registration = register(event, member)
    assert registration.status == Status.CONFIRMED
    assert registration.waitlist_position is None
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert "is confirmed" in mailoutbox[0].subject
    calendar, mimetype = calendar_attachment(mailoutbox[0])
    assert calendar["METHOD"] == "REQUEST"
    assert "method=REQUEST" in mimetype
    assert AuditEntry.objects.filter(
        action="events.registration.confirmed", target_id=str(registration.pk)
    ).exists()


def test_full_event_puts_registrant_on_waiting_list(small_event, member, committed, mailoutbox):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    with committed():
        registration = register(small_event, member)
    assert registration.status == Status.WAITLISTED
    assert registration.waitlist_position == 1
    assert "waiting list" in mailoutbox[-1].subject
    assert "you are number 1" in mailoutbox[-1].body
    assert not [a for a in mailoutbox[-1].attachments if a.mimetype.startswith("text/calendar")]
    second = register(small_event, UserFactory())
    assert (second.status, second.waitlist_position) == (Status.WAITLISTED, 2)
    assert Registration.objects.filter(event=small_event, status=Status.CONFIRMED).count() == 2


def test_double_submit_returns_the_same_registration_and_sends_one_email(
    event, member, committed, mailoutbox
):
    with committed():
        first = register(event, member)
        second = register(event, member)
    assert first.pk == second.pk
    assert Registration.objects.filter(event=event, user=member).count() == 1
    assert len(mailoutbox) == 1


def test_database_refuses_a_second_row_for_the_same_person(event, member):
    RegistrationFactory(event=event, user=member)
    with pytest.raises(IntegrityError):
        RegistrationFactory(event=event, user=member)


def test_registering_again_after_cancelling_reuses_the_row(event, member):
    first = register(event, member)
    registration_cancel(registration=first, acting_user=member)
    again = register(event, member, {"ignored": "x"})
    assert again.pk == first.pk
    assert again.status == Status.CONFIRMED
    assert again.cancelled_at is None
    assert again.sequence == 2  # one for the cancellation, one for the new invitation


def test_answers_are_kept_for_the_events_own_questions_only(event, member):
    question = QuestionFactory(event=event)
    other = QuestionFactory(event=EventFactory())
    registration = register(
        event, member, {str(question.pk): "Commissioner", str(other.pk): "Hostel manager"}
    )
    assert registration.answers == {str(question.pk): "Commissioner"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": Event.Status.CANCELLED}, "has been cancelled"),
        ({"status": Event.Status.DRAFT}, "not open for registration"),
        ({"registration_opens": timezone.now() + timedelta(days=1)}, "Registration opens on"),
        ({"registration_closes": timezone.now() - timedelta(minutes=1)}, "Registration closed on"),
        (
            {"start": timezone.now() - timedelta(minutes=5), "end": timezone.now() + timedelta(hours=1)},
            "already started",
        ),
    ],
)
def test_closed_or_cancelled_event_refuses_and_stores_nothing(event, member, changes, message):
    Event.objects.filter(pk=event.pk).update(**changes)
    event.refresh_from_db()
    with pytest.raises(RegistrationRefused, match=message):
        register(event, member)
    assert not Registration.objects.exists()
    assert not Email.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="events.registration").exists()


def test_borough_staff_only_event_tells_a_partner_why(event, partner):
    event.audience = Event.Audience.BOROUGH_STAFF
    event.save()
    with pytest.raises(RegistrationRefused) as refused:
        register(event, partner)
    assert str(refused.value) == (
        "This event is for London borough staff only. Your account is linked to Metropolitan Police, "
        "a public-sector partner, so you cannot register."
    )
    assert not Registration.objects.exists()


def test_borough_staff_only_event_refuses_an_account_without_organisation(event):
    event.audience = Event.Audience.BOROUGH_STAFF
    event.save()
    with pytest.raises(RegistrationRefused, match="not linked to a borough"):
        register(event, UserFactory(organisation=None))


def test_borough_staff_only_event_accepts_borough_staff(event, member):
    event.audience = Event.Audience.BOROUGH_STAFF
    event.save()
    assert register(event, member).status == Status.CONFIRMED


def test_network_meeting_is_for_active_members_only(event, member, outsider, network):
    event.audience = Event.Audience.NETWORK_MEMBERS
    event.network = network
    event.save()
    Membership.objects.create(user=member, network=network, status="active", joined_at=timezone.now())
    Membership.objects.create(user=outsider, network=network, status="pending")
    assert register(event, member).status == Status.CONFIRMED
    with pytest.raises(RegistrationRefused, match="for members of Data Leaders only"):
        register(event, outsider)


def test_invitation_only_event_accepts_invited_email_in_any_case(event, member, outsider):
    event.audience = Event.Audience.INVITATION
    event.save()
    Invitation.objects.create(event=event, email=member.email.upper())
    assert register(event, member).status == Status.CONFIRMED
    with pytest.raises(RegistrationRefused, match="by invitation only"):
        register(event, outsider)


def test_cancel_promotes_the_first_person_waiting_exactly_once(small_event, member, committed, mailoutbox):
    holder = register(small_event, member)
    register(small_event, UserFactory())
    first_waiting = register(small_event, UserFactory(email="first@camden.gov.uk"))
    second_waiting = register(small_event, UserFactory(email="second@camden.gov.uk"))

    with committed():
        registration_cancel(registration=holder, acting_user=member)
        registration_cancel(registration=holder, acting_user=member)  # a second click changes nothing

    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert (first_waiting.status, first_waiting.waitlist_position) == (Status.CONFIRMED, None)
    assert first_waiting.promoted_at is not None
    assert second_waiting.status == Status.WAITLISTED
    assert Registration.objects.filter(event=small_event, status=Status.CONFIRMED).count() == 2
    assert AuditEntry.objects.filter(action="events.registration.promoted").count() == 1

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {member.email, "first@camden.gov.uk"}
    cancellation, _ = calendar_attachment(by_recipient[member.email])
    assert cancellation["METHOD"] == "CANCEL"
    invitation, _ = calendar_attachment(by_recipient["first@camden.gov.uk"])
    assert invitation["METHOD"] == "REQUEST"
    assert "it is yours" in by_recipient["first@camden.gov.uk"].subject


def test_leaving_the_waiting_list_promotes_nobody(small_event, member):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    waiting = register(small_event, member)
    behind = register(small_event, UserFactory())
    registration_cancel(registration=waiting, acting_user=member)
    behind.refresh_from_db()
    assert behind.status == Status.WAITLISTED
    assert not AuditEntry.objects.filter(action="events.registration.promoted").exists()


def test_cancelling_after_the_start_is_refused(event, member):
    registration = register(event, member)
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RegistrationRefused, match="already started"):
        registration_cancel(registration=registration, acting_user=member)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_cancellation_is_audited_with_the_person_who_did_it(event, member):
    registration = register(event, member)
    registration_cancel(registration=registration, acting_user=member)
    entry = AuditEntry.objects.get(action="events.registration.cancelled")
    assert entry.actor == member
    assert entry.data == {"event": event.slug, "had_place": True}


def test_newcomer_does_not_jump_the_queue_when_a_place_frees_up(small_event, member):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    waiting = register(small_event, UserFactory())
    # A place appears without going through the services (say, a deleted account's place).
    Registration.objects.filter(event=small_event, status=Status.CONFIRMED).first().delete()
    newcomer = register(small_event, member)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert newcomer.status == Status.WAITLISTED


def test_raising_the_capacity_gives_places_to_people_waiting(small_event, staff, committed, mailoutbox):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    waiting = [register(small_event, UserFactory()) for _ in range(3)]
    small_event.capacity = 4
    with committed():
        event_save(event=small_event, acting_user=staff)
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    assert sum("it is yours" in m.subject for m in mailoutbox) == 2


def test_staff_promote_out_of_turn_raising_a_full_events_capacity(small_event, staff):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    chosen = register(small_event, UserFactory())
    registration_promote(registration=chosen, acting_user=staff)
    small_event.refresh_from_db()
    chosen.refresh_from_db()
    assert chosen.status == Status.CONFIRMED
    assert small_event.capacity == 3
    assert AuditEntry.objects.filter(action="events.event.capacity_raised", actor=staff).exists()
    with pytest.raises(RegistrationRefused, match="not on the waiting list"):
        registration_promote(registration=chosen, acting_user=staff)


def test_fill_from_waitlist_uses_free_places_in_order(small_event, staff):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    first = register(small_event, UserFactory())
    second = register(small_event, UserFactory())
    Event.objects.filter(pk=small_event.pk).update(capacity=3)
    promoted = event_fill_from_waitlist(event=small_event, acting_user=staff)
    assert [r.pk for r in promoted] == [first.pk]
    second.refresh_from_db()
    assert second.status == Status.WAITLISTED


def test_attendance_is_marked_after_the_start_for_people_with_a_place(event, member, staff):
    registration = register(event, member)
    with pytest.raises(RegistrationRefused, match="has not started"):
        registration_mark_attendance(registration=registration, attended=True, acting_user=staff)
    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    assert registration_mark_attendance(
        registration=registration, attended=True, acting_user=staff
    ).status == (Status.ATTENDED)
    assert registration_mark_attendance(
        registration=registration, attended=False, acting_user=staff
    ).status == (Status.NO_SHOW)
    assert AuditEntry.objects.filter(action="events.registration.no_show", actor=staff).exists()


def test_attendance_cannot_be_marked_for_someone_waiting(small_event, staff):
    register(small_event, UserFactory())
    register(small_event, UserFactory())
    waiting = register(small_event, UserFactory())
    Event.objects.filter(pk=small_event.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(RegistrationRefused, match="did not have a place"):
        registration_mark_attendance(registration=waiting, attended=True, acting_user=staff)
