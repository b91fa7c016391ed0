"""Breach risk (O12): the probability that a running clock will end overdue, from the history of its node.

The method is in docs/breach-risk.md. In short: a clock's *used ratio* is the working time it has used
divided by its budget (1.0 = the limit). For the clocks of one node (clock code) in one branch and
category, the finished ones are observations of the ratio at which the work was done, and the running ones
are right-censored at the ratio they have used so far (a clock already past 1.0 is known to end overdue).
The Kaplan–Meier estimate S(r) = P(ratio > r) over them gives, for a clock that has used x:

    P(overdue | used x) = P(R > 1 | R > x) = S(1) / S(x)         (x < 1; a clock past its limit: 1)

When fewer than MIN_AT_RISK clocks of the branch reached x, the company's clocks of that category and node
are used; when those are too few too, the regulation's limit alone: the total time is taken as uniform
between 0 and twice the limit (the limit as the median), P = 1 / (2 − x).

Everything here is plain arithmetic on arrays (tested on synthetic histories with known answers); the
database side (`refresh_risks`) measures the clocks with the work table's batch functions and stores one
`BreachRisk` row per running clock, refreshed by the periodic job.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

MIN_AT_RISK = 20  # clocks that reached the ratio in question, for a level of history to be used
HISTORY_DAYS = 365  # finished clocks older than this are not history any more (the work changes)
BASES = ("branch", "company", "limit")


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier survival curve of the used ratio: S(r) = P(R > r), a step function.

    `times`: the distinct ratios at which a clock finished, ascending; `survival[i]`: S just after times[i];
    `at_risk[i]`: clocks with a ratio ≥ times[i]; `total`: clocks observed (finished or running)."""

    times: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int, ...]
    total: int
    ratios: tuple[float, ...] = ()  # every observed ratio (finished or censored), ascending: for `reached`

    def s(self, r: float) -> float:
        """S(r) = P(R > r): the product over the finishing ratios ≤ r."""
        i = bisect_right(self.times, r)
        return 1.0 if i == 0 else self.survival[i - 1]

    def reached(self, r: float) -> int:
        """How many observed clocks had a ratio of at least r (used at least r of their budget)."""
        return len(self.ratios) - bisect_right(self.ratios, r - 1e-12) if self.ratios else 0


def kaplan_meier(ratios, finished) -> Curve:
    """The survival curve of `ratios` (used / budget), `finished[i]` False for a clock still running
    (censored at its ratio). Ties: finishing before censoring, as usual."""
    r = np.asarray(ratios, dtype=float)
    f = np.asarray(finished, dtype=bool)
    if r.size == 0:
        return Curve((), (), (), 0, ())
    order = np.lexsort((~f, r))  # by ratio, finished first among equals
    r, f = r[order], f[order]
    n = r.size
    times, survival, at_risk = [], [], []
    s = 1.0
    i = 0
    while i < n:
        j = i
        while j < n and r[j] == r[i]:
            j += 1
        deaths = int(f[i:j].sum())
        if deaths:
            risk = n - i
            s *= 1.0 - deaths / risk
            times.append(float(r[i]))
            survival.append(s)
            at_risk.append(risk)
        i = j
    return Curve(tuple(times), tuple(survival), tuple(at_risk), n, tuple(float(x) for x in r))


def prior_probability(x: float) -> float:
    """With no history, the limit as the median of a uniform [0, 2·limit]: P(R > 1 | R > x) = 1 / (2 − x)."""
    if x >= 1:
        return 1.0
    return 1.0 / (2.0 - max(x, 0.0))


def probability(x: float, curves: list[Curve], min_at_risk: int = MIN_AT_RISK) -> tuple[float, str]:
    """P(overdue | used ratio x) from the first curve (branch, then company) with enough clocks that reached
    x; else from the limit (`prior_probability`). Returns (probability, basis)."""
    if x > 1:
        return 1.0, "overdue"
    for basis, curve in zip(BASES, curves, strict=False):
        if curve is None or curve.reached(x) < min_at_risk:
            continue
        sx = curve.s(x)
        if sx <= 0:
            continue
        return min(1.0, curve.s(1.0) / sx), basis
    return prior_probability(x), "limit"


# ------------------------------------------------------------------------------------------ database side
@dataclass
class Measured:
    order_id: int
    branch_id: int
    company_id: int
    category: str
    clock: str
    ratio: float
    finished: bool


def used_ratios(table, budgets, deadlines, ends) -> np.ndarray:
    """used / budget of clocks, from their deadline and the instant they are measured at (completion, or now
    for a running one): the working time between the end and the deadline is what was left (negative: over).
    Pauses before the end are in the deadline already; a pause after a deadline that was passed is ignored
    (a small over-estimate of how late a clock finished). Epoch seconds in, ratios out."""
    budgets = np.asarray(budgets, dtype=float)
    left = table.w_batch(np.asarray(deadlines, dtype=np.int64)) - table.w_batch(np.asarray(ends, dtype=np.int64))
    return 1.0 - left / np.maximum(budgets, 1.0)


def measure(now: datetime, *, history_days: int = HISTORY_DAYS, orders=None) -> list[Measured]:
    """The used ratio of every running clock (at `now`) and of every clock finished in the last
    `history_days` (at its completion) with a budget and a deadline. `orders`: a WorkOrder queryset to limit to."""
    from django.db.models import Q

    from yekuo.orders.models import Clock
    from yekuo.workcal.selectors import work_table

    since = now - timedelta(days=history_days)
    clocks = Clock.objects.filter(
        Q(state="running") | Q(state="done", completed_at__gte=since, completed_at__lte=now),
        deadline_at__isnull=False,
        budget_seconds__gt=0,
        started_at__lte=now,
    )
    if orders is not None:
        clocks = clocks.filter(order__in=orders.values("pk"))
    rows = clocks.values_list(
        "order_id", "order__branch_id", "order__branch__company_id", "order__branch__company__code",
        "order__category", "code", "state", "budget_seconds", "deadline_at", "completed_at",
    )  # fmt: skip
    by_company: dict[str, list] = defaultdict(list)
    for row in rows.iterator(chunk_size=20000):
        by_company[row[3]].append(row)
    now_ts = int(now.timestamp())
    out: list[Measured] = []
    for code, group in by_company.items():
        table = work_table(code)
        lo, hi = table.t_min, table.t_max - 1
        ends = [int(r[9].timestamp()) if r[6] == "done" else now_ts for r in group]
        deadlines = [int(r[8].timestamp()) for r in group]
        ratios = used_ratios(
            table,
            [r[7] for r in group],
            np.clip(deadlines, lo, hi),
            np.clip(ends, lo, hi),
        )
        for row, ratio in zip(group, ratios, strict=True):
            out.append(Measured(row[0], row[1], row[2], row[4], row[5], float(ratio), row[6] == "done"))
    return out


def curves_of(measured: list[Measured]) -> tuple[dict, dict]:
    """Kaplan–Meier curves per (branch, category, clock) and per (company, category, clock)."""
    by_branch: dict[tuple, list[Measured]] = defaultdict(list)
    by_company: dict[tuple, list[Measured]] = defaultdict(list)
    for m in measured:
        by_branch[(m.branch_id, m.category, m.clock)].append(m)
        by_company[(m.company_id, m.category, m.clock)].append(m)

    def curve(items):
        return kaplan_meier([m.ratio for m in items], [m.finished or m.ratio > 1 for m in items])

    # A running clock past its limit is known to end overdue: counted as finished above 1 (its exact end
    # does not matter for S(1)).
    return {k: curve(v) for k, v in by_branch.items()}, {k: curve(v) for k, v in by_company.items()}


def estimate(measured: list[Measured]) -> list[tuple[Measured, float, str]]:
    """(clock, probability, basis) for each running clock of `measured`."""
    branch_curves, company_curves = curves_of(measured)
    out = []
    for m in measured:
        if m.finished:
            continue
        curves = [branch_curves.get((m.branch_id, m.category, m.clock)),
                  company_curves.get((m.company_id, m.category, m.clock))]  # fmt: skip
        p, basis = probability(m.ratio, curves)
        out.append((m, p, basis))
    return out


def refresh_risks(now: datetime | None = None) -> int:
    """Recompute the breach risk of every running clock and store it (one BreachRisk row per running clock;
    the rows of clocks that stopped running are deleted). Returns the number of rows written. Run by the
    periodic job (monitoring.tasks) and `yekuo monitor risk`."""
    from django.db import transaction
    from django.utils import timezone

    from yekuo.monitoring.models import BreachRisk

    now = now or timezone.now()
    rows = [
        BreachRisk(order_id=m.order_id, clock=m.clock, branch_id=m.branch_id, probability=round(p, 4),
                   used_ratio=round(m.ratio, 4), basis=basis, computed_at=now)
        for m, p, basis in estimate(measure(now))
    ]  # fmt: skip
    with transaction.atomic():
        BreachRisk.objects.all().delete()
        BreachRisk.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# ------------------------------------------------------------------------------------------ command
def add_arguments(parser):
    parser.add_argument("--at", help="As of this instant (ISO 8601 with offset); default now")


def run(command, *, at=None, **_options):
    """`yekuo monitor risk`: recompute and store every running clock's breach risk (O12)."""
    from yekuo.orders.replay import parse_time

    written = refresh_risks(parse_time(at, "--at") if at else None)
    command.stdout.write(f"breach risk of {written} running clocks")
