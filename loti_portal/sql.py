"""Reading rows with our own SQL, for the pages where building a query through the ORM costs more
than the page itself: values come back as the fields would give them, on PostgreSQL and SQLite.

The SQL is plain text with `%s` parameters; table and column names come from the models
(`table(Model)`), never from input. Who may see an event stays one rule written once as SQL
(events.visibility.visible_condition), which both these reads and the ORM's querysets use."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache, partial

from django.db import connection
from django.utils.dateparse import parse_date, parse_datetime, parse_time


def table(model) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _as_date(value):
    return parse_date(value) if isinstance(value, str) else value


def _as_bool(value):
    return value if value is None else bool(value)


def _as_time(value):
    return parse_time(value) if isinstance(value, str) else value


def _bound(params: Sequence) -> Sequence:
    """The parameters as the ORM gives them to the database in use: on SQLite, which keeps
    datetimes as UTC text, a datetime in that form (PostgreSQL takes them as they are)."""
    if connection.vendor != "sqlite":
        return params
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(param) if isinstance(param, datetime) else param for param in params]


def rows(
    sql: str,
    params: Sequence = (),
    *,
    datetimes: Iterable[int] = (),
    dates: Iterable[int] = (),
    booleans: Iterable[int] = (),
) -> list[tuple]:
    """The rows the query returns, as tuples. Datetime parameters are given as the ORM gives
    them. On SQLite, the columns at the positions given in
    `datetimes`, `dates` and `booleans` are turned into aware datetimes (UTC), dates and
    booleans, as PostgreSQL gives them already."""
    with connection.cursor() as cursor:
        cursor.execute(sql, _bound(params))
        found = cursor.fetchall()
    if connection.vendor != "sqlite" or not found:
        return found
    converters = [
        *((index, _as_datetime) for index in datetimes),
        *((index, _as_date) for index in dates),
        *((index, _as_bool) for index in booleans),
    ]
    if not converters:
        return found
    converted = []
    for row in found:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index])
        converted.append(tuple(row))
    return converted


def value(sql: str, params: Sequence = ()):
    """The first column of the first row, or None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, _bound(params))
        row = cursor.fetchone()
    return None if row is None else row[0]


def execute(sql: str, params: Sequence = ()) -> int:
    """Run one statement that gives no rows (an UPDATE); returns how many rows it changed. Values
    are parameters (datetimes as in `rows`)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, _bound(params))
        return cursor.rowcount


def by_pk(model, pk, *, lock: bool = False):
    """The instance of the model with this primary key, read with one row of our own SQL and built
    as the ORM builds it (`instances`); raises the model's DoesNotExist when there is none. `lock`:
    SELECT … FOR UPDATE, where the database has row locks (SQLite locks the whole database for a
    transaction once it writes)."""
    meta = model._meta
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    found = rows(
        f"SELECT {columns(model, 't')} FROM {table(model)} t"  # noqa: S608
        f" WHERE t.{connection.ops.quote_name(meta.pk.column)} = %s{locking}",
        [pk],
    )
    if not found:
        raise model.DoesNotExist(f"{meta.object_name} matching query does not exist.")
    return instances(model, found)[0]


@cache
def _insert_sql(model, vendor: str) -> tuple[str, list, bool]:
    """The INSERT of a new row of the model for the database in use, the fields it takes in order,
    and whether it gives back the new primary key (RETURNING); worked out once per model."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    holes = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({holes})"  # noqa: S608
    returning = connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    return sql, fields, returning


def insert(instance) -> None:
    """Save a new instance (its primary key an automatic one, not set yet) as the ORM's save()
    inserts it: each field's pre_save (auto_now and the like), its value prepared for the
    database, one INSERT; then its primary key is set and it counts as saved. Only for models
    whose save() does nothing more and that no signal receiver watches."""
    model = type(instance)
    sql, fields, returning = _insert_sql(model, connection.vendor)
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    setattr(instance, model._meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = connection.alias


# What SQLite gives as text or integers and PostgreSQL as typed values, by the fields' types.
_SQLITE_CONVERTERS = {
    "DateTimeField": _as_datetime,
    "DateField": _as_date,
    "TimeField": _as_time,
    "BooleanField": _as_bool,
}


@cache
def _fields(model, vendor: str) -> tuple[list[str], list[str], list]:
    """The model's concrete fields as `columns` and `instances` use them, worked out once per
    model and database: quoted column names, attribute names, and (position, converter) pairs."""
    quoted, names, converters = [], [], []
    for index, field in enumerate(model._meta.concrete_fields):
        quoted.append(connection.ops.quote_name(field.column))
        names.append(field.attname)
        kind = field.get_internal_type()
        if kind == "JSONField":
            converters.append((index, partial(_from_json, field)))
        elif vendor == "sqlite" and kind in _SQLITE_CONVERTERS:
            converters.append((index, _SQLITE_CONVERTERS[kind]))
        elif kind == "DecimalField":
            raise TypeError(f"sql.instances does not convert {model.__name__}.{field.name} (a DecimalField)")
    return quoted, names, converters


def _from_json(field, value):
    return field.from_db_value(value, None, connection)


def columns(model, alias: str) -> str:
    """Every column of the model on the table named `alias`, in the order `instances` takes them."""
    return ", ".join(f"{alias}.{column}" for column in _fields(model, connection.vendor)[0])


def instances(model, found: Sequence[tuple], *, extra: Sequence[str] = ()) -> list:
    """Instances of the model, as the ORM builds them (Model.from_db), from rows that start with
    `columns(model, ...)`; the values after them are set as the attributes named in `extra` (an
    aggregate, say), as they are. Fields of a type neither database gives as Python wants it
    (JSON, and on SQLite times, dates, datetimes and booleans) are converted as the ORM would.
    Each call builds new instances: never keep them beyond the request."""
    _quoted, names, converters = _fields(model, connection.vendor)
    width = len(names)
    built = []
    for row in found:
        values = list(row[:width])
        for index, convert in converters:
            values[index] = convert(values[index])
        instance = model.from_db(connection.alias, names, values)
        for name, extra_value in zip(extra, row[width:], strict=True):
            setattr(instance, name, extra_value)
        built.append(instance)
    return built


__all__ = ["by_pk", "columns", "execute", "insert", "instances", "rows", "table", "value"]
