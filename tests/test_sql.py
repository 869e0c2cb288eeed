"""Rows read with our own SQL come back as the ORM gives the same fields, on either database."""

from datetime import date

import pytest

from events.models import Event
from loti_portal.sql import rows, table, value
from tests.factories import EventFactory

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
