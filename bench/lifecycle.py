"""Benchmark: work orders driven through their whole life by the services, and events through the API.

    .venv/bin/python bench/lifecycle.py [--orders 1000] [--workers N] [--api-orders 200] [--batch 50]

Runs on PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/yekuo_bench; the database
is dropped and created anew). Part 1 drives --orders orders of all four categories (a quarter each) from
creation to energization through the same services the pages and the API call, in --workers processes
(default: as many as `yekuo serve` runs web workers, WEB_WORKERS or 2 × cores + 1); every order's log is
then replayed (`orders verify`) to check the result. The time counted runs from the first worker's first
action to the last worker's last: each worker first starts Django and loads the calendar and regulation,
as a server process has before its first request. Part 2 starts gunicorn (--workers processes) and posts
the control-layer events of --api-orders orders to POST /api/v1/events, --batch events a request, from
twice as many client threads. The last line is JSON: {"orders_per_s": …, "workers": …, "events_per_order": …,
"cpu_ms_per_order": …, "cpu_bound_orders_per_s": …, "cores": …, "host_day_loop_per_s": …,
"host_floor_us_per_action": …, …, "orders_batched_per_s": …, "api_events_per_s": …, "api_single_events_per_s": …}.
`cpu_ms_per_order` is the CPU of the workers and of their PostgreSQL backends over part 1, per order, and
`cpu_bound_orders_per_s` the cores divided by it: the most orders/s this host could drive at that cost, which
`orders_per_s` can only approach (P2: when the two are close, the workers ran out of CPU, not time).
`host_day_loop_per_s` is a yardstick of the host's plain-Python speed
measured first in the same run (bench/clock_engine.py `host_yardstick`), and the `host_…_us` figures are its
PostgreSQL's round trip and commit (bench/pg_floor.py): the figures move with them from host to host, and
they tell a slower host from slower code.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
STEPS = {
    "lv_resident": ["acceptance", "survey_plan", "grid_works", "contract_energize"],
    "lv_business": ["acceptance", "survey_plan", "approval", "grid_works", "contract_energize"],
    "hv10_single": ["acceptance", "survey_plan", "@approval.decided", "approval", "grid_works",
                    "@customer.works_completed", "contract_inspection"],
    "hv10_dual": ["acceptance", "survey_plan", "@customer.design_submitted", "approval", "drawing_review",
                  "@customer.inspection_requested", "mid_inspection", "@customer.works_completed", "grid_works",
                  "contract_inspection"],
}  # fmt: skip
CATEGORIES = list(STEPS)


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/yekuo_bench")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def recreate_database() -> None:
    import psycopg

    url = database_url()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> None:
    """Schema, calendar, regulation, one branch, a staff user and an integration user with a token."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("calendar", "seed", stdout=open(os.devnull, "w"))
    call_command("regulations", "load-bundled", stdout=open(os.devnull, "w"))
    from rest_framework.authtoken.models import Token

    from yekuo.accounts.models import Branch, Company, Role, ServiceArea, User

    company = Company.objects.create(code="bench", name="基准供电公司")
    branch = Branch.objects.create(company=company, code="b1", name="基准分公司")
    ServiceArea.objects.create(branch=branch, code="a1", name="基准营业区", keywords=["基准区"])
    user = User.objects.create_user("bench", password="bench-password-2026", company=company)
    user.roles.set(Role.objects.filter(code="administrator"))  # drives every node through the staff services
    feed = User.objects.create_user("bench_feed", company=company)  # the marketing system's account: relays only
    feed.roles.set(Role.objects.filter(code="integration"))
    Token.objects.create(user=feed, key="bench" + "0" * 35)


def _lives(count: int, offset: int):
    """(order attributes, [(event type, payload, at), ...]) for each order's whole life."""
    for i in range(offset, offset + count):
        category = CATEGORIES[i % 4]
        at = T0 + timedelta(minutes=i)
        voltage = "10kV" if category.startswith("hv10") else "380V"
        order = {"category": category, "channel": "counter", "customer_name": f"客户{i}", "site_address": "基准区1号",
                 "customer_phone": "13912345678",
                 "capacity_kva": 100, "voltage": voltage, "occurred_at": at}  # fmt: skip
        steps = []
        for step in STEPS[category]:
            at += timedelta(hours=3)
            if step == "@approval.decided":
                steps.append(("approval.decided", {"low_risk": i % 2 == 0}, at))
            elif step.startswith("@"):
                steps.append((step[1:], {}, at))
            else:
                steps.append(("node.completed", {"node": step}, at))
        yield order, steps


def drive(worker: int, count: int, offset: int, start, batched: bool = False) -> tuple[int, float, float, float]:
    """Drive `count` orders through their whole life; returns the number of events appended, the
    wall-clock times the driving began and ended, and the CPU seconds it took this process and its
    PostgreSQL backend together (from /proc: PostgreSQL runs on this machine).

    One action per service call, as staff work; or, `batched`, each order created with its whole history
    in one call (`order_create(steps=…)`), as the control layer sends a new order's events in one batch.
    The process first starts Django and loads the reference data (work table, regulation), as a server
    process has before its first request; then it waits at `start` (a barrier) so that every worker's
    timed part runs at the same time.
    """
    setup_django()
    from django.db import connection

    from yekuo.accounts.models import Branch, User
    from yekuo.regulations.selectors import regulation_effective
    from yekuo.workcal.selectors import work_table

    connection.close()
    actor = User.objects.get(username="bench")
    branch = Branch.objects.select_related("company").get(code="b1")
    work_table(branch.company.code)
    regulation_effective(T0)
    lives = list(_lives(count, offset))
    from bench.pg_floor import cpu_seconds

    backend = connection.connection.info.backend_pid
    start.wait()
    began, cpu = time.time(), time.process_time() + cpu_seconds(backend)
    events = live_through(lives, actor, branch, batched)
    return events, began, time.time(), time.process_time() + cpu_seconds(backend) - cpu


def live_through(lives, actor, branch, batched: bool = False) -> int:
    """Drive each (order attributes, steps) of `lives` through the services, one action per call (or, `batched`,
    each order created with its history in one call); returns the number of events appended."""
    from yekuo.orders import services
    from yekuo.orders.models import EventSource

    source, events = EventSource.IMPORT, 0
    for attributes, steps in lives:
        if batched:
            batch = [services.Step(kind, payload, at) for kind, payload, at in steps]
            services.order_create(actor=actor, branch=branch, source=source, steps=batch, **attributes)
        else:
            order = services.order_create(actor=actor, branch=branch, source=source, **attributes)
            for kind, payload, at in steps:
                services.apply_event(order, kind, actor=actor, payload=payload, occurred_at=at, source=source)
        events += 2 + len(steps)
    return events


def drive_all(workers: int, share: int, offset: int, batched: bool = False) -> tuple[int, float, float]:
    """Drive `share` orders in each of `workers` processes; returns the events appended, the seconds
    from the first worker's start to the last one's end, and the CPU seconds of the workers and their
    PostgreSQL backends."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(workers) as pool:
        start = manager.Barrier(workers)
        runs = pool.starmap(drive, [(w, share, offset + w * share, start, batched) for w in range(workers)])
    seconds = max(run[2] for run in runs) - min(run[1] for run in runs)
    return sum(run[0] for run in runs), seconds, sum(run[3] for run in runs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    """Until gunicorn answers /healthz: the timed part starts with a server ready, as in production.

    With --preload the master loads the application (and warms its caches, config/wsgi.py) before it
    binds; the answer confirms that a worker is taking requests."""
    import urllib.request

    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not answer /healthz within 120 s")
        time.sleep(0.1)


def api_events(count: int, offset: int) -> list[dict]:
    """The control-layer events of `count` orders, as the marketing system would send them."""
    events = []
    for i, (attributes, steps) in enumerate(_lives(count, offset), start=offset):
        order = {**attributes, "external_ref": f"MBS{i:07d}", "channel": "gov_portal", "branch": "b1"}
        created = order.pop("occurred_at")
        for n, (kind, payload, at) in enumerate([("order.received", {}, created), *steps]):
            events.append({"id": f"{i}-{n}", "at": at.isoformat(), "type": kind, "order": order, **payload})
            order = {"external_ref": order["external_ref"]}
    return events


def post_all(port: int, events: list[dict], batch: int, threads: int) -> float:
    """Post the events (each order's events in order, orders spread over threads); returns seconds."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    by_order: dict[str, list[dict]] = {}
    for event in events:
        by_order.setdefault(event["order"]["external_ref"], []).append(event)
    lanes = [[] for _ in range(threads)]
    for n, order_events in enumerate(by_order.values()):
        lanes[n % threads].extend(order_events)

    def send(lane: list[dict]) -> None:
        for k in range(0, len(lane), batch):
            chunk = lane[k : k + batch]
            body = json.dumps(chunk if batch > 1 else chunk[0]).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/events", data=body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": "Token bench" + "0" * 35},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=60) as response:
                result = json.loads(response.read())
            rejected = [r for r in (result if isinstance(result, list) else result.get("results", [result]))
                        if r.get("status") == "rejected"]  # fmt: skip
            if rejected:
                raise SystemExit(f"the API rejected events: {rejected[:3]}")

    begin = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, lanes))
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    from config.env import web_workers

    parser.add_argument("--workers", type=int, default=web_workers())
    parser.add_argument("--api-orders", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    from bench.clock_engine import host_yardstick
    from bench.pg_floor import measure

    yardstick = host_yardstick()  # before anything else runs: the host's plain-Python speed today
    recreate_database()
    floor = {f"host_{name}": value for name, value in measure(database_url()).items()}  # and its PostgreSQL's
    setup_django()
    prepare()
    from django.db import connection

    connection.close()

    share = args.orders // args.workers
    events, seconds, cpu = drive_all(args.workers, share, 0)
    from yekuo.orders.models import WorkOrder
    from yekuo.orders.recompute import verify_orders

    orders = share * args.workers
    bad = sum(1 for _, differences in verify_orders() if differences)
    energized = WorkOrder.objects.filter(status="energized").count()
    if bad or energized != orders:
        raise SystemExit(f"lifecycle check failed: {energized}/{orders} energized, {bad} differ from their logs")
    cores = os.cpu_count() or 1
    result = {"orders_per_s": round(orders / seconds, 1), "workers": args.workers,
              "events_per_order": round(events / orders, 2), "cpu_ms_per_order": round(cpu / orders * 1000, 1),
              "cpu_bound_orders_per_s": round(cores * orders / cpu, 1), "cores": cores,
              "host_day_loop_per_s": yardstick, **floor}  # fmt: skip
    print(
        f"services, one action a call: {orders} orders, {events} events in {seconds:.2f}s, "
        f"{cpu:.1f}s of CPU (workers and their PostgreSQL backends)"
    )

    _, seconds, _ = drive_all(args.workers, share, 100_000, batched=True)
    result["orders_batched_per_s"] = round(orders / seconds, 1)
    print(f"services, each order with its history in one call: {orders} orders in {seconds:.2f}s")
    bad = sum(1 for _, differences in verify_orders() if differences)
    if bad or WorkOrder.objects.filter(status="energized").count() != 2 * orders:
        raise SystemExit(f"batched lifecycle check failed: {bad} orders differ from their logs")

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "ERROR"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--preload", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_serving(port, server)
        batched = api_events(args.api_orders, 10_000)
        seconds = post_all(port, batched, args.batch, threads=args.workers * 2)
        result["api_events_per_s"] = round(len(batched) / seconds, 1)
        single = api_events(max(args.api_orders // 4, 4), 20_000)
        seconds = post_all(port, single, 1, threads=args.workers * 2)
        result["api_single_events_per_s"] = round(len(single) / seconds, 1)
        print(f"api: {len(batched)} events in batches of {args.batch}, {len(single)} one per request")
    finally:
        server.terminate()
        server.wait(timeout=120)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
