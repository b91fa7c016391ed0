"""Benchmark: the month's indicators and bulletin (R12) over a book of N orders on PostgreSQL.

    .venv/bin/python bench/monthly.py [--orders 1000000] [--month YYYY-MM] [--runs 3] [--load]
        [--database-url postgresql://postgres@127.0.0.1:5432/yekuo_bench_monthly]

The book is `yekuo demo --orders N` (yekuo/orders/demo_bulk.py: service-made orders copied and moved back
in working time over about a year, so each month holds some 5 % of the book's energized orders). With
--load the database is dropped, made anew and the book loaded first (about half an hour at 1,000,000 on a
2-core host); without it the database must hold the book already (`yekuo migrate && yekuo calendar seed &&
yekuo regulations load-bundled && yekuo approvals load-bundled && yekuo demo --orders N`).

The database is ANALYZEd first (untimed: a bulk-loaded book has no planner statistics until autovacuum
reaches it, a live one has). Timed, --runs times after none (the first run is cold: the work table, the
regulation, PostgreSQL's caches):
- `indicators_s`: `yekuo.reports.indicators.monthly(month)`, every branch;
- `bulletin_s`: a month's bulletin as its reader gets it: the indicators, then the rest of the snapshot
  collected and frozen as ONE new revision (`yekuo.bulletin.services.report_run_create`: visits, findings,
  the overdue orders, the changes since the last revision), then that revision's Excel workbook (every row)
  and its PDF (`yekuo.bulletin.render`), written into a scratch directory; `revision_s` and `xlsx_s` are
  its parts (seconds since the start of the run at which each was done). Each run adds a
  revision to the database (the first diffs against whatever revision is there, the others against the
  run before).
The month defaults to the last whole month before today (Asia/Shanghai). The last line is JSON:
{"orders": …, "month": …, "energized": …, "created": …, "nodes_completed": …, "indicators_s": …,
"bulletin_s": …, "revision_s": …, "xlsx_s": …, "overdue_rows": …, "runs": […], "host_day_loop_per_s": …,
"load_average": [1, 5, 15 min]}
(the best of the runs; the host is shared, so its plain-Python speed and its load average at the end are
given with the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(url: str, orders: int) -> float:
    """Migrate, seed and make the demo book through the CLI; returns the seconds it took."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    yekuo = str(ROOT / ".venv/bin/yekuo")
    started = time.perf_counter()
    for args in (["migrate", "-v0"], ["calendar", "seed"], ["regulations", "load-bundled"],
                 ["approvals", "load-bundled"], ["demo", "--orders", str(orders)]):  # fmt: skip
        subprocess.run([yekuo, *args], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def last_month() -> str:
    today = datetime.now(SHANGHAI)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def run_once(month: str, scratch: Path, company: str | None) -> dict:
    from yekuo.bulletin import render, services
    from yekuo.bulletin.cli import company_for
    from yekuo.reports.indicators import monthly

    started = time.perf_counter()
    indicators = monthly(month)
    indicators_s = time.perf_counter() - started
    run = services.report_run_create(company_for(company), month, source="cli", figures=indicators)
    revision_s = time.perf_counter() - started
    (scratch / "m.xlsx").write_bytes(render.xlsx(run))
    xlsx_s = time.perf_counter() - started
    (scratch / "m.pdf").write_bytes(render.pdf(run))
    bulletin_s = time.perf_counter() - started
    return {
        "indicators_s": round(indicators_s, 2),
        "revision_s": round(revision_s, 2),
        "xlsx_s": round(xlsx_s, 2),
        "bulletin_s": round(bulletin_s, 2),
        "overdue_rows": len(run.data.get("overdue") or []),
        "result": indicators,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the last whole month)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--company", default=None, help="The company's code (default: the only one)")
    parser.add_argument("--load", action="store_true", help="Drop the database and load the demo book first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/yekuo_bench_monthly"),
    )
    args = parser.parse_args()
    load_s = None
    if args.load:
        recreate(args.database_url)
        load_s = round(load(args.database_url, args.orders), 1)
    setup(args.database_url)
    from bench.clock_engine import host_yardstick

    yardstick = host_yardstick()  # the host's plain-Python speed today (bench/RESULTS.md, "How to read a figure")
    from django.db import connection

    from yekuo.orders.models import WorkOrder

    assert connection.vendor == "postgresql", "the benchmark is for PostgreSQL"
    # A bulk-loaded book has no planner statistics until autovacuum gets to it; a live one has them. Untimed.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyze_s = round(time.perf_counter() - started, 1)
    month = args.month or last_month()
    orders = WorkOrder.objects.count()
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(max(1, args.runs)):
            runs.append(run_once(month, Path(scratch), args.company))
            print(f"run {len(runs)}: indicators {runs[-1]['indicators_s']} s, bulletin {runs[-1]['bulletin_s']} s",
                  file=sys.stderr)  # fmt: skip
    total = next(r for r in runs[-1]["result"]["company"] if r["category"] == "all")
    best = min(runs, key=lambda r: r["bulletin_s"])
    print(
        json.dumps(
            {
                "orders": orders,
                "month": month,
                "energized": total["energized"],
                "created": total["created"],
                "nodes_completed": sum(n["completed"] for n in runs[-1]["result"]["company_nodes"]),
                "indicators_s": best["indicators_s"],
                "bulletin_s": best["bulletin_s"],
                "first_run_s": runs[0]["bulletin_s"],
                "revision_s": best["revision_s"],
                "xlsx_s": best["xlsx_s"],
                "overdue_rows": best["overdue_rows"],
                "runs": [r["bulletin_s"] for r in runs],
                "load_s": load_s,
                "analyze_s": analyze_s,
                "host_day_loop_per_s": yardstick,
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
