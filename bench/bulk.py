"""Loading the benchmark's rows fast: COPY on PostgreSQL (bulk_create elsewhere), each value
prepared by its field as a save would, and the tables analysed afterwards as autovacuum would."""

from datetime import datetime

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

# Values Django's own fields hand to the database unchanged, whatever the value of that type (for
# datetimes, aware ones only: a naive one is made aware). A value of one of these types that came
# back unchanged from a field once is passed straight on for the rest of the rows.
_PLAIN_TYPES = (int, str, bool, type(None), datetime)


def _preparer(field, connection):
    """A function making a row's value for `field` ready for COPY, as `field.get_db_prep_save`
    does, but without calling it again for types it has handed back unchanged once (what costs
    the time in 100,000 rows is the field's preparation, not the copy)."""
    prepare = field.get_db_prep_save
    if not type(field).__module__.startswith("django."):
        return lambda value: prepare(value, connection)
    unchanged = set()

    def ready(value):
        kind = type(value)
        key = (kind, value.tzinfo is None) if kind is datetime else kind
        if key in unchanged:
            return value
        prepared = prepare(value, connection)
        if prepared is value and issubclass(kind, _PLAIN_TYPES) and key != (datetime, True):
            unchanged.add(key)
        return prepared

    return ready


def insert_rows(model, rows, *, batch_rows: int = 50_000) -> int:
    """Insert plain rows ({attname: value}) fast: COPY on PostgreSQL, bulk_create elsewhere.

    Fields a row leaves out take their model default (auto_now fields take now), so rows need
    only the fields that matter to the benchmark. Each value is prepared by its field as a save
    would. Rows go through psycopg's COPY in one statement per `batch_rows`. Returns the number
    of rows written.
    """
    rows = list(rows)
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return len(rows)
    # The connection itself, not the thread-local proxy: it is looked up for every value.
    database = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = database.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default() or f.null:
            defaults[f.attname] = f.get_default()
        elif f.empty_strings_allowed:
            defaults[f.attname] = ""
    required = [f.attname for f in fields if f.attname not in defaults]
    for row in rows:
        missing = [name for name in required if name not in row]
        if missing:
            raise ValueError(
                f"{model.__name__} has required fields without a default that the benchmark dataset "
                f"does not fill: {', '.join(missing)}. Add them to bench/dataset.py."
            )
    # A default the row leaves out is prepared once for all rows (a callable default, such as a
    # JSON field's dict, gives every row the same value, as it would new instances).
    preparers = [_preparer(f, database) for f in fields]
    prepared_defaults = {
        f.attname: f.get_db_prep_save(defaults[f.attname], database) for f in fields if f.attname in defaults
    }
    plan = list(zip([f.attname for f in fields], preparers, strict=True))
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with database.cursor() as cursor:
        for first in range(0, len(rows), batch_rows):
            with cursor.copy(statement) as copy:
                for row in rows[first : first + batch_rows]:
                    copy.write_row(
                        [ready(row[name]) if name in row else prepared_defaults[name] for name, ready in plan]
                    )
    return len(rows)


def analyse(models=None) -> None:
    """Vacuum and refresh the planner's statistics of the portal's tables (or of `models`), as
    autovacuum would a little after a bulk load on a real server (its visibility map lets counts
    read the index alone)."""
    if connection.vendor != "postgresql":
        return
    if models is None:
        models = [
            model
            for model in apps.get_models()
            if model._meta.app_label in ("accounts", "networks", "events") and not model._meta.proxy
        ]
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
