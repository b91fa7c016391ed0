"""The write path's reads and writes of one order, as plain SQL through Django's cursor, the same on SQLite
and PostgreSQL.

An action (`services.apply_events`) reads the order (with its branch, company and the two tokens that say
whether the cached regulation spec and work table are current) and its event log: one statement. It then
writes, in one transaction, the order's projected fields guarded by its event count, the new events, and the
node, clock and suspension rows that changed. The guard is optimistic concurrency: when another action came
first, the guarded UPDATE matches nothing, nothing is written and the action is folded again on the new log.

Why SQL and not the ORM's query builder: building the same statements through QuerySets (`select_related`,
`annotate(Subquery)`, `update()`, `bulk_create`) cost about 3.7 ms of Python per action on the CI machine,
ten times the statements' own Python, and kept P2 out of reach (bench/RESULTS.md, 2026-12-02). The SQL
here is written once for both databases (only the name of the JSON aggregate that gathers the log differs,
chosen per vendor inside the one statement), the column lists come from the models' `_meta`, each value
passes through its model field (`pre_save`, `get_db_prep_save`; when reading, the converters the ORM would
apply, then `Model.from_db`), so a new field needs no code here, and every statement goes through Django's
cursor: query logging, `django_assert_num_queries` and an operator's database instrumentation see all of
them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from yekuo.accounts.models import Branch, Company
from yekuo.orders.due import DUE_FIELDS
from yekuo.orders.models import Clock, NodeInstance, OrderCounter, OrderEvent, Suspension, WorkOrder
from yekuo.orders.projection import Event
from yekuo.regulations.models import Regulation
from yekuo.workcal.models import CalendarRevision

ORDER_FIELDS = ("status", "received_at", "closed_at", "low_risk", "event_count", *DUE_FIELDS)


@dataclass
class Read:
    order: WorkOrder  # with .branch and .branch.company loaded
    events: list[Event]
    regulation_checksum: str | None  # None: the order's regulation is not loaded
    calendar_token: str


def _name(model, field: str | None = None) -> str:
    """The quoted table of `model`, or the quoted column of its field (by name or attname)."""
    meta = model._meta
    return connection.ops.quote_name(meta.db_table if field is None else meta.get_field(field).column)


# The events' aggregate is the one part of the read that SQL does not spell alike on both databases: the
# function that gathers rows into one JSON array (the same job, as Django's own functions do per vendor).
_JSON_ROWS = {
    "postgresql": "json_agg(json_build_array({}))",
    "sqlite": "json_group_array(json_array({}))",
}
_JSON_PAYLOAD = {"postgresql": "e.{}", "sqlite": "json(e.{})"}  # SQLite keeps JSON as text: embed it as JSON


@cache
def _read_plan(vendor: str) -> tuple[str, list]:
    """The SELECT of an order with its branch, company, regulation checksum, calendar token and log, and the
    models whose rows it returns, each as (model, field names, converters)."""
    db = _db()
    models, columns = [], []
    for model, alias in ((WorkOrder, "o"), (Branch, "b"), (Company, "c")):
        fields = model._meta.concrete_fields
        columns += [f"{alias}.{_name(model, f.attname)}" for f in fields]
        converters = []
        for f in fields:
            # What the ORM applies to a column read (SQLCompiler.get_converters): the backend's, then the field's.
            col = f.get_col(model._meta.db_table)
            found = db.ops.get_db_converters(col) + col.get_db_converters(db)
            converters.append((col, found) if found else None)
        models.append((model, [f.attname for f in fields], converters))
    event = ", ".join(
        [f"e.{_name(OrderEvent, f)}" for f in ("type", "occurred_at")]
        + [_JSON_PAYLOAD[vendor].format(_name(OrderEvent, "payload")), f"e.{_name(OrderEvent, 'seq')}"]
    )
    sql = (
        f"SELECT {', '.join(columns)}, "
        f"(SELECT r.{_name(Regulation, 'checksum')} FROM {_name(Regulation)} r "
        f"WHERE r.{_name(Regulation, 'code')} = o.{_name(WorkOrder, 'regulation_code')}), "
        f"(SELECT v.{_name(CalendarRevision, 'token')} FROM {_name(CalendarRevision)} v WHERE v.id = 1), "
        f"(SELECT {_JSON_ROWS[vendor].format(event)} FROM {_name(OrderEvent)} e "
        f"WHERE e.{_name(OrderEvent, 'order')} = o.id) "
        f"FROM {_name(WorkOrder)} o JOIN {_name(Branch)} b ON b.id = o.{_name(WorkOrder, 'branch')} "
        f"JOIN {_name(Company)} c ON c.id = b.{_name(Branch, 'company')} WHERE o.id = %s"
    )
    return sql, models


def read_order(pk: int) -> Read:
    """The order (with its branch and company), its log and the cache tokens, in one statement. Raises
    WorkOrder.DoesNotExist.

    Each column passes through the converters the ORM would apply (`Model.from_db` then builds the
    instances, as a QuerySet does); the log comes as one JSON array, so the order's columns are sent once.
    Nothing is locked: `write_changes` writes only if the order still has the events read here.
    """
    db = _db()
    sql, models = _read_plan(db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise WorkOrder.DoesNotExist(f"no work order {pk}")
    instances, start = [], 0
    for model, names, converters in models:
        values = list(row[start : start + len(names)])
        for i, conversion in enumerate(converters):
            if conversion is not None:
                col, functions = conversion
                for function in functions:
                    values[i] = function(values[i], col, db)
        instances.append(model.from_db(db.alias, names, values))
        start += len(names)
    order, branch, company = instances
    branch.company = company
    order.branch = branch
    checksum, token, log = row[start:]
    return Read(order, _events(log), checksum, token or "")


def _events(log) -> list[Event]:
    """The log's JSON array of [type, occurred_at, payload, seq] as Events in sequence order."""
    if log is None:
        return []
    rows = json.loads(log) if isinstance(log, str) else log  # psycopg parses `json`; sqlite3 returns text
    events = []
    for kind, at, payload, seq in rows:
        at = datetime.fromisoformat(at)  # PostgreSQL writes the offset; SQLite stores UTC without it
        events.append(Event(kind, at if at.tzinfo else at.replace(tzinfo=UTC), payload, seq))
    events.sort(key=lambda e: e.seq)
    return events


@cache
def _events_sql(vendor: str) -> str:
    columns = ", ".join(_name(OrderEvent, f) for f in ("type", "occurred_at", "payload", "seq"))
    return f"SELECT {columns} FROM {_name(OrderEvent)} WHERE {_name(OrderEvent, 'order')} = %s ORDER BY 4"


def events_of(order_id: int) -> list[Event]:
    """The order's log in sequence order, as the fold takes it."""
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(_events_sql(db.vendor), [order_id])
        rows = cursor.fetchall()
    # A plain cursor returns JSON as text on both databases, and SQLite's datetimes without their zone (UTC).
    return [
        Event(kind, at if at.tzinfo else at.replace(tzinfo=UTC), json.loads(payload), seq)
        for kind, at, payload, seq in rows
    ]


def _db():
    """The connection of this thread (`django.db.connection` looks it up on every attribute)."""
    return connections[DEFAULT_DB_ALIAS]


def _prepared(db, model, values: dict) -> list:
    """`values` (by field name or attname) as the database takes them, through each model field."""
    meta = model._meta
    return [meta.get_field(name).get_db_prep_save(value, db) for name, value in values.items()]


@cache
def _update_sql(vendor: str, model, names: tuple[str, ...], keys: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{_name(model, name)} = %s" for name in names)
    where = " AND ".join(f"{_name(model, key)} = %s" for key in keys)
    return f"UPDATE {_name(model)} SET {assignments} WHERE {where}"


@cache
def _update_many_sql(vendor: str, model, names: tuple[str, ...], rows: int) -> str:
    """One UPDATE of `rows` rows of an order, each named by code, from a VALUES list (its columns are
    column1, column2, … on both databases). PostgreSQL types a VALUES column from its first row, so each value
    is cast to its field's type there, as Django's `bulk_update` does (`requires_casted_case_in_updates`);
    SQLite must not cast (CAST to a date type would make a number of a date)."""
    db = _db()
    table = _name(model)
    casts = [
        f"CAST(%s AS {model._meta.get_field(name).cast_db_type(db)})"
        if db.features.requires_casted_case_in_updates
        else "%s"
        for name in names
    ]
    row = "(" + ", ".join(["%s", *casts]) + ")"
    assignments = ", ".join(f"{_name(model, name)} = v.column{i}" for i, name in enumerate(names, start=2))
    return (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * rows)}) AS v "
        f"WHERE {table}.{_name(model, 'order')} = %s AND {table}.{_name(model, 'code')} = v.column1"
    )


def _update_rows(cursor, model, values_by_code: dict[str, dict], order_id: int) -> None:
    """UPDATE the rows of the order named by code, each with its values: one statement for all of them
    (every row of one call changes the same fields)."""
    if not values_by_code:
        return
    db = cursor.db
    names = tuple(next(iter(values_by_code.values())))
    sql = _update_many_sql(db.vendor, model, names, len(values_by_code))
    params = [value for code, values in values_by_code.items() for value in (code, *_prepared(db, model, values))]
    cursor.execute(sql, [*params, order_id])


@cache
def _insert_sql(vendor: str, model, rows: int) -> tuple[str, list]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(_name(model, f.attname) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    return f"INSERT INTO {_name(model)} ({columns}) VALUES {values} RETURNING {_name(model, 'id')}", fields


def insert_rows(cursor, objs: list) -> None:
    """INSERT new model objects of one model (defaults and field conversions by each field, as `save()`
    does) and set their ids: one statement per 500 rows, through `cursor` (Django's, of the write's
    transaction: one cursor serves all the statements of a write)."""
    if not objs:
        return
    db, model = cursor.db, type(objs[0])
    for start in range(0, len(objs), 500):
        chunk = objs[start : start + 500]
        sql, fields = _insert_sql(db.vendor, model, len(chunk))
        params = [f.get_db_prep_save(f.pre_save(obj, add=True), db) for obj in chunk for f in fields]
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, db.alias


def write_changes(
    order: WorkOrder, expected: int, events: list[OrderEvent], nodes: dict, clocks: dict, suspensions: dict
) -> bool:
    """Write an action's changes if the order still has `expected` events; False, with nothing written,
    when another action came first (the caller reads and folds again).

    Updates the order's projected fields first (the guarded UPDATE takes the order's row lock, so a
    concurrent action waits for this one and then matches nothing), then inserts `events` (their ids are
    set), updates the changed node and clock rows (values by code) and writes the changed suspensions
    (values by position). All in one transaction: an action is written whole or not at all.
    """
    db = _db()
    with transaction.atomic(), db.cursor() as cursor:
        sql = _update_sql(db.vendor, WorkOrder, ORDER_FIELDS, ("id", "event_count"))
        params = [*_prepared(db, WorkOrder, {name: getattr(order, name) for name in ORDER_FIELDS}), order.pk, expected]
        cursor.execute(sql, params)
        if not cursor.rowcount:
            return False
        insert_rows(cursor, events)
        _update_rows(cursor, NodeInstance, nodes, order.pk)
        _update_rows(cursor, Clock, clocks, order.pk)
        for position, values in suspensions.items():
            # A new suspension has no evidence file yet: order_suspend saves it after the event.
            if not Suspension.objects.filter(order=order, position=position).update(**values):
                Suspension.objects.create(order=order, position=position, **values)
    return True


# ------------------------------------------------------------------------------------------ a new order
@cache
def _refs_sql(vendor: str) -> str:
    effective = _name(Regulation, "effective_from")
    return (
        f"SELECT r.{_name(Regulation, 'code')}, r.{_name(Regulation, 'checksum')}, "
        f"(SELECT v.{_name(CalendarRevision, 'token')} FROM {_name(CalendarRevision)} v WHERE v.id = 1) "
        f"FROM {_name(Regulation)} r WHERE r.{effective} <= %s ORDER BY r.{effective} DESC LIMIT 1"
    )


def creation_refs(on: date) -> tuple[str, str, str] | None:
    """(code, checksum) of the regulation in force on `on` (R14) and the calendar revision token, in one
    query; None when no regulation is in force (the caller asks the selector for the full error)."""
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(_refs_sql(db.vendor), _prepared(db, Regulation, {"effective_from": on}))
        row = cursor.fetchone()
    return (row[0], row[1], row[2] or "") if row else None


def insert_order(order: WorkOrder, children: list[tuple[type, list]]) -> None:
    """Insert a new order, numbered YK + year + month + the month's next number (local time), with its
    rows (`children`: (model, unsaved objects), each object's order set here), in one transaction; sets
    order.pk and order.number.

    The number is taken first, in its own statement: the counter's row lock is then held for that statement
    only, not through the order's inserts, so concurrent creations do not queue behind each other (a
    creation that fails after it leaves a gap in the month's numbers). A concurrent use of the same
    idempotency key fails on the unique index, and nothing of the order is written.
    """
    period = timezone.localtime(order.created_at).strftime("%Y%m")
    order.number = f"YK{period}{next_number(period):04d}"
    with transaction.atomic(), _db().cursor() as cursor:
        insert_rows(cursor, [order])
        for _, objs in children:
            for obj in objs:
                obj.order = order
            insert_rows(cursor, objs)


def next_number(period: str) -> int:
    """The month's next order number, atomically: one upsert that returns the new value.

    The ORM has no update-and-return of a counter, so this is one statement through Django's cursor;
    `INSERT … ON CONFLICT … RETURNING` is the same on PostgreSQL and SQLite (3.35 and later).
    """
    counter = connection.ops.quote_name(OrderCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counter} (period, value) VALUES (%s, 1) "
            f"ON CONFLICT (period) DO UPDATE SET value = {counter}.value + 1 RETURNING value",
            [period],
        )
        return cursor.fetchone()[0]


def key_recorded(idempotency_key: str) -> bool:
    """Is an event recorded with this idempotency key? One read of the key's unique index."""
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {_name(OrderEvent)} WHERE {_name(OrderEvent, 'idempotency_key')} = %s", [idempotency_key]
        )
        return cursor.fetchone() is not None
