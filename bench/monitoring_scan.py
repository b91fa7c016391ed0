"""The warning scan at scale (R9): N orders in transit on PostgreSQL, one running clock each.

    .venv/bin/python bench/monitoring_scan.py --orders 1000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/yekuo_bench_scan

The database is dropped and made anew. The rows are what the write path writes for an order at its survey
(one active node, one running 1-day clock), bulk-copied: the clocks' deadlines and warning times come
from the clock engine's batch path over the seeded calendar, as of now. The share of the budget used is
drawn so that 76 % of the clocks are before their warning, 12 % in warning, 12 % overdue (some more than a
budget over, so serious), as bench/list_data.py spreads its open orders; 5 % had a (closed) suspension.

Timed: the first scan (raises every level due, without sending: a backlog is not a notification storm);
a second scan (the steady state every few minutes: nothing new, everything checked); a scan after 1 % of
the nodes completed (their warnings resolved); and sending 1,000 warnings (in-app inbox and email through
the outbox). The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    os.environ["YEKUO_QUIET_HOURS"] = "off"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(n: int, seed: int = 7) -> dict:
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from yekuo.accounts.testing import make_cast
    from yekuo.regulations.services import regulation_load_bundled
    from yekuo.workcal.selectors import work_table
    from yekuo.workcal.services import calendar_seed

    started = time.perf_counter()
    calendar_seed()
    regulation_load_bundled()
    cast = make_cast()
    table = work_table("cast")
    rng = np.random.default_rng(seed)
    now = int(timezone.now().timestamp())
    budget = 7 * 3600  # 1 working day of the default office hours
    share = rng.random(n)
    late = np.where(share < 0.88, rng.uniform(0.76, 0.99, n), rng.uniform(1.01, 3, n))
    used = np.where(share < 0.76, rng.uniform(0, 0.74, n), late)
    w_now = table.w_batch(np.full(n, now, dtype=np.int64))
    start = np.maximum(table.w_inv_batch(w_now - (used * budget).astype(np.int64)) - 60, table.t_min)
    w_start = table.w_batch(start)
    deadline = table.w_inv_batch(w_start + budget)
    warn = table.w_inv_batch(w_start + int(budget * 0.75))
    paused = rng.random(n) < 0.05
    pauses = []
    for i in range(n):
        if paused[i]:
            # A closed suspension of an hour of wall time from the start: the engine credits its working time.
            p = [(int(start[i]) + 60, int(start[i]) + 3660)]
            deadline[i] = table.deadline_ts(int(start[i]), budget, p)
            warn[i] = table.deadline_ts(int(start[i]), int(budget * 0.75), p)
            pauses.append(p)
        else:
            pauses.append(None)
    branches = [cast.east.pk, cast.west.pk]

    def iso(ts: int) -> str:
        return datetime.fromtimestamp(int(ts), UTC).isoformat()

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor, for COPY
        order_cols = (
            "id, number, category, channel, customer_name, customer_id_number, customer_phone, customer_notice, "
            "site_address, capacity_kva, voltage, regulation_code, status, created_at, received_at, source_system, "
            "external_ref, event_count, branch_id, due_at, warn_at"
        )
        with raw.copy(f"COPY orders_workorder ({order_cols}) FROM STDIN") as copy:
            for i in range(n):
                s = iso(start[i])
                copy.write_row((i + 1, f"BS{i:010d}", "lv_business", "counter", f"客户{i}", "", "", "", "东区1号", 50,
                                "380V", "ordos-2022-64", "in_transit", s, s, "", "", 3, branches[i % 2],
                                iso(deadline[i]), iso(warn[i])))  # fmt: skip
        with raw.copy(
            "COPY orders_clock (id, order_id, code, position, nodes, state, limit_days, condition_pending, "
            "requested_at, started_at, deadline_at, warn_at, budget_seconds, pauses, provisional) FROM STDIN"
        ) as copy:
            for i in range(n):
                s = iso(start[i])
                p = json.dumps([[iso(a), iso(b)] for a, b in pauses[i]] if pauses[i] else [])
                copy.write_row((i + 1, i + 1, "survey_plan", 1, '["survey_plan"]', "running", 1, False, s, s,
                                iso(deadline[i]), iso(warn[i]), budget, p, False))  # fmt: skip
        with raw.copy(
            "COPY orders_nodeinstance (id, order_id, code, position, state, role, department, clock_code, "
            "ready_at) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row((i + 1, i + 1, "survey_plan", 1, "active", "customer_manager", "marketing_service",
                                "survey_plan", iso(start[i])))  # fmt: skip
        for table_name in ("orders_workorder", "orders_clock", "orders_nodeinstance"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT max(id) FROM {table_name}))"
            )
        cursor.execute("ANALYZE")
    return {"orders": n, "generate_s": round(time.perf_counter() - started, 1), "now": now}


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database (dropped and made anew)")
    args = parser.parse_args()
    recreate(args.database_url)
    setup(args.database_url)
    facts = generate(args.orders)
    print(json.dumps(facts), file=sys.stderr)

    from django.db import connection
    from django.utils import timezone

    from yekuo.monitoring.models import ClockWarning
    from yekuo.monitoring.notify import send_pending
    from yekuo.monitoring.scan import scan

    now = datetime.fromtimestamp(facts["now"], UTC)
    first, first_s = timed(lambda: scan(now, notify=False))
    print(first.line(), f"({first_s} s)", file=sys.stderr)
    again, again_s = timed(lambda: scan(now, notify=False))
    print(again.line(), f"({again_s} s)", file=sys.stderr)
    with connection.cursor() as cursor:  # 1 % of the nodes completed and their clocks stopped
        cursor.execute("UPDATE orders_nodeinstance SET state = 'done' WHERE id % 100 = 0")
        cursor.execute("UPDATE orders_clock SET state = 'done' WHERE id % 100 = 0")
        cursor.execute("UPDATE orders_workorder SET warn_at = NULL, due_at = NULL WHERE id % 100 = 0")
    resolved, resolved_s = timed(lambda: scan(now, notify=False))
    print(resolved.line(), f"({resolved_s} s)", file=sys.stderr)
    open_ids = ClockWarning.objects.filter(resolved_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    keep = list(open_ids[:1000])  # leave 1,000 to send (a list of the others overflows psycopg's parameters)
    ClockWarning.objects.filter(resolved_at__isnull=True).exclude(pk__in=keep).update(notified_at=timezone.now())
    sent, send_s = timed(lambda: send_pending(now))
    print(f"sent {sent} warnings in {send_s} s", file=sys.stderr)
    print(json.dumps({
        "orders": args.orders, "candidates": first.candidates, "raised": first.raised,
        "first_scan_s": first_s, "scan_s": again_s, "resolve_scan_s": resolved_s, "resolved": resolved.resolved,
        "send_1000_s": send_s,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
