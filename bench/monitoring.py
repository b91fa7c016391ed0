"""Benchmark: time-limit control at scale (R9, R10, O12) on the demo book.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/yekuo_stats \\
        .venv/bin/python bench/monitoring.py --orders 100000 [--runs 20] [--load]

The data is `yekuo demo --orders N` (with --load it is made first, timed, in the database DATABASE_URL
names, which must have been migrated and seeded: `yekuo migrate && yekuo calendar seed && yekuo
regulations load-bundled`). Then, timed:

- scan_s: one full warning scan (`monitoring.scan.scan(notify=False)`: raise and resolve), the first on the
  book (it raises every warning), and scan_again_s a second one (nothing new: the periodic case); sending
  the queued notices is not included;
- snapshot_s: today's daily snapshot (`monitoring.daily.store_day`), as of the start of the working day;
- risk_first_s, risk_s: the breach-risk refresh (`monitoring.risk.refresh_risks`), the day's first (it
  measures the year's finished clocks, then kept in the cache) and a later one (the running clocks only);
- the pages behind the control room, as requests through Django's test client in this process (URL
  routing, view, queries, template): the dashboard (company scope and one branch), the order list filtered
  by branch and warning state sorted by deadline, the same by node state, 我的待办 (sorted by deadline and
  by risk) and the day's overdue-warning list (stored by the snapshot above; with --pages-only, by an
  earlier `yekuo monitor daily`). `dashboard_p95_ms` is the p95 over all of those requests;
- count_s: the refresh of the dashboard's stored counts (`monitoring.counts.refresh`, what the background
  worker does every YEKUO_DASHBOARD_COUNT_MINUTES), made just before the pages (with --pages-only too).

The last line is JSON: {"orders", "in_transit", "scan_s", "scan_again_s", "snapshot_s", "risk_first_s", "risk_s",
"count_s", "dashboard_p95_ms", "pages": {name: {"p50_ms", "p95_ms", "runs"}}, "vendor", "complete"}, printed whatever
happens: a page that does not answer 200 is `{"status": code}` and the others are still timed; a page
stops being repeated after --page-budget-s (120 s; its "runs" says how many were timed); a failed step
is named in "error", a run stopped by Ctrl-C or SIGTERM says "stopped", and "complete" is then false
(the figures measured before are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    # (name, demo user, path); {branch} is the demo's first branch
    ("dashboard_company", "ordos_dispatcher", "/"),
    ("dashboard_branch", "dongsheng_manager", "/"),
    ("list_branch_warning_by_deadline", "ordos_dispatcher", "/orders/?branch=dongsheng&alarm=warning&sort=deadline"),
    ("list_branch_overdue_by_deadline", "ordos_dispatcher", "/orders/?branch=dongsheng&alarm=overdue&sort=deadline"),
    ("list_node_overdue", "ordos_dispatcher", "/orders/?node=survey_plan&node_state=overdue"),
    ("my_work", "dongsheng_clerk", "/work/"),
    ("my_work_by_risk", "dongsheng_clerk", "/work/?sort=risk"),
    ("alarms_today_branch", "dongsheng_manager", "/monitoring/alarms/"),
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def pages(
    runs: int,
    only: tuple[str, ...] = (),
    budget_s: float = 0,
    out: dict | None = None,
    every: list[float] | None = None,
) -> tuple[dict, list[float]]:
    """Each page `runs` times after one warm-up. A page that answers anything but 200 is recorded with its
    status and left (the others are still timed); with `budget_s`, a page stops being repeated once it has
    used that many seconds (its `runs` says how many were timed), so one slow page cannot stop the run.
    `out` and `every` are filled as each page is done, so a stopped run keeps the pages timed before."""
    from django.test import Client

    from yekuo.accounts.models import User

    out = {} if out is None else out
    every = [] if every is None else every
    for name, username, path in PAGES:
        if only and name not in only:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        times: list[float] = []
        spent, status = 0.0, 200
        for i in range(runs + 1):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            spent += elapsed / 1000
            if response.status_code != 200:
                status = response.status_code
                break
            if i or runs == 0:  # the first request warms the caches (regulation, calendar, templates)
                times.append(elapsed)
            if budget_s and spent >= budget_s and times:
                break
        if status != 200:
            out[name] = {"status": status}
        else:
            out[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                         "runs": len(times)}  # fmt: skip
            every += times
        print(f"{name}: {out[name]}", file=sys.stderr)
    return out, every


def _stop(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and print its JSON line last, whatever happens: a step that fails is named in
    `error`, a run stopped by Ctrl-C or SIGTERM says `stopped`, and `complete` is false in both cases; the
    figures measured until then are kept."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", action="store_true", help="Run `yekuo demo --orders N` first (timed)")
    parser.add_argument("--pages-only", action="store_true", help="Time the pages only (after a full run)")
    parser.add_argument("--database-url", help="The database (default: DATABASE_URL)")
    parser.add_argument("--page-budget-s", type=float, default=120.0,
                        help="Stop repeating a page after this many seconds (0: no limit)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    result: dict = {}
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        run(args, result)
    except KeyboardInterrupt as exc:
        result["stopped"] = str(exc) or "interrupted"
    except Exception as exc:  # a failed step still leaves the figures measured before it
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    finally:
        signal.signal(signal.SIGTERM, previous)
        result["complete"] = "stopped" not in result and "error" not in result
        print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return result


def run(args, result: dict) -> None:
    if args.load:
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/yekuo"), "demo", "--orders", str(args.orders)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        result["demo_load_s"] = round(time.perf_counter() - started, 1)
    setup_django()
    from bench.clock_engine import host_yardstick

    result["host_day_loop_per_s"] = host_yardstick()  # the host's plain-Python speed (bench/RESULTS.md)
    from django.db import connection
    from django.utils import timezone

    from yekuo.accounts.models import Company
    from yekuo.monitoring.daily import store_day
    from yekuo.monitoring.risk import refresh_risks
    from yekuo.monitoring.scan import scan
    from yekuo.orders.models import WorkOrder

    result["vendor"] = connection.vendor
    result["orders"] = WorkOrder.objects.count()
    result["in_transit"] = WorkOrder.objects.filter(status__in=("in_transit", "suspended")).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load
    if not args.pages_only:
        # The scan proper (raise and resolve); sending the notices it queues is the notifier's work, timed apart
        # only with --notify (it sends one by one through the outbox).
        seconds, first = timed(scan, notify=False)
        result["scan_s"] = round(seconds, 2)
        result["scan_raised"] = first.raised
        seconds, _ = timed(scan, notify=False)
        result["scan_again_s"] = round(seconds, 2)
        company = Company.objects.get(code="ordos")
        seconds, stored = timed(store_day, company, timezone.localdate())
        result["snapshot_s"] = round(seconds, 2)
        result["snapshot_replayed"] = stored.folded
        from django.core.cache import cache

        cache.clear()  # this run's cache (REDIS_URL's database, or the file cache): the history is made anew
        seconds, written = timed(refresh_risks)
        result["risk_first_s"] = round(seconds, 2)  # the day's first: the year's finished clocks measured too
        seconds, written = timed(refresh_risks)
        result["risk_s"] = round(seconds, 2)  # every quarter hour after: the running clocks
        result["risk_rows"] = written
        print(json.dumps(result), file=sys.stderr)
    from yekuo.monitoring.counts import refresh

    seconds, _ = timed(refresh)  # the dashboard's stored counts, as the worker refreshes them
    result["count_s"] = round(seconds, 2)
    every = []
    result["pages"] = {}
    result["dashboard_p95_ms"] = None
    try:
        pages(args.runs, budget_s=args.page_budget_s, out=result["pages"], every=every)
    finally:  # the p95 over the pages timed, also when the run stops among them
        result["dashboard_p95_ms"] = round(percentile(every, 0.95), 1) if every else None


if __name__ == "__main__":
    main()
