"""Benchmark: the order lists at scale (P4): the API list and its alarm filters, 我的待办, the list
page and a branch's Excel export, p50 and p95 over repeated requests.

    .venv/bin/python bench/list_queries.py --orders 100000 [--runs 15] [--db var/bench-list.sqlite3]
    .venv/bin/python bench/list_queries.py --orders 100000 --database-url postgresql://postgres@127.0.0.1:5432/yekuo_perf
    .venv/bin/python bench/list_queries.py --orders 10000 --code /tmp/yekuo-main   # another version's code

The data comes from bench/list_data.py (made anew unless --reuse). Each request goes through Django's
test client in this process (URL routing, the view, its queries, the template or serializer, the
workbook): what a web worker spends on it, without the network. Users are the test cast's: the company's
department manager for the API and the list page (all orders), the east branch's acceptance clerk and
branch manager for 我的待办, and the east branch manager for the export (all of the branch's orders, an
eighth of the book). A request that takes longer than --budget seconds is run once. The last line is
JSON: {case: {"p50_ms", "p95_ms", "cpu_p50_ms", "runs"}, …, "orders", "vendor", "code"}. `cpu_p50_ms` is this
process's CPU time (SQLite works inside it; PostgreSQL's backend is not counted): on a shared host, wall
time also counts the other processes' turns.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import list_data

CASES = (
    # (name, user, path)
    ("api_list", "department_manager", "/api/v1/orders/"),
    ("api_overdue", "department_manager", "/api/v1/orders/?alarm=overdue"),
    ("api_warning", "department_manager", "/api/v1/orders/?alarm=warning"),
    ("api_by_deadline", "department_manager", "/api/v1/orders/?sort=deadline"),
    ("api_branch", "department_manager", "/api/v1/orders/?branch=east"),
    ("api_branch_manager", "branch_manager", "/api/v1/orders/"),
    ("api_branch_manager_by_deadline", "branch_manager", "/api/v1/orders/?sort=deadline"),
    ("my_work_clerk", "clerk", "/work/"),
    ("my_work_branch_manager", "branch_manager", "/work/"),
    ("list_page", "department_manager", "/orders/"),
    ("list_page_overdue", "department_manager", "/orders/?alarm=overdue"),
    ("export_branch", "branch_manager", "/orders/export.xlsx"),
    ("export_branch_overdue", "branch_manager", "/orders/export.xlsx?alarm=overdue"),
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(runs: int, budget: float, only: set[str]) -> dict:
    from django.test import Client

    from yekuo.accounts.models import User

    results = {}
    for name, username, path in CASES:
        if only and name not in only:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        times, cpu = [], []
        for i in range(runs + 1):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed, used = time.perf_counter() - started, time.process_time() - started_cpu
            # An export longer than YEKUO_EXPORT_INLINE_ROWS answers 302 to its background job's page (its
            # rows per second: bench/export_rows.py); the request is then only the count and the job's row.
            assert response.status_code == 200 or (name.startswith("export") and response.status_code == 302), (
                name, response.status_code, body[:300],
            )  # fmt: skip
            if i == 0 and elapsed < budget:
                continue  # the first request warms the caches (regulation, calendar, templates)
            times.append(elapsed * 1000)
            cpu.append(used * 1000)
            if elapsed >= budget:
                break
        results[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "runs": len(times),
            "bytes": len(body),
            "status": response.status_code,
        }
        print(name, results[name], file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds; a slower request is run once")
    parser.add_argument("--db", default=str(list_data.ROOT / "var" / "bench-list.sqlite3"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--code", default=str(list_data.ROOT), help="the yekuo tree to measure")
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is (made by this --code)")
    parser.add_argument("--only", default="", help="comma-separated case names")
    args = parser.parse_args()
    url = list_data.database_url(args)
    if not args.reuse:
        list_data.recreate(url)
    list_data.setup_django(Path(args.code), url)
    generated = None if args.reuse else list_data.generate(args.orders)
    from django.db import connection

    from yekuo.orders.models import WorkOrder

    results = measure(args.runs, args.budget, set(filter(None, args.only.split(","))))
    results.update(
        orders=WorkOrder.objects.count(), vendor=connection.vendor, code=args.code, generated=generated,
    )  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
