"""The steady warning scan, before and after a change, on an existing database (R9).

    .venv/bin/python bench/monitoring_scan_steady.py \
        --database-url postgresql://postgres@127.0.0.1:5432/yekuo_scan --old 4c54fa9 --at 2026-12-02T22:10+08:00

On a book already scanned once (e.g. `yekuo demo --orders 1000000` then `yekuo monitor scan --mark-sent`, or
bench/monitoring_scan.py's book), alternates the scan of the working tree with the scan module of git
revision `--old` (loaded from `git show`), each at the next instant `--step-s` later, so that both see the
same host load. Per scan: wall time, this process's CPU, the PostgreSQL backend's CPU (from /proc, when the
server runs on this host) and the rows PostgreSQL read (pg_stat_user_tables, tuples read by scans and
index fetches). The candidates query of each is then run under EXPLAIN (ANALYZE, BUFFERS). Nothing is sent.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("orders_workorder", "orders_clock", "orders_nodeinstance", "monitoring_clockwarning",
          "monitoring_clocknextdue")  # fmt: skip


def setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def old_module(rev: str):
    source = subprocess.run(
        ["git", "show", f"{rev}:yekuo/monitoring/scan.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "scan_old.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("scan_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scan_old"] = module
    spec.loader.exec_module(module)
    return module


def backend_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rows_read() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT COALESCE(SUM(COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0)), 0) "
            "FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        return int(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--old", default="4c54fa9", help="git revision of the scan to compare with")
    parser.add_argument("--at", required=True, help="the first scan's instant (ISO 8601 with offset)")
    parser.add_argument("--step-s", type=int, default=120, help="seconds between two scans' instants")
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    setup(args.database_url)

    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from yekuo.monitoring import scan as new
    from yekuo.monitoring.models import ClockNextDue, ClockWarning

    old = old_module(args.old)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    when = parse_datetime(args.at)
    runs = {"old": [], "new": []}
    sqls = {}

    def one(name, module):
        nonlocal when
        captured = []

        def spy(execute, sql, params, many, context):
            if "look_0" in sql and not captured:
                captured.append((sql, params))
            return execute(sql, params, many, context)

        before_rows, before_cpu = rows_read(), backend_cpu_s(pid)
        started, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(spy):
            result = module.scan(when, notify=False)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        after_cpu = backend_cpu_s(pid)
        figure = {
            "at": when.isoformat(), "wall_s": round(wall, 2), "client_cpu_s": round(cpu, 2),
            "server_cpu_s": None if after_cpu is None else round(after_cpu - before_cpu, 2),
            "rows_read": rows_read() - before_rows, "candidates": result.candidates, "raised": result.raised,
            "resolved": result.resolved,
        }  # fmt: skip
        if name == "old" and result.resolved:
            # The old scan does not know the next-due rows: a clock it resolved is read again by the new one.
            clocks = ClockWarning.objects.filter(resolved_at=when).values("clock_id")
            ClockNextDue.objects.filter(clock_id__in=clocks).delete()
        runs[name].append(figure)
        if captured:
            sqls[name] = captured[0]
        print(name, json.dumps(figure), file=sys.stderr, flush=True)
        when += timedelta(seconds=args.step_s)

    # The first scan with next-due rows writes a row per alarmed clock: timed apart.
    one("new", new)
    first_new = runs["new"].pop()
    for i in range(args.pairs):
        order = [("old", old), ("new", new)] if i % 2 == 0 else [("new", new), ("old", old)]
        for name, module in order:
            one(name, module)

    plans = {}
    for name, (sql, params) in sqls.items():
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
        print(f"--- candidates query, {name}\n{plans[name]}", file=sys.stderr)

    def median(name, key):
        values = [run[key] for run in runs[name] if run[key] is not None]
        return round(statistics.median(values), 2) if values else None

    print(json.dumps({
        "first_new": first_new,
        **{f"{name}_{key}": median(name, key) for name in ("old", "new")
           for key in ("wall_s", "client_cpu_s", "server_cpu_s", "rows_read", "candidates")},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
