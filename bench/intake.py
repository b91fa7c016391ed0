"""Signed platform pushes accepted end to end (R3, P5): `python bench/intake.py`.

On PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/yekuo_intake; the tables
are migrated and the reference data, the demo organisation and a platform key are made if missing) with
`yekuo serve --no-worker` (gunicorn, WEB_WORKERS workers, as in production) on a free port. `--clients`
threads push `--pushes` signed applications of the construction-approval platform; `--duplicates` (30 %)
of them repeat an earlier application, placed a few requests after it so that some copies arrive while
the first is still being written, on another worker. Afterwards the database is checked: every accepted
application id has exactly one application and one order (`lost`: accepted but missing; `duplicates_created`:
an id with more than one order).

The last line is JSON: {"accepted_per_s", "duplicates_created", "lost", ...}; targets (2-core machine):
accepted_per_s >= 100, duplicates_created == 0, lost == 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lifecycle import free_port, wait_until_serving  # noqa: E402
from bench.pg_floor import cpu_seconds  # noqa: E402


def descendants(root: int) -> list[int]:
    """The process and all its descendants (gunicorn's master and workers under `yekuo serve`)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def backends() -> list[int]:
    """The PostgreSQL backends of this database other than the bench's own (the web workers' connections)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:  # exited
            continue
    return total


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/yekuo_intake")


def prepare():
    """Migrate and load what a push needs; a fresh key of the approval platform (key id, secret)."""
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from yekuo.accounts.demo import create_demo_org
    from yekuo.accounts.models import Company
    from yekuo.intake import credentials
    from yekuo.intake.platforms import platform_ensure
    from yekuo.regulations.models import Regulation
    from yekuo.workcal.models import CalendarDay

    if not CalendarDay.objects.exists():
        call_command("calendar", "seed", verbosity=0)
    if not Regulation.objects.exists():
        call_command("regulations", "load-bundled", verbosity=0)
    if not Company.objects.filter(code="ordos").exists():
        create_demo_org()
    platform = platform_ensure("approval_platform", Company.objects.get(code="ordos"))
    issued = credentials.key_issue(platform)
    return issued.key.key_id, issued.secret


def bodies(pushes: int, duplicates: float, run: str, rng: random.Random) -> list[dict]:
    from yekuo.intake.simulators.platform import ADDRESSES
    from yekuo.intake.testing import application

    out: list[dict] = []
    new = 0
    while len(out) < pushes:
        if out and rng.random() < duplicates:
            # mostly a recent one (likely still in flight on another client), sometimes an old one
            back = rng.randint(1, 8) if rng.random() < 0.7 else rng.randint(1, len(out))
            out.append(out[max(0, len(out) - back)])
        else:
            new += 1
            app_id = f"B{run}-{new:06d}"
            out.append(application(app_id, rng.choice(ADDRESSES), rng=random.Random(new),
                                   category=rng.choice(["lv_resident", "lv_business"])))  # fmt: skip
    return out


def push_all(base: str, key_id: str, secret: str, items: list[dict], clients: int) -> dict:
    from yekuo.intake.signing import signed_headers
    from yekuo.intake.testing import PUSH_PATH

    path = PUSH_PATH.format(code="approval_platform")
    raws = [json.dumps(body, ensure_ascii=False).encode() for body in items]
    results: list[tuple[int, str, bool] | None] = [None] * len(items)
    cursor = iter(range(len(items)))
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            headers = signed_headers(key_id, secret, "POST", path, int(time.time()), secrets.token_urlsafe(18), raws[i])
            request = urllib.request.Request(base + path, data=raws[i], headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    answer = json.loads(response.read())
                    results[i] = (response.status, answer.get("application_id"),
                                  response.headers.get("Idempotent-Replayed") == "true")  # fmt: skip
            except urllib.error.HTTPError as error:
                results[i] = (error.code, error.read()[:200].decode(errors="replace"), False)
            except OSError as error:
                results[i] = (0, str(error), False)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    accepted = [r for r in results if r and r[0] == 201]
    failures = [r for r in results if not r or r[0] != 201]
    return {
        "seconds": seconds,
        "accepted": len(accepted),
        "replayed": sum(1 for r in accepted if r[2]),
        "accepted_ids": {r[1] for r in accepted},
        "failures": failures[:5],
        "failed": len(failures),
    }


def check(run: str, accepted_ids: set[str]) -> tuple[int, int]:
    """(duplicates_created, lost) in the database."""
    from django.db.models import Count

    from yekuo.intake.models import Application
    from yekuo.orders.models import OrderEvent

    apps = Application.objects.filter(external_id__startswith=f"B{run}-", order__isnull=False)
    stored = set(apps.values_list("external_id", flat=True))
    keys = (
        OrderEvent.objects.filter(
            type="order.created", idempotency_key__startswith=f"platform:approval_platform:B{run}-"
        )
        .values("idempotency_key")
        .annotate(n=Count("id"))
    )
    orders_per_id = {row["idempotency_key"].rsplit(":", 1)[1]: row["n"] for row in keys}
    duplicates = sum(n - 1 for n in orders_per_id.values()) + (apps.count() - len(stored))
    lost = len(accepted_ids - stored) + len(accepted_ids - set(orders_per_id))
    return duplicates, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=3000)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: yekuo serve's)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    key_id, secret = prepare()
    from bench.clock_engine import host_yardstick

    yardstick = host_yardstick()
    run = secrets.token_hex(3)
    items = bodies(args.pushes, args.duplicates, run, random.Random(args.seed))

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "ERROR", "YEKUO_WARM_UP": "true"}
    if args.workers:
        env["WEB_WORKERS"] = str(args.workers)
    server = subprocess.Popen(
        [sys.executable, "-m", "yekuo.cli", "serve", "--no-worker", "--port", str(port)], cwd=ROOT, env=env
    )
    warm = 4 * args.clients  # opens every worker's database connection before the timed part
    try:
        wait_until_serving(port, server)
        warmed = push_all(f"http://127.0.0.1:{port}", key_id, secret, items[:warm], args.clients)
        web, database = descendants(server.pid), backends()
        cpu_before = cpu_of(web), cpu_of(database)
        result = push_all(f"http://127.0.0.1:{port}", key_id, secret, items[warm:], args.clients)
        cpu_web, cpu_db = cpu_of(web) - cpu_before[0], cpu_of(database) - cpu_before[1]
    finally:
        server.terminate()
        server.wait(timeout=120)
    duplicates, lost = check(run, result["accepted_ids"] | warmed["accepted_ids"])
    timed = len(items) - warm
    cpu_ms = (cpu_web + cpu_db) * 1000 / timed
    distinct = len({body["application_id"] for body in items})
    print(f"{args.pushes} pushes ({distinct} applications, {args.pushes - distinct} repeats) from {args.clients} "
          f"clients; {timed} timed in {result['seconds']:.2f}s; {result['replayed']} answered as repeats; "
          f"failed: {result['failed'] + warmed['failed']} {result['failures']}; CPU per push: web "
          f"{cpu_web * 1000 / timed:.1f} ms, PostgreSQL {cpu_db * 1000 / timed:.1f} ms")  # fmt: skip
    print(
        json.dumps(
            {
                "accepted_per_s": round(result["accepted"] / result["seconds"], 1),
                "new_orders_per_s": round(len(result["accepted_ids"]) / result["seconds"], 1),
                "duplicates_created": duplicates,
                "lost": lost,
                "pushes": args.pushes,
                "failed": result["failed"] + warmed["failed"],
                "cpu_ms_per_push": round(cpu_ms, 2),
                "cpu_bound_per_s_2_cores": round(2000 / cpu_ms, 1) if cpu_ms else None,
                "clients": args.clients,
                "database": "postgresql",
                "host_day_loop_per_s": yardstick,
                "load_average_1m": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
