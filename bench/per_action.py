"""CPU per action, split between this Python process and its PostgreSQL backend (single process, no contention).

    .venv/bin/python bench/per_action.py [--orders 300] [--repeat 3] [--without-secondary-indexes]

Drives --orders orders through their whole life, one action per service call, as bench/lifecycle.py's
first part does, but in this process alone, and reads the CPU time of this process and of the PostgreSQL
backend that serves it (from /proc, so PostgreSQL must run on this machine). Prints the best of --repeat runs
and `host_day_loop_per_s` (the host's plain-Python yardstick). Use it to A/B a change: run it on both trees in
turn; wall-clock throughput on a shared 2-core VM moves too much to show a 10 % change, CPU per action does not.
`cpu_bound_orders_per_s` turns the best run's CPU into the most orders/s this host's cores could drive if they did
nothing else (cores ÷ CPU per order, Python and PostgreSQL together): the ceiling of `bench/lifecycle.py`'s
first figure (P2), which it cannot pass without less CPU per action.
`--without-secondary-indexes` drops every index of the order and node tables but their keys and unique
constraints before the runs: what the lists' and alarms' indexes (P4, P6) cost each action.
The last line is JSON: {"py_us_per_action": …, "pg_us_per_action": …, "wall_us_per_action": …,
"events_per_order": …, "cpu_bound_orders_per_s": …, "cores": …, "host_day_loop_per_s": …}.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import lifecycle
from bench.clock_engine import host_yardstick
from bench.pg_floor import cpu_seconds


def drop_secondary_indexes(connection, tables: list[str]) -> None:
    """Drop the indexes of `tables` that are neither primary keys nor unique (PostgreSQL's catalogue)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisunique AND NOT indisprimary",
            [tables],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")  # a regclass name: quoted where it needs to be


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without-secondary-indexes", action="store_true")
    args = parser.parse_args()
    yardstick = host_yardstick()
    lifecycle.recreate_database()
    lifecycle.setup_django()
    lifecycle.prepare()
    from django.db import connection

    from yekuo.accounts.models import Branch, User

    if args.without_secondary_indexes:
        drop_secondary_indexes(connection, ["orders_workorder", "orders_nodeinstance"])

    actor = User.objects.get(username="bench")
    branch = Branch.objects.select_related("company").get(code="b1")
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    best = None
    for run in range(args.repeat):
        lives = list(lifecycle._lives(args.orders, run * 100_000))
        py, pg, wall = time.process_time(), cpu_seconds(backend), time.perf_counter()
        events = lifecycle.live_through(lives, actor, branch)
        per = {
            "py_us_per_action": round((time.process_time() - py) / events * 1e6),
            "pg_us_per_action": round((cpu_seconds(backend) - pg) / events * 1e6),
            "wall_us_per_action": round((time.perf_counter() - wall) / events * 1e6),
        }
        print(f"run {run + 1}: {args.orders} orders, {events} events: {per}")
        if (
            best is None
            or per["py_us_per_action"] + per["pg_us_per_action"] < best["py_us_per_action"] + best["pg_us_per_action"]
        ):
            best = per
    per_order = events / args.orders
    cores = os.cpu_count() or 1
    ceiling = cores * 1e6 / ((best["py_us_per_action"] + best["pg_us_per_action"]) * per_order)
    print(json.dumps({**best, "events_per_order": round(per_order, 2), "cpu_bound_orders_per_s": round(ceiling, 1),
                      "cores": cores, "host_day_loop_per_s": yardstick}))  # fmt: skip


if __name__ == "__main__":
    main()
