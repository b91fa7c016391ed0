"""The write path's reads and writes of one order, in as few statements as the database allows.

An action (`services.apply_events`) needs the order, its event log, and the two tokens that say whether
the cached regulation spec and work table are current; it then writes the new events, the changed node,
clock and suspension rows and the order row. Through the ORM that was ten statements in a transaction,
and building them was most of an action's time (bench/lifecycle.py; docs/architecture.md "Measured cost").

On PostgreSQL it is one SELECT with the log and the tokens as subqueries, and one statement whose
data-modifying CTEs do every write, guarded by the order's event count (optimistic concurrency: after a
concurrent action the write matches nothing, and the action is folded again on the new log). A new order
is one statement too. SQLite (the embedded default, one writer at a time) takes the same values through
the ORM in a transaction: there, simplicity beats a few hundred microseconds.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone

from yekuo.accounts.models import Branch, Company
from yekuo.common.db import (
    fetch_prepared,
    insert_rows,
    json_columns,
    json_dumps,
    json_row,
    json_rows,
    json_values,
    postgresql,
)
from yekuo.orders.due import DUE_FIELDS
from yekuo.orders.models import Clock, NodeInstance, OrderCounter, OrderEvent, Suspension, WorkOrder
from yekuo.orders.projection import Event
from yekuo.regulations.models import Regulation
from yekuo.workcal.models import CalendarRevision

ORDER_FIELDS = ("status", "received_at", "closed_at", "low_risk", "event_count", *DUE_FIELDS)


def one_write():
    """The transaction an action's write needs: none on PostgreSQL, where `write_changes` and
    `insert_order` write in one statement (its own transaction); one on SQLite, where they take several."""
    return nullcontext() if postgresql() else transaction.atomic()


@dataclass
class Read:
    order: WorkOrder  # with .branch and .branch.company loaded
    events: list[Event]
    regulation_checksum: str | None  # None: the order's regulation is not loaded
    calendar_token: str


def events_of(order_id: int) -> list[Event]:
    rows = (
        OrderEvent.objects.filter(order_id=order_id)
        .order_by("seq")
        .values_list("type", "occurred_at", "payload", "seq")
    )
    return [Event(t, at, payload, seq) for t, at, payload, seq in rows]


def read_order(pk: int) -> Read:
    """The order, its log and the cache tokens, as of one moment. Raises WorkOrder.DoesNotExist.

    Nothing is locked: `write_changes` writes only if the order still has the events read here.
    """
    if not postgresql():
        order = WorkOrder.objects.select_related("branch__company").get(pk=pk)
        checksum = Regulation.objects.filter(code=order.regulation_code).values_list("checksum", flat=True).first()
        token = CalendarRevision.objects.filter(id=1).values_list("token", flat=True).first() or ""
        return Read(order, events_of(pk), checksum, token)
    rows = fetch_prepared(_read_sql(), [pk])
    if not rows:
        raise WorkOrder.DoesNotExist(f"no work order {pk}")
    row = rows[0]
    k = _WIDTHS[0]
    order = WorkOrder.from_db(DEFAULT_DB_ALIAS, None, row[:k])
    order.branch = _branch(DEFAULT_DB_ALIAS, row[k : k + _WIDTHS[1] + _WIDTHS[2]])
    checksum, token, log = row[k + _WIDTHS[1] + _WIDTHS[2] :]
    if isinstance(log, str):
        log = json.loads(log)
    events = [Event(t, datetime.fromisoformat(at), payload, seq) for t, at, payload, seq in log or ()]
    return Read(order, events, checksum, token or "")


_READ_MODELS = (WorkOrder, Branch, Company)
_WIDTHS = tuple(len(model._meta.concrete_fields) for model in _READ_MODELS)
_branches: dict[tuple, Branch] = {}


def _branch(alias: str, values: tuple) -> Branch:
    """The Branch (with its Company) of these column values, made once per process for each distinct row:
    every action reads its order's branch, and a company has a handful. Keyed by every column of both rows,
    so a renamed or moved branch is a new entry; the write path only reads these objects."""
    try:
        branch = _branches.get(values)
    except TypeError:  # a column whose value cannot be a key (a JSON field, one day): made every time
        return _make_branch(alias, values)
    if branch is None:
        if len(_branches) > 1000:
            _branches.clear()
        branch = _branches[values] = _make_branch(alias, values)
    return branch


def _make_branch(alias: str, values: tuple) -> Branch:
    branch = Branch.from_db(alias, None, values[: _WIDTHS[1]])
    branch.company = Company.from_db(alias, None, values[_WIDTHS[1] :])
    return branch


@cache
def _read_sql() -> str:
    qn = connection.ops.quote_name
    aliases = ("o", "b", "c")
    columns = ", ".join(
        f"{alias}.{qn(f.column)}" for alias, model in zip(aliases, _READ_MODELS, strict=True)
        for f in model._meta.concrete_fields
    )  # fmt: skip
    table = {m: qn(m._meta.db_table) for m in (*_READ_MODELS, Regulation, CalendarRevision, OrderEvent)}
    return (
        f"SELECT {columns}, "
        f"(SELECT r.checksum FROM {table[Regulation]} r WHERE r.code = o.regulation_code), "
        f"(SELECT v.token FROM {table[CalendarRevision]} v WHERE v.id = 1), "
        f"(SELECT json_agg(json_build_array(e.type, e.occurred_at, e.payload, e.seq) ORDER BY e.seq) "
        f"FROM {table[OrderEvent]} e WHERE e.order_id = o.id) "
        f"FROM {table[WorkOrder]} o JOIN {table[Branch]} b ON b.id = o.branch_id "
        f"JOIN {table[Company]} c ON c.id = b.company_id WHERE o.id = %s"
    )


def write_changes(
    order: WorkOrder, expected: int, events: list[OrderEvent], nodes: dict, clocks: dict, suspensions: dict
) -> bool:
    """Write an action's changes if the order still has `expected` events; False, with nothing written,
    when another action came first (the caller reads and folds again).

    Inserts `events` (their ids are set), updates the changed node and clock rows (values by code),
    upserts the changed suspensions (values by position) and the order's projected fields. On PostgreSQL
    this is one statement, its own transaction: every write hangs on the order's guarded UPDATE, so an
    action is written whole or not at all, with no BEGIN or COMMIT round trips.
    """
    if not postgresql():
        fields = {name: getattr(order, name) for name in ORDER_FIELDS}
        if not WorkOrder.objects.filter(pk=order.pk, event_count=expected).update(**fields):
            return False
        OrderEvent.objects.bulk_create(events)
        for model, values_by_code in ((NodeInstance, nodes), (Clock, clocks)):
            for code, values in values_by_code.items():
                model.objects.filter(order=order, code=code).update(**values)
        for position, values in suspensions.items():
            Suspension.objects.update_or_create(order=order, position=position, defaults=values)
        return True
    # The rows travel as JSON, one parameter a table, so the statement's text depends only on which tables
    # the action touches (at most eight texts): each is prepared once per connection and psycopg never
    # re-parses it. A table with nothing to write is left out of the statement: each one it names is
    # opened and locked with all its indexes, written or not.
    params = [*(getattr(order, name) for name in ORDER_FIELDS), order.pk, expected]
    params.append(json_rows(OrderEvent, events, exclude=("order",)))
    if nodes:
        params.append(json_dumps([{"code": code, **values} for code, values in nodes.items()]))
    if clocks:
        params.append(json_dumps([{"code": code, **values} for code, values in clocks.items()]))
    if suspensions:
        params.append(json_dumps([{"position": position, **values} for position, values in suspensions.items()]))
    rows = fetch_prepared(_write_sql(bool(nodes), bool(clocks), bool(suspensions)), params)
    if not rows:
        return False
    for event, pk in zip(events, rows[0][0] or (), strict=True):
        event.pk = pk
    return True


@cache
def _write_sql(nodes: bool, clocks: bool, suspensions: bool) -> str:
    qn = connection.ops.quote_name
    events = ", ".join(qn(column) for column in json_columns(OrderEvent, ("order",)))
    order_fields = ", ".join(f"{qn(WorkOrder._meta.get_field(name).column)} = %s" for name in ORDER_FIELDS)
    ctes = [
        f"o AS (UPDATE {_table(WorkOrder)} SET {order_fields} WHERE id = %s AND event_count = %s RETURNING id)",
        f"e AS (INSERT INTO {_table(OrderEvent)} (order_id, {events}) SELECT o.id, {events} "
        f"FROM o, jsonb_populate_recordset(NULL::{_table(OrderEvent)}, %s::jsonb) RETURNING id, seq)",
    ]
    if nodes:
        ctes.append(f"n AS ({_update_by_code(NodeInstance, ('state', 'ready_at', 'completed_at', 'assignee'))})")
    if clocks:
        ctes.append(f"c AS ({_update_by_code(Clock, CLOCK_COLUMNS)})")
    if suspensions:
        kept = ("reason_id", "evidence_note", "started_at", "ended_at", "review", "review_reasons")
        columns = ", ".join(qn(c) for c in ("position", *kept))
        # A new suspension has no evidence file yet: order_suspend saves it after the event.
        ctes.append(
            f"s AS (INSERT INTO {_table(Suspension)} (order_id, evidence_file, {columns}) SELECT o.id, '', {columns} "
            f"FROM o, jsonb_populate_recordset(NULL::{_table(Suspension)}, %s::jsonb) ON CONFLICT (order_id, position) "
            f"DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in map(qn, kept))})"
        )
    return f"WITH {', '.join(ctes)} SELECT (SELECT array_agg(id ORDER BY seq) FROM e) FROM o"


# The clock columns an action changes (services.CLOCK_FIELDS).
CLOCK_COLUMNS = (
    "state", "limit_days", "condition_pending", "requested_at", "started_at", "completed_at", "deadline_at",
    "warn_at", "budget_seconds", "pauses", "provisional",
)  # fmt: skip


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _update_by_code(model, names: tuple[str, ...]) -> str:
    """UPDATE of the order's (CTE o) rows by code from a JSON array of rows (one parameter)."""
    qn = connection.ops.quote_name
    columns = [qn(model._meta.get_field(name).column) for name in names]
    assignments = ", ".join(f"{c} = r.{c}" for c in columns)
    return (
        f"UPDATE {_table(model)} AS t SET {assignments} "
        f"FROM o, jsonb_populate_recordset(NULL::{_table(model)}, %s::jsonb) AS r "
        "WHERE t.order_id = o.id AND t.code = r.code"
    )


# ------------------------------------------------------------------------------------------ a new order
def creation_refs(on: date) -> tuple[str, str, str] | None:
    """(code, checksum) of the regulation in force on `on` (R14) and the calendar revision token, in one
    statement; None when no regulation is in force (the caller asks the selector for the full error)."""
    rows = fetch_prepared(_creation_refs_sql(), [on])
    return (rows[0][0], rows[0][1], rows[0][2] or "") if rows else None


@cache
def _creation_refs_sql() -> str:
    return (
        f"SELECT r.code, r.checksum, (SELECT v.token FROM {_table(CalendarRevision)} v WHERE v.id = 1) "
        f"FROM {_table(Regulation)} r WHERE r.effective_from <= %s ORDER BY r.effective_from DESC LIMIT 1"
    )


def insert_order(order: WorkOrder, children: list[tuple[type, list[dict]]]) -> None:
    """Insert a new order, numbered YK + year + month + the month's next number (local time), with its
    rows (`children`: (model, rows as {column: value}), each row's order set by this); sets order.pk and
    order.number.

    On PostgreSQL one statement: the month's counter is an upsert, the order takes its number from it
    and every child row its key from the order, all in data-modifying CTEs.
    """
    period = timezone.localtime(order.created_at).strftime("%Y%m")
    if not postgresql():
        with connection.cursor() as cursor:
            cursor.execute(_counter_upsert("value"), [period])
            order.number = f"YK{period}{cursor.fetchone()[0]:04d}"
        order.save(force_insert=True)
        for model, rows in children:
            insert_rows(model, [model(order=order, **values) for values in rows])
        return
    params = [period, json_row(WorkOrder, order, exclude=("number",))]
    params += [json_values(model, rows, exclude=("order",)) for model, rows in children]
    rows = fetch_prepared(_insert_order_sql(tuple(model for model, _ in children)), params)
    order.pk, order.number = rows[0]


@cache
def _insert_order_sql(children: tuple) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(column) for column in json_columns(WorkOrder, ("number",)))
    number = "'YK' || n.period || CASE WHEN n.value < 10000 THEN lpad(n.value::text, 4, '0') ELSE n.value::text END"
    ctes = [
        f"n AS ({_counter_upsert('period, value')})",
        f"o AS (INSERT INTO {_table(WorkOrder)} ({columns}, {qn('number')}) SELECT {columns}, {number} "
        f"FROM n, jsonb_populate_record(NULL::{_table(WorkOrder)}, %s::jsonb) RETURNING id, {qn('number')})",
    ]
    for i, model in enumerate(children):
        columns = ", ".join(qn(column) for column in json_columns(model, ("order",)))
        ctes.append(
            f"c{i} AS (INSERT INTO {_table(model)} (order_id, {columns}) SELECT o.id, {columns} "
            f"FROM o, jsonb_populate_recordset(NULL::{_table(model)}, %s::jsonb))"
        )
    return f"WITH {', '.join(ctes)} SELECT id, {qn('number')} FROM o"


def _counter_upsert(returning: str) -> str:
    """The month's next number, atomically (PostgreSQL, SQLite ≥ 3.35)."""
    counter = connection.ops.quote_name(OrderCounter._meta.db_table)
    return (
        f"INSERT INTO {counter} (period, value) VALUES (%s, 1) "
        f"ON CONFLICT (period) DO UPDATE SET value = {counter}.value + 1 RETURNING {returning}"
    )
