"""Many demo orders quickly (O2, `yekuo demo --orders N` past the service-driven ones): copies of the demo
orders that the real services made, moved back in *working time*.

Driving a million orders through the services would take days on a small machine. The first orders of the
demo (`demo.TEMPLATES`) are made through the services; every further one is a copy of one of them with all
its rows (order, nodes, clocks, suspensions, events) and every instant t moved to

    t' = W⁻¹(W(t) − Δ),    Δ = a whole number of working days (W: working seconds since the table's origin)

Working time between any two instants is unchanged (W(W⁻¹(x)) = x), a whole number of working days keeps
each instant's place in its working day, and the engine computes every deadline in working time: so each
copy's rows are exactly what its moved log folds to (`orders verify` passes on copies; tested), with its
deadlines on real working days of the official calendar (an instant outside office hours moves to the end
of the office hours before it, where its working time is the same).

The templates are the demo's *drawn* orders (`demo.DRAWN`: every step's share of its limit from one
distribution), so that the copies' finished and open orders are one population. A closed template (energized,
cancelled) is moved back by up to `SPREAD_DAYS` working days (the book spreads
over a year); an open one (waiting for dispatch, in transit, suspended) by up to `OPEN_DAYS`, so the open
orders stay recent and the older of them are overdue. `open_share` chooses how many copies are open.

Rows are written in batches: PostgreSQL's COPY through the connection's psycopg cursor, executemany
INSERTs on SQLite; a progress line goes to stderr.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.db import connection, models

from yekuo.orders.models import Clock, NodeInstance, OrderEvent, Suspension, WorkOrder
from yekuo.workcal.engine import to_epoch
from yekuo.workcal.selectors import work_table

SPREAD_DAYS = 240  # about a year of working days
OPEN_DAYS = 4
BATCH = 5000
CLOSED = ("energized", "cancelled")
MODELS = (WorkOrder, NodeInstance, Clock, Suspension, OrderEvent)


@dataclass
class Template:
    """One service-made order, its rows as values, and the working-time position of each of its instants."""

    order: WorkOrder
    rows: dict = field(default_factory=dict)  # model -> list of [value | ("t", slot) | ("pauses", [...])]
    w: np.ndarray | None = None  # W of every instant, by slot
    closed: bool = False
    created_slot: int = 0
    has_pauses: bool = False
    plans: dict = field(default_factory=dict)  # model -> [(row, [(index, slot)], [(index, pauses)])]
    day_seconds: int = 25200


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if model is WorkOrder or not f.primary_key]


def load_template(order: WorkOrder, table) -> Template:
    template = Template(order, closed=order.status in CLOSED)
    instants: list[int] = []

    def slot(value: datetime) -> tuple:
        instants.append(to_epoch(value))
        return ("t", len(instants) - 1)

    related = {
        WorkOrder: [order],
        NodeInstance: list(order.nodes.all()),
        Clock: list(order.clocks.all()),
        Suspension: list(order.suspensions.all()),
        OrderEvent: list(order.events.all()),
    }
    for model, objects in related.items():
        rows = []
        for obj in objects:
            row = []
            for f in _fields(model):
                value = getattr(obj, f.attname)
                if isinstance(f, models.DateTimeField):
                    row.append(None if value is None else slot(value))
                elif model is Clock and f.name == "pauses":
                    row.append(("pauses", [[slot(datetime.fromisoformat(b)), None if e is None else
                                            slot(datetime.fromisoformat(e))] for b, e in value]))  # fmt: skip
                elif isinstance(f, models.JSONField):
                    row.append(json.dumps(value, ensure_ascii=False))
                else:
                    row.append(f.get_db_prep_value(value, connection))
            rows.append(row)
        template.rows[model] = rows
    template.w = table.w_batch(np.array(instants, dtype=np.int64))
    template.created_slot = template.rows[WorkOrder][0][[f.attname for f in _fields(WorkOrder)].index("created_at")][1]
    template.day_seconds = table.day_seconds_at(to_epoch(order.created_at))
    template.plans = {
        model: [
            (
                list(row),
                [(i, v[1]) for i, v in enumerate(row) if isinstance(v, tuple) and v[0] == "t"],
                [(i, v) for i, v in enumerate(row) if isinstance(v, tuple) and v[0] == "pauses"],
            )
            for row in rows
        ]
        for model, rows in template.rows.items()
    }
    template.has_pauses = any(
        isinstance(v, tuple) and v[0] == "pauses" and v[1] for row in template.rows[Clock] for v in row
    )
    return template


def _value(v, stamps: list[str], iso: list[str] | None):
    """A template row's value in a copy: an instant slot becomes the copy's instant, pauses their JSON."""
    if isinstance(v, tuple):
        if v[0] == "t":
            return stamps[v[1]]
        return json.dumps([[iso[b[1]], None if e is None else iso[e[1]]] for b, e in v[1]])
    return v


def _iso(seconds: np.ndarray) -> list[str]:
    """Epoch seconds as the ISO form the clock rows store in `pauses` (UTC, +00:00)."""
    return [s + "+00:00" for s in np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")]


class Writer:
    """Batches of rows, written by COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.rows = {m: [] for m in MODELS}

    def add(self, model, row) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in MODELS:
                rows = self.rows[model]
                if not rows:
                    continue
                columns = ", ".join(qn(f.column) for f in _fields(model))
                table = qn(model._meta.db_table)
                if self.pg:
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        self.rows = {m: [] for m in MODELS}


def copy_orders(templates: list[WorkOrder], first_index: int, count: int, *, open_share: float = 0.35,
                seed: int = 20261202, progress: bool = True) -> int:  # fmt: skip
    """Insert `count` copies of `templates` (service-made demo orders), numbered from `first_index` (their
    external_ref is demo-copy-<index>, so a later run adds only the missing ones). Returns the number made."""
    if count <= 0 or not templates:
        return 0
    started = time.perf_counter()
    tables: dict[str, object] = {}
    loaded: list[Template] = []
    for order in templates:
        code = order.branch.company.code
        tables.setdefault(code, work_table(code))
        loaded.append(load_template(order, tables[code]))
    closed = [t for t in loaded if t.closed] or loaded
    still_open = [t for t in loaded if not t.closed] or loaded
    rng = random.Random(seed + first_index)
    pg = connection.vendor == "postgresql"
    next_pk = (WorkOrder.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
    writer = Writer()
    fields = {m: _fields(m) for m in MODELS}
    pk_at = [f.attname for f in fields[WorkOrder]].index("id")
    number_at = [f.attname for f in fields[WorkOrder]].index("number")
    ref_at = [f.attname for f in fields[WorkOrder]].index("external_ref")
    order_at = {m: [f.attname for f in fields[m]].index("order_id") for m in MODELS if m is not WorkOrder}
    key_at = [f.attname for f in fields[OrderEvent]].index("idempotency_key")
    for done in range(count):
        index = first_index + done
        is_open = rng.random() < open_share
        template = rng.choice(still_open if is_open else closed)
        table = tables[template.order.branch.company.code]
        days = rng.randint(0, OPEN_DAYS if is_open else SPREAD_DAYS)
        moved = table.w_inv_batch(np.maximum(template.w - days * template.day_seconds, 1))
        stamps = (
            [s + "+00:00" for s in np.datetime_as_string(moved.astype("datetime64[s]"), unit="s")]
            if pg else [str(datetime.fromtimestamp(int(s), UTC).replace(tzinfo=None)) for s in moved]
        )  # fmt: skip
        iso = (stamps if pg else _iso(moved)) if template.has_pauses else None
        pk = next_pk + done
        for model in MODELS:
            for base, slots, pauses in template.plans[model]:
                row = base.copy()
                for i, s in slots:
                    row[i] = stamps[s]
                for i, v in pauses:
                    row[i] = _value(v, stamps, iso)
                if model is WorkOrder:
                    created = datetime.fromtimestamp(int(moved[template.created_slot]), UTC)
                    row[pk_at] = pk
                    row[number_at] = f"YK{created:%Y%m}C{index:07d}"
                    row[ref_at] = f"demo-copy-{index}"
                else:
                    row[order_at[model]] = pk
                    if model is OrderEvent:
                        row[key_at] = None
                writer.add(model, row)
        if (done + 1) % BATCH == 0 or done + 1 == count:
            writer.flush()
            if progress:
                rate = (done + 1) / max(time.perf_counter() - started, 1e-6)
                print(f"\rdemo orders: {done + 1:,}/{count:,} copied ({rate:,.0f}/s)", end="", file=sys.stderr,
                      flush=True)  # fmt: skip
    if progress:
        print(file=sys.stderr)
    if pg:
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [WorkOrder]):
                cursor.execute(sql)
    return count
