"""Statements for rows written on a hot path, built without the ORM's per-query machinery.

`QuerySet.bulk_create` prepares every object through the ORM's full machinery; creating an order writes
some twenty node, clock and event rows, and that preparation was most of a new order's time
(bench/lifecycle.py). Here rows go in one multi-row INSERT (`insert_rows`, SQLite's path), or, on
PostgreSQL, as one JSON parameter of a prepared statement (`json_rows`, `fetch_prepared`); values still
come from each field (`pre_save`, `get_db_prep_save` where the field would change them), so defaults,
auto_now_add and JSON behave as usual.
"""

from decimal import Decimal
from functools import cache, partial
from operator import attrgetter

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import AutoField


def insert_rows(model, objs: list) -> None:
    """Insert `objs` in one statement, when nobody needs their keys back (pre_save is applied to each,
    so auto_now_add is set on the objects too)."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField) and not f.generated]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    with connection.cursor() as cursor:
        cursor.execute(sql + ", ".join([row] * len(objs)), params)


def json_rows(model, objs: list, exclude: tuple[str, ...] = ()) -> str:
    """`objs` as a JSON array of {column: value}, for `jsonb_populate_recordset(NULL::table, %s::jsonb)`
    (PostgreSQL): a whole set of rows as one parameter, so that a hot statement's text, and its prepared
    plan, do not depend on how many rows it writes."""
    plan = _json_plan(model, exclude)
    return json_dumps([{column: get(obj) for column, get in plan} for obj in objs])


def json_row(model, obj, exclude: tuple[str, ...] = ()) -> str:
    """One object as JSON {column: value}, for `jsonb_populate_record(NULL::table, %s::jsonb)`."""
    return json_dumps({column: get(obj) for column, get in _json_plan(model, exclude)})


def json_columns(model, exclude: tuple[str, ...] = ()) -> list[str]:
    """The columns json_rows and json_row write, in their order."""
    return [column for column, _ in _json_plan(model, exclude)]


def json_dumps(value) -> str:
    """JSON for PostgreSQL to read: datetimes in ISO 8601 with their offset (orjson writes them itself,
    in C, as `datetime.isoformat` would), decimals exact."""
    return orjson.dumps(value, default=_json_default).decode()


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@cache
def _json_plan(model, exclude: tuple[str, ...]) -> list:
    plan = []
    for f in model._meta.concrete_fields:
        if isinstance(f, AutoField) or f.generated or f.name in exclude:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            get = partial(_pre_save, f)
        elif isinstance(f, _AS_JSON):
            get = attrgetter(f.attname)
        else:
            get = partial(_prep_attribute, f)
        plan.append((f.column, get))
    return plan


def _prep_attribute(field, obj):
    return field.get_db_prep_save(getattr(obj, field.attname), connection)


def _pre_save(field, obj):
    return field.pre_save(obj, True)


# Fields whose Python values go into the JSON as they are (datetimes and decimals through _json_default)
# and which PostgreSQL reads back into the column's type; any other field's value is prepared by the field.
_AS_JSON = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.DateTimeField,
    models.ForeignKey,
    models.JSONField,
)


def fetch_prepared(sql: str, params: list) -> list[tuple]:
    """Run a hot statement (one that returns rows) and return them; on PostgreSQL it is planned once per
    connection.

    Django binds parameters on the client and never prepares (its connections must work behind a
    transaction-mode pooler), so PostgreSQL parses and plans every statement again, and for the write
    path's statements planning cost more than running them. Here psycopg binds on the server and
    prepares the statement (it keeps the last 100 per connection; config/env.py sets the threshold that
    allows it). yekuo connects to PostgreSQL directly; behind a pooler in transaction mode these
    statements would have to go unprepared.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: every attribute of the `connection` proxy is a lookup
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    db.ensure_connection()
    raw = db.connection
    # The server-binding cursor is kept with the (per-thread) connection: it costs more to make than to run.
    cursor = getattr(db, "_yekuo_cursor", None)
    if cursor is None or cursor.connection is not raw or cursor.closed:
        import psycopg
        from psycopg.types.datetime import TimestamptzLoader
        from psycopg.types.json import set_json_loads

        cursor = db._yekuo_cursor = psycopg.Cursor(raw)
        # psycopg's own loader, which it runs in C; Django's subclass (for its cursors) runs in Python.
        # Both give aware datetimes for the same instants.
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        set_json_loads(orjson.loads, cursor)  # the write path reads an order's log as one json value
    with db.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()
