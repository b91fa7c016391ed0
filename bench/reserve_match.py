"""What the reserve library's matching costs a new order (R5): `python bench/reserve_match.py`.

A library of `--projects` open projects (20,000 by default, each investor with one project), then counter
orders of units created through `orders.services.order_create` outside any transaction, so that the on-commit
hooks run as they do on a page: alternately (each arm first in every other round) with the reserve
library's hook (`matching.order_created`: one indexed query, and a proposal written when the order's investor
has a project at its site; `--hit` of the orders do) and with no hook, `--rounds` rounds of `--orders` orders
each. The hook's own time is also measured around each call (`hook_ms_measured`). On an embedded SQLite file in a
temporary directory unless BENCH_DATABASE_URL names a PostgreSQL database (dropped and made again).

The last line is JSON: {"ms_per_order_with_hook", "ms_per_order_without", "hook_ms_per_order",
"hook_ms_measured", ...}: the difference of the medians of the alternating rounds (noisy on a shared host),
and the mean time inside the hook per order.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(url: str | None) -> None:
    if url:
        from bench.lifecycle import recreate_database

        os.environ["BENCH_DATABASE_URL"] = url
        recreate_database()
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["YEKUO_DATA_DIR"] = tempfile.mkdtemp(prefix="yekuo-bench-reserve-")
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("calendar", "seed", stdout=devnull)
    call_command("regulations", "load-bundled", stdout=devnull)


def credit_code(rng: random.Random) -> str:
    from yekuo.orders.validation import USCC_CHARS, uscc_check

    first = "91" + f"{rng.randint(150000, 159999)}" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return first + uscc_check(first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=100, help="orders per round and arm")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hit", type=float, default=0.2, help="share of orders whose investor has a project")
    args = parser.parse_args()
    setup(os.environ.get("BENCH_DATABASE_URL"))

    from django.db import connection
    from django.utils import timezone

    from yekuo.accounts.testing import make_cast
    from yekuo.orders import hooks, services
    from yekuo.reserve import matching
    from yekuo.reserve.models import OrderMatch, Project, Source

    cast = make_cast()
    rng = random.Random(7)
    now = timezone.now()
    codes = [credit_code(rng) for _ in range(args.projects)]
    Project.objects.bulk_create(
        [Project(company=cast.company, branch=cast.east, service_area=cast.east_area, name=f"项目{i}",
                 investor_name=f"投资方{i}", investor_code=code, site_address=f"东区康和路{i}号",
                 source=Source.IMPORT, stage_changed_at=now, identified_at=now) for i, code in enumerate(codes)],
        batch_size=2000,
    )  # fmt: skip
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    spent = []

    def timed(order):
        started = time.perf_counter()
        try:
            return matching.order_created(order)
        finally:
            spent.append(time.perf_counter() - started)

    assert matching.order_created in hooks._CREATED
    registered = [timed if f is matching.order_created else f for f in hooks._CREATED]
    original = list(hooks._CREATED)

    def one_round(with_hook: bool, offset: int) -> float:
        hooks._CREATED[:] = registered if with_hook else []
        started = time.perf_counter()
        for n in range(args.orders):
            i = offset + n
            hit = rng.random() < args.hit
            services.order_create(
                actor=cast.clerk, category="lv_business", channel="counter", customer_name=f"投资方{i}",
                customer_id_number=codes[i % len(codes)] if hit else credit_code(rng), customer_phone="13912345678",
                site_address=f"东区康和路{i % len(codes)}号", capacity_kva=100, voltage="380V",
            )  # fmt: skip
        return (time.perf_counter() - started) * 1000 / args.orders

    one_round(True, 0)  # warm-up: caches, the work table, the regulation
    spent.clear()
    with_hook, without = [], []
    for r in range(args.rounds):  # ABBA: each arm goes first every other round, so a drifting host favours neither
        base = (r + 1) * 2 * args.orders
        if r % 2:
            without.append(one_round(False, base + args.orders))
            with_hook.append(one_round(True, base))
        else:
            with_hook.append(one_round(True, base))
            without.append(one_round(False, base + args.orders))
    hooks._CREATED[:] = original
    result = {
        "vendor": connection.vendor,
        "projects": args.projects,
        "orders_per_round": args.orders,
        "rounds": args.rounds,
        "ms_per_order_with_hook": round(statistics.median(with_hook), 2),
        "ms_per_order_without": round(statistics.median(without), 2),
        "hook_ms_per_order": round(statistics.median(with_hook) - statistics.median(without), 2),
        "hook_ms_measured": round(statistics.fmean(spent) * 1000, 3),
        "proposals": OrderMatch.objects.count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
