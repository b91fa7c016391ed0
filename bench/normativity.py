"""The month's return-visit plan, its summary and the normativity findings over the book in the database.

    DATABASE_URL=postgresql://… .venv/bin/yekuo demo --orders 200000
    DATABASE_URL=postgresql://… .venv/bin/python bench/normativity.py [--month YYYY-MM] [--sample 30]

The month defaults to the one with the most orders energized. Each step is timed once, after one warm-up run
of the findings (the first run reads the regulations). The last line is JSON:
{"orders", "month", "energized", "planned", "plan_s", "summary_s", "findings", "findings_s", "host_day_loop_per_s"}
(the host's yardstick, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from bench.clock_engine import host_yardstick
    from yekuo.normativity.findings import findings
    from yekuo.orders.models import WorkOrder
    from yekuo.visits.selectors import month_summary
    from yekuo.visits.services import plan_month

    parser = argparse.ArgumentParser()
    parser.add_argument("--month")
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()
    month = args.month
    if not month:
        busiest = (
            WorkOrder.objects.filter(status="energized")
            .annotate(m=TruncMonth("closed_at"))
            .values_list("m")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        month = busiest[0].strftime("%Y-%m")
    yardstick = host_yardstick()
    findings(month)  # warm-up: the regulations' node graphs
    started = time.perf_counter()
    plan = plan_month(month, sample=args.sample)
    plan_s = time.perf_counter() - started
    started = time.perf_counter()
    month_summary(month)
    summary_s = time.perf_counter() - started
    started = time.perf_counter()
    found = findings(month)
    findings_s = time.perf_counter() - started
    out = {
        "orders": WorkOrder.objects.count(), "month": month, "energized": plan.energized, "planned": plan.planned,
        "plan_s": round(plan_s, 3), "summary_s": round(summary_s, 3), "findings": len(found),
        "findings_s": round(findings_s, 3), "host_day_loop_per_s": yardstick,
    }  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main()
