"""Benchmark: the what-if of a regulation and the process-mining export (O17, O18) on the demo book.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/yekuo_whatif \\
        .venv/bin/python bench/whatif.py --orders 5000 [--load]

The data is `yekuo demo --orders N` (with --load it is made first, in the database DATABASE_URL names, which
must have been migrated and seeded: `yekuo migrate && yekuo calendar seed && yekuo regulations
load-bundled`). Then, timed in this process, over every order of the book:

- whatif_s: `yekuo whatif` with docs/examples/whatif-survey-faster.toml (each order folded under its own
  regulation and under the proposed one, every clock measured), without printing;
- xes_s, ocel_s: `yekuo export events` to a file in each format.

The last line is JSON: {"orders", "whatif_s", "whatif_orders_per_s", "xes_s", "ocel_s", "export_orders_per_s",
"xes_mb", "ocel_mb", "vendor", "host_day_loop_per_s"}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROPOSED = ROOT / "docs" / "examples" / "whatif-survey-faster.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--load", action="store_true", help="Run `yekuo demo --orders N` first")
    args = parser.parse_args()
    if args.load:
        subprocess.run([str(ROOT / ".venv/bin/yekuo"), "demo", "--orders", str(args.orders)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.clock_engine import host_yardstick
    from yekuo.orders.models import WorkOrder
    from yekuo.regulations.loader import load_file
    from yekuo.whatif.eventlog import write_ocel, write_xes
    from yekuo.whatif.period import Period
    from yekuo.whatif.replay import run_whatif

    first = timezone.localdate(WorkOrder.objects.order_by("created_at").values_list("created_at", flat=True)[0])
    last = timezone.localdate(WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0])
    period = Period(first, last)
    spec, _ = load_file(PROPOSED)
    started = time.perf_counter()
    result = run_whatif(spec, period, timezone.now())
    whatif_s = time.perf_counter() - started
    orders = result.total.orders + result.not_replayed
    sizes, times = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, write in (("xes", write_xes), ("ocel", write_ocel)):
            path = Path(scratch) / f"log.{name}"
            started = time.perf_counter()
            with path.open("w", encoding="utf-8") as stream:
                write(period, stream)
            times[name] = time.perf_counter() - started
            sizes[name] = round(path.stat().st_size / 1e6, 1)
    print(f"what-if: {orders} orders in {whatif_s:.1f} s; xes {times['xes']:.1f} s, ocel {times['ocel']:.1f} s",
          file=sys.stderr)  # fmt: skip
    print(
        json.dumps(
            {
                "orders": orders,
                "whatif_s": round(whatif_s, 2),
                "whatif_orders_per_s": round(orders / whatif_s),
                "xes_s": round(times["xes"], 2),
                "ocel_s": round(times["ocel"], 2),
                "export_orders_per_s": round(orders / max(times.values())),
                "xes_mb": sizes["xes"],
                "ocel_mb": sizes["ocel"],
                "vendor": connection.vendor,
                "host_day_loop_per_s": host_yardstick(),  # the host's plain-Python speed (bench/RESULTS.md)
            }
        )
    )


if __name__ == "__main__":
    main()
