"""Rows read with our own SQL come back as the ORM gives the same fields, on either database."""

from datetime import date, time, timedelta

import pytest

from events.models import Event
from loti_portal.sql import by_pk, columns, execute, insert, instances, rows, table, value
from networks.models import Network
from tests.factories import EventFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def test_rows_give_the_values_the_orm_gives():
    EventFactory(title="Data Leaders", certificates_enabled=True, occurrence_date=date(2027, 3, 4))
    columns = ("title", "start", "updated_at", "occurrence_date", "certificates_enabled")
    sql = f"SELECT {', '.join(columns)} FROM {table(Event)}"
    (found,) = rows(sql, datetimes=(1, 2), dates=(3,), booleans=(4,))
    assert found == tuple(Event.objects.values_list(*columns).get())
    assert found[4] is True
    assert found[1].utcoffset() is not None


def test_value_is_the_first_column_or_none():
    assert value(f"SELECT COUNT(*) FROM {table(Event)}") == 0
    assert value(f"SELECT title FROM {table(Event)}") is None


def test_an_update_stores_what_the_orm_would_and_says_how_many_rows_it_changed():
    first, _other = EventFactory(), EventFactory()
    moment = first.start + timedelta(minutes=5)
    sql = f"UPDATE {table(Event)} SET updated_at = %s WHERE id = %s"
    assert execute(sql, [moment, first.pk]) == 1
    assert execute(sql, [moment, 0]) == 0
    assert Event.objects.get(pk=first.pk).updated_at == moment
    # Stored as the ORM stores it, so that the ORM's comparisons find it.
    assert list(Event.objects.filter(updated_at=moment)) == [first]


def test_instances_are_the_models_the_orm_builds():
    network = NetworkFactory(
        eligible_organisation_kinds=["borough", "partner"],
        cadence_week=2,
        cadence_weekday=1,
        cadence_start_time=time(10, 30),
        cadence_starts_on=date(2027, 1, 1),
        asks_seniority=True,
    )
    found = rows(f"SELECT {columns(Network, 'n')}, 41 FROM {table(Network)} n")
    (built,) = instances(Network, found, extra=("figure",))
    stored = Network.objects.get()
    for field in Network._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(stored, field.attname), field.name
    assert built.eligible_organisation_kinds == ["borough", "partner"]
    assert built.cadence_start_time == time(10, 30) and built.asks_seniority is True
    assert built.created_at.utcoffset() is not None
    assert built.figure == 41
    assert built.pk == network.pk and built.cadence_in_words == stored.cadence_in_words


def _stored(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_an_insert_stores_what_save_would():
    from django.utils import timezone

    from events.models import Registration
    from outbox.models import Email
    from tests.factories import UserFactory

    event, person = EventFactory(), UserFactory()
    before = timezone.now()
    registration = Registration(event=event, user=person, answers={"3": ["Yes", "Maybe"]}, mode="online")
    insert(registration)
    assert registration.pk is not None and not registration._state.adding
    stored = Registration.objects.get(pk=registration.pk)
    assert _stored(stored) == _stored(registration)
    assert stored.updated_at >= before  # auto_now, as save() sets it
    assert stored.answers == {"3": ["Yes", "Maybe"]}
    email = Email(kind="events.confirmed", to=person.email, user=person, data={"registration_id": 1})
    insert(email)
    assert _stored(Email.objects.get(pk=email.pk)) == _stored(email)
    assert list(Email.objects.filter(data__registration_id=1)) == [email]


def test_by_pk_is_the_instance_the_orm_gets_or_not_found():
    event = EventFactory()
    assert _stored(by_pk(Event, event.pk)) == _stored(Event.objects.get(pk=event.pk))
    assert _stored(by_pk(Event, event.pk, lock=True)) == _stored(event)
    with pytest.raises(Event.DoesNotExist):
        by_pk(Event, event.pk + 1)
