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
  by risk) and the day's overdue-warning list. `dashboard_p95_ms` is the p95 over all of those requests,
  as configured (the dashboard's counts kept YEKUO_DASHBOARD_CACHE_SECONDS); `dashboard_uncached_p95_ms`
  the dashboards' p95 with the counts computed on every request.

The last line is JSON: {"orders", "in_transit", "scan_s", "scan_again_s", "snapshot_s", "risk_first_s", "risk_s",
"dashboard_p95_ms", "pages": {name: {"p50_ms", "p95_ms"}}, "vendor"}.
"""

from __future__ import annotations

import argparse
import json
import os
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


def pages(runs: int, only: tuple[str, ...] = ()) -> tuple[dict, list[float]]:
    from django.test import Client

    from yekuo.accounts.models import User

    out, every = {}, []
    for name, username, path in PAGES:
        if only and name not in only:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        times = []
        for i in range(runs + 1):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, response.status_code, response.content[:300])
            if i:  # the first request warms the caches (regulation, calendar, templates)
                times.append(elapsed)
        out[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}
        every += times
        print(f"{name}: {out[name]}", file=sys.stderr)
    return out, every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", action="store_true", help="Run `yekuo demo --orders N` first (timed)")
    parser.add_argument("--pages-only", action="store_true", help="Time the pages only (after a full run)")
    args = parser.parse_args()
    result: dict = {}
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
    result["pages"], every = pages(args.runs)
    result["dashboard_p95_ms"] = round(percentile(every, 0.95), 1)
    # The same with the dashboard's counts computed on every request (YEKUO_DASHBOARD_CACHE_SECONDS=0).
    from django.test import override_settings

    with override_settings(YEKUO_DASHBOARD_CACHE_SECONDS=0):
        uncached, every = pages(args.runs, only=("dashboard_company", "dashboard_branch"))
    result["pages_uncached"] = uncached
    result["dashboard_uncached_p95_ms"] = round(percentile(every, 0.95), 1)
    result["vendor"] = connection.vendor
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
