"""Calibration of the breach risk (O12, docs/breach-risk.md) on the demo history: predict at a past
instant, compare with what happened.

    DATABASE_URL=… .venv/bin/python bench/risk_calibration.py [--days-back 20] [--every 10]

At T0 = now − N working days, the history is what T0 knew: clocks finished before T0 are observations,
clocks running at T0 are censored at the ratio they had used by then. Every clock running at T0 gets
P(overdue) from those curves (branch, then company, then the limit). Its outcome is known when it has
finished since (late: finished after its deadline) or is still running past its deadline (late); a clock
still running within its limit has no outcome yet and is left out. Printed: the Brier score (and that of
always predicting the base rate), and a reliability table by predicted decile (mean prediction, observed
rate, n). The last line is JSON.

Approximations: a clock's used ratio at T0 is read from its final deadline (a pause after T0 moves it),
and the stored rows are taken as they stand, not refolded at T0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days-back", type=int, default=20)
    parser.add_argument(
        "--every", type=int, default=1, help="Only the orders whose id is a multiple of this (a sample)"
    )
    parser.add_argument("--k", type=float, default=None, help="Shrinkage weight (default: SHRINK_K)")
    parser.add_argument("--p-min", type=float, default=None, help="Bound of a clock within its limit (default: P_MIN)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import F
    from django.utils import timezone

    from yekuo.monitoring.risk import BASES, P_MIN, SHRINK_K, kaplan_meier, probability, used_ratios
    from yekuo.orders.models import Clock
    from yekuo.workcal.engine import to_epoch
    from yekuo.workcal.selectors import work_table

    table = work_table("ordos")
    now = timezone.now()
    now_ts = to_epoch(now)
    t0 = table.w_inv(table.w(now_ts) - args.days_back * table.day_seconds_at(now_ts))
    rows = list(
        Clock.objects.filter(started_at__isnull=False, deadline_at__isnull=False, budget_seconds__gt=0)
        .exclude(state="cancelled")
        .annotate(sample=F("order_id") % args.every)
        .filter(sample=0)
        .values_list(
            "order__branch_id",
            "order__category",
            "code",
            "state",
            "budget_seconds",
            "started_at",
            "deadline_at",
            "completed_at",
        )
    )
    started = np.array([to_epoch(r[5]) for r in rows])
    deadline = np.array([to_epoch(r[6]) for r in rows])
    completed = np.array([to_epoch(r[7]) if r[7] else 2**40 for r in rows])
    budget = np.array([r[4] for r in rows])
    lo, hi = table.t_min, table.t_max - 1
    at_t0 = used_ratios(table, budget, np.clip(deadline, lo, hi), np.full(len(rows), t0))
    at_end = used_ratios(table, budget, np.clip(deadline, lo, hi), np.clip(completed, lo, hi))
    finished_before = (started <= t0) & (completed <= t0)
    running_t0 = (started <= t0) & (completed > t0)
    groups: dict = {"branch": defaultdict(lambda: ([], [])), "company": defaultdict(lambda: ([], []))}
    for i, r in enumerate(rows):
        if not (finished_before[i] or running_t0[i]):
            continue
        ratio, done = (at_end[i], True) if finished_before[i] else (at_t0[i], at_t0[i] > 1)
        for level, key in (("branch", (r[0], r[1], r[2])), ("company", (r[1], r[2]))):
            groups[level][key][0].append(ratio)
            groups[level][key][1].append(done)
    curves = {level: {k: kaplan_meier(*v) for k, v in g.items()} for level, g in groups.items()}
    k = SHRINK_K if args.k is None else args.k
    p_min = P_MIN if args.p_min is None else args.p_min
    predicted, outcome, bases, finished_since = [], [], defaultdict(int), []
    for i, r in enumerate(rows):
        if not running_t0[i] or at_t0[i] > 1:
            continue  # only clocks still within their limit at T0: the ones a manager could act on
        if completed[i] < 2**40:
            late = completed[i] > deadline[i]
            finished_since.append(True)
        elif now_ts > deadline[i]:
            late = True
            finished_since.append(False)
        else:
            continue  # still running within its limit: no outcome yet
        p, basis = probability(float(at_t0[i]), [curves["branch"].get((r[0], r[1], r[2])),
                                                 curves["company"].get((r[1], r[2]))], k=k, p_min=p_min)  # fmt: skip
        predicted.append(p)
        outcome.append(1.0 if late else 0.0)
        bases[basis] += 1
    p, y = np.array(predicted), np.array(outcome)
    brier = float(np.mean((p - y) ** 2)) if p.size else None
    base = float(np.mean((y.mean() - y) ** 2)) if p.size else None
    done = np.array(finished_since, dtype=bool)
    # The clocks finished since T0 alone: a clock still running (and so counted only if past its deadline) is an
    # outcome known early only when late, which the full set over-represents.
    brier_done = float(np.mean((p[done] - y[done]) ** 2)) if done.any() else None
    base_done = float(np.mean((y[done].mean() - y[done]) ** 2)) if done.any() else None
    table_rows = []
    for lo_edge in np.arange(0, 1, 0.1):
        mask = (p >= lo_edge) & (p < lo_edge + 0.1 + (1e-9 if lo_edge >= 0.9 else 0))
        if mask.any():
            table_rows.append({"bin": f"{lo_edge:.1f}–{lo_edge + 0.1:.1f}", "mean_p": round(float(p[mask].mean()), 3),
                               "observed": round(float(y[mask].mean()), 3), "n": int(mask.sum())})  # fmt: skip
    for row in table_rows:
        print(f"{row['bin']}: predicted {row['mean_p']:.2f}, observed {row['observed']:.2f}, n={row['n']}")
    summary = {
        "t0": timezone.localtime(table.local(t0)).isoformat(),
        "clocks": int(p.size),
        "late_rate": round(float(y.mean()), 3) if p.size else None,
        "brier": round(brier, 4) if brier is not None else None,
        "brier_base_rate": round(base, 4) if base is not None else None,
        "bases": dict(bases),
        "finished_since": int(done.sum()),
        "brier_finished": round(brier_done, 4) if brier_done is not None else None,
        "brier_base_rate_finished": round(base_done, 4) if base_done is not None else None,
        "k": k,
        "p_min": p_min,
        "reliability": table_rows,
        "levels": list(BASES),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
