"""Data generator for the list benchmark: many work orders in a realistic spread of states, quickly.

    .venv/bin/python bench/list_data.py --orders 100000 [--db var/bench-list.sqlite3 | --database-url postgresql://…]

Folding every order through the services would take an hour at 100,000 orders on a small machine, so the
generator folds a few dozen templates through the real services (every category, stopped after each of
its steps; suspended; cancelled; not yet received; energized), and then bulk-inserts copies of them with
all their rows (order, nodes, clocks, suspensions, events), every instant of a copy shifted by one offset.
The offset of an open order is chosen so that its running clock is, relative to now, overdue (12 % of the
open orders), in warning (12 %) or with time left; closed ones end somewhere in the last two years.

Shares of the orders (a utility's book over two years): 55 % energized, 3 % cancelled, 2 % waiting for
receipt, 5 % suspended (I5), 35 % in transit. The branch is one of eight (`east` and `west` of the test
cast, and six more). A copy keeps its template's working-day shape but not the calendar's exact
holidays (the whole copy moves by any number of seconds), so `orders verify` is not meant to pass on it:
the lists only read the rows, and these are what the write path writes.

On PostgreSQL a book larger than `--base` (20,000 orders) is made the fast way: the first `--base` orders
as above, then the rest by plain SQL, `INSERT … SELECT … CROSS JOIN generate_series(1, k)` on each table,
copy k of an order getting the key `pk + k × base`, its own number, a branch chosen by its key and every
instant moved by 7 × k seconds (the clocks' `pauses` JSON is not moved: at most a few minutes of a paused
clock's time, nothing the lists filter on). 1,000,000 orders take about half an hour on a 2-core host
instead of hours.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from lifecycle import STEPS  # the lives bench/lifecycle.py drives (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # the templates' creation; copies are moved from here
SHARES = {"energized": 0.55, "cancelled": 0.03, "created": 0.02, "suspended": 0.05, "open": 0.35}
OPEN_ALARMS = {"overdue": 0.12, "warning": 0.12, "ok": 0.76}
EXTRA_BRANCHES = ("north2", "south", "central", "hills", "river", "plain")


def setup_django(code: Path, database_url: str) -> None:
    """Django from the tree at `code` (this one, or another version's, to measure it the same way)."""
    sys.path.insert(0, str(code))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def database_url(args) -> str:
    if args.database_url:
        return args.database_url
    path = Path(args.db).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def recreate(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _step(services, code: str, at: datetime):
    if code.startswith("@"):
        return services.Step(code[1:], {"low_risk": False} if code == "@approval.decided" else {}, at)
    return services.Step("node.completed", {"node": code}, at)


def make_templates(cast):
    """{kind: [template WorkOrder, …]}: each category at every stage, folded by the services."""
    from yekuo.orders import services
    from yekuo.orders.models import EventSource

    def create(category, steps, receive=True):
        voltage, capacity = ("10kV", 630) if category.startswith("hv10") else ("380V", 50)
        return services.order_create(
            actor=cast.administrator, category=category, channel="counter", customer_name="张三",
            site_address="东区1号", capacity_kva=capacity, voltage=voltage, customer_id_number="152701199001011239",
            customer_phone="13912345678", branch=cast.east, occurred_at=T0, source=EventSource.IMPORT,
            receive=receive, steps=steps,
        )  # fmt: skip

    kinds = {kind: [] for kind in ("energized", "cancelled", "created", "suspended", "open")}
    for category, codes in STEPS.items():
        at = [T0 + timedelta(hours=22 * (i + 1)) for i in range(len(codes) + 2)]
        steps = [_step(services, code, at[i]) for i, code in enumerate(codes)]
        kinds["energized"].append(create(category, steps))
        kinds["created"].append(create(category, [], receive=False))
        for k in range(len(codes)):
            kinds["open"].append(create(category, steps[:k]))
            pause = services.Step("suspension.started", {"reason": "documents_missing", "evidence": "缺资料"}, at[k])
            kinds["suspended"].append(create(category, [*steps[:k], pause]))
            cancel = services.Step("order.cancelled", {"reason": "客户撤回"}, at[k])
            kinds["cancelled"].append(create(category, [*steps[:k], cancel]))
    return kinds


class Copier:
    """Rows of a template order, ready to be inserted many times with every instant moved."""

    def __init__(self, order, connection):
        from django.db import models

        from yekuo.orders.models import Clock, NodeInstance, OrderEvent, Suspension, WorkOrder

        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self.tables = {}
        for model, rows in (
            (WorkOrder, [order]),
            (NodeInstance, order.nodes.all()),
            (Clock, order.clocks.all()),
            (Suspension, order.suspensions.all()),
            (OrderEvent, order.events.all()),
        ):
            fields = [f for f in model._meta.concrete_fields if model is WorkOrder or not f.primary_key]
            fixed = []
            for row in rows:
                fixed.append(
                    [self._prep(f, getattr(row, f.attname)) if f.name != "pauses" else row.pauses for f in fields]
                )
            kinds = ["datetime" if isinstance(f, models.DateTimeField) else f.name for f in fields]
            self.tables[model] = (fields, kinds, fixed)
        self.last = max(e.occurred_at for e in order.events.all())
        self.order = order
        self.running = [c for c in order.clocks.all() if c.state == "running" and c.deadline_at]

    def _prep(self, field, value):
        if value is None or isinstance(value, datetime):
            return value
        return field.get_db_prep_value(value, self.connection)

    def _instant(self, value: datetime | None, shift: timedelta):
        if value is None:
            return None
        value = value + shift
        return str(value.astimezone(UTC).replace(tzinfo=None)) if self.sqlite else value

    def rows(self, pk: int, number: str, branch_id: int, shift: timedelta):
        """{model: [row values]} of one copy."""
        from yekuo.orders.models import Clock, WorkOrder

        out = {}
        for model, (fields, kinds, fixed) in self.tables.items():
            rows = []
            for template in fixed:
                row = []
                for field, kind, value in zip(fields, kinds, template, strict=True):
                    if kind == "datetime":
                        value = self._instant(value, shift)
                    elif field.attname == "order_id" or (model is WorkOrder and field.primary_key):
                        value = pk
                    elif model is WorkOrder and field.name == "number":
                        value = number
                    elif model is WorkOrder and field.attname == "branch_id":
                        value = branch_id
                    elif model is Clock and field.name == "pauses":
                        value = self._prep(field, [[_shift_iso(b, shift), _shift_iso(e, shift)] for b, e in value])
                    row.append(value)
                rows.append(row)
            out[model] = rows
        return out


def _shift_iso(value: str | None, shift: timedelta) -> str | None:
    return None if value is None else (datetime.fromisoformat(value) + shift).isoformat()


def shift_for(copier: Copier, kind: str, now: datetime, rng: random.Random) -> timedelta:
    """The offset that puts this copy where its kind and alarm say, relative to now."""
    last = copier.last
    if kind == "open" and copier.running:
        deadline = min(c.deadline_at for c in copier.running)
        warn = min(c.warn_at for c in copier.running)
        alarm = rng.choices(list(OPEN_ALARMS), weights=list(OPEN_ALARMS.values()))[0]
        if alarm == "overdue":
            return now - deadline - timedelta(seconds=rng.uniform(60, 40 * 86400))
        if alarm == "warning" and deadline > warn:
            return now - warn - (deadline - warn) * rng.uniform(0.01, 0.99)
        room = (warn - last).total_seconds()  # time left: now between the last event and the warning
        if room > 120:
            return now - last - timedelta(seconds=rng.uniform(60, room - 60))
    if kind in ("open", "suspended", "created"):
        return now - last - timedelta(seconds=rng.uniform(60, 20 * 86400))
    return now - last - timedelta(seconds=rng.uniform(3600, 730 * 86400))


def insert(connection, batch: dict) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, rows in batch.items():
            if not rows:
                continue
            fields = [f for f in model._meta.concrete_fields if model.__name__ == "WorkOrder" or not f.primary_key]
            columns = ", ".join(qn(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})", rows)


def multiply(connection, first: int, span: int, copies: int, branches: list[int], quiet: bool = False) -> None:
    """PostgreSQL: add `copies` copies of the orders `first … first + span - 1` with all their rows, a few
    copies per statement and transaction (see the module's docstring)."""
    from django.db import models, transaction

    from yekuo.orders.models import Clock, NodeInstance, OrderEvent, Suspension, WorkOrder

    qn = connection.ops.quote_name
    branch_array = "ARRAY[" + ", ".join(str(b) for b in branches) + "]"
    step = 4
    for low in range(1, copies + 1, step):
        high = min(copies, low + step - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            for model in (WorkOrder, NodeInstance, Clock, Suspension, OrderEvent):
                fields = [f for f in model._meta.concrete_fields if model is WorkOrder or not f.primary_key]
                key = "id" if model is WorkOrder else "order_id"
                expressions = []
                for field in fields:
                    column = qn(field.column)
                    if isinstance(field, models.DateTimeField):
                        expressions.append(f"{column} + k * interval '7 seconds'")
                    elif field.column in ("id", "order_id") and (model is WorkOrder or field.column == "order_id"):
                        expressions.append(f"{column} + k * {span}")
                    elif model is WorkOrder and field.name == "number":
                        expressions.append(f"'BK' || lpad((id + k * {span} - {first})::text, 10, '0')")
                    elif model is WorkOrder and field.attname == "branch_id":
                        expressions.append(f"({branch_array})[1 + (id + k * {span}) % {len(branches)}]")
                    elif model is OrderEvent and field.name == "idempotency_key":
                        expressions.append(f"{column} || ':' || k")
                    else:
                        expressions.append(column)
                cursor.execute(
                    f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
                    f"SELECT {', '.join(expressions)} FROM {qn(model._meta.db_table)} "
                    f"CROSS JOIN generate_series({low}, {high}) AS k WHERE {key} BETWEEN {first} AND {first + span - 1}"
                )
        if not quiet:
            print(f"\r{(high + 1) * span:,} orders", end="", file=sys.stderr, flush=True)


def generate(orders: int, seed: int = 20261202, quiet: bool = False, base: int = 20_000) -> dict:
    """Create the schema, the cast and `orders` orders; returns what the benchmark needs to know."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from yekuo.accounts.models import Branch
    from yekuo.accounts.testing import make_cast
    from yekuo.orders.models import Clock, NodeInstance, OrderEvent, Suspension, WorkOrder

    started = time.perf_counter()
    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("calendar", "seed", stdout=devnull)
    call_command("regulations", "load-bundled", stdout=devnull)
    cast = make_cast()
    branches = [cast.east.pk, cast.west.pk] + [
        Branch.objects.create(company=cast.company, code=code, name=f"{code}供电分公司").pk for code in EXTRA_BRANCHES
    ]
    kinds = make_templates(cast)
    templates = {kind: [Copier(o, connection) for o in found] for kind, found in kinds.items()}
    template_ids = [o.pk for found in kinds.values() for o in found]
    rng = random.Random(seed)
    now = timezone.now()
    first = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    batch = {m: [] for m in (WorkOrder, NodeInstance, Clock, Suspension, OrderEvent)}
    names = list(SHARES)
    weights = list(SHARES.values())
    copies = 0
    if connection.vendor == "postgresql" and orders > base:
        copies = -(-orders // base) - 1  # the last copy may overshoot: trimmed below
        orders, total = base, orders
    for i in range(orders):
        kind = rng.choices(names, weights=weights)[0]
        copier = rng.choice(templates[kind])
        shift = shift_for(copier, kind, now, rng)
        rows = copier.rows(first + i, f"BK{i:010d}", rng.choice(branches), shift)
        for model, values in rows.items():
            batch[model].extend(values)
        if len(batch[WorkOrder]) >= 2000 or i == orders - 1:
            with transaction.atomic():
                insert(connection, batch)
            batch = {m: [] for m in batch}
            if not quiet:
                print(f"\r{i + 1:,} orders", end="", file=sys.stderr, flush=True)
    # The templates are not part of the book: they were made to be copied.
    with transaction.atomic():
        for model in (OrderEvent, Suspension, Clock, NodeInstance):
            model.objects.filter(order_id__in=template_ids).delete()
        WorkOrder.objects.filter(pk__in=template_ids).delete()
    if copies:
        multiply(connection, first, orders, copies, branches, quiet)
        with transaction.atomic():
            beyond = WorkOrder.objects.filter(pk__gte=first + total).values("pk")
            for model in (OrderEvent, Suspension, Clock, NodeInstance):
                model.objects.filter(order_id__in=beyond).delete()
            WorkOrder.objects.filter(pk__gte=first + total).delete()
        orders = total
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [WorkOrder]):
                cursor.execute(sql)
            # What autovacuum does soon after a bulk load (PostgreSQL 13+ vacuums after inserts too): statistics,
            # and the visibility map that lets a count be read from an index alone.
            cursor.execute("VACUUM ANALYZE")
    else:
        try:  # what the nightly task does after the book has grown (a version without it: nothing)
            from yekuo.common.statistics import refresh_statistics
        except ImportError:
            pass
        else:
            refresh_statistics()
    if not quiet:
        print(file=sys.stderr)
    return {"orders": orders, "seconds": round(time.perf_counter() - started, 1), "now": now.isoformat()}


def no_style():
    from django.core.management.color import no_style as style

    return style()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-list.sqlite3"), help="SQLite file (made anew)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL database instead (dropped and made anew)")
    parser.add_argument("--code", default=str(ROOT), help="the yekuo tree to run (another version, to compare)")
    parser.add_argument("--base", type=int, default=20_000, help="PostgreSQL: orders made in Python, the rest by SQL")
    args = parser.parse_args()
    url = database_url(args)
    recreate(url)
    setup_django(Path(args.code), url)
    print(json.dumps(generate(args.orders, base=args.base)))


if __name__ == "__main__":
    main()
