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
`BreachRisk` row per running clock, refreshed by the periodic job; the finished clocks' history (the large
part) is measured once a day and kept in the cache (`history`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

MIN_AT_RISK = 20  # clocks that reached the ratio in question, for a level of history to be used
# Shrinkage toward the limit's prior: p = (n·p̂ + k·p₀) / (n + k), n = clocks of the level that reached x. k is
# worth that many clocks of prior; chosen on a held-out instant of the demo history, not the one evaluated
# (docs/breach-risk.md, "Choosing k").
SHRINK_K = 5
# A running clock within its limit is never certain either way: its probability stays in [P_MIN, 1 − P_MIN].
P_MIN = 0.01
HISTORY_DAYS = 365  # finished clocks older than this are not history any more (the work changes)
BASES = ("branch", "company", "limit")


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier survival curve of the used ratio: S(r) = P(R > r), a step function.

    `times`: the distinct ratios at which a clock finished, ascending; `survival[i]`: S just after times[i];
    `grid` / `reaching[i]`: every distinct observed ratio and how many clocks (finished or running) had at
    least it; `total`: clocks observed."""

    times: tuple[float, ...]
    survival: tuple[float, ...]
    grid: tuple[float, ...]
    reaching: tuple[float, ...]
    total: float

    def s(self, r: float) -> float:
        """S(r) = P(R > r): the product over the finishing ratios ≤ r."""
        i = bisect_right(self.times, r)
        return 1.0 if i == 0 else self.survival[i - 1]

    def reached(self, r: float) -> float:
        """How many observed clocks had a ratio of at least r (used at least r of their budget)."""
        i = bisect_left(self.grid, r - 1e-12)
        return self.reaching[i] if i < len(self.grid) else 0


def kaplan_meier(ratios, finished, weights=None) -> Curve:
    """The survival curve of `ratios` (used / budget), `finished[i]` False for a clock still running
    (censored at its ratio); `weights[i]`: how many clocks the observation stands for (default 1). Ties:
    finishing before censoring, as usual (a clock censored at r was at risk at r)."""
    r = np.asarray(ratios, dtype=float)
    if r.size == 0:
        return Curve((), (), (), (), 0)
    f = np.asarray(finished, dtype=bool)
    w = np.ones_like(r) if weights is None else np.asarray(weights, dtype=float)
    grid, index = np.unique(r, return_inverse=True)
    deaths = np.bincount(index, weights=w * f, minlength=grid.size)
    seen = np.bincount(index, weights=w, minlength=grid.size)
    at_risk = np.cumsum(seen[::-1])[::-1]  # observations with a ratio ≥ grid[i]
    factor = np.where(deaths > 0, 1.0 - deaths / np.maximum(at_risk, 1e-12), 1.0)
    survival = np.cumprod(factor)
    died = deaths > 0
    return Curve(
        tuple(grid[died].tolist()), tuple(survival[died].tolist()), tuple(grid.tolist()), tuple(at_risk.tolist()),
        float(w.sum()),
    )  # fmt: skip


def prior_probability(x: float) -> float:
    """With no history, the limit as the median of a uniform [0, 2·limit]: P(R > 1 | R > x) = 1 / (2 − x)."""
    if x >= 1:
        return 1.0
    return 1.0 / (2.0 - max(x, 0.0))


def shrunk(estimate: float, n: float, prior: float, k: float = SHRINK_K) -> float:
    """The estimate from n clocks pulled toward the prior as if k clocks had shown it: (n·p̂ + k·p₀) / (n + k).
    Few clocks that reached x (the tail of a curve) weigh little; many, almost all."""
    if n + k <= 0:
        return prior
    return (n * estimate + k * prior) / (n + k)


def probability(
    x: float, curves: list[Curve], min_at_risk: int = MIN_AT_RISK, k: float = SHRINK_K, p_min: float = P_MIN
) -> tuple[float, str]:
    """P(overdue | used ratio x) from the first curve (branch, then company) with enough clocks that reached
    x, shrunk toward the limit's prior with weight k (`shrunk`); else the prior itself (`prior_probability`).
    A clock within its limit gets a value in [p_min, 1 − p_min]. Returns (probability, basis); k=0, p_min=0
    give the raw Kaplan–Meier ratio."""
    if x > 1:
        return 1.0, "overdue"
    prior = prior_probability(x)
    found = None
    for basis, curve in zip(BASES, curves, strict=False):
        if curve is None or curve.reached(x) < min_at_risk:
            continue
        sx = curve.s(x)
        if sx <= 0:
            continue
        found = (shrunk(min(1.0, curve.s(1.0) / sx), curve.reached(x), prior, k), basis)
        break
    p, basis = found or (prior, "limit")
    return min(max(p, p_min), 1.0 - p_min), basis


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


QUANTUM = 0.005  # the finished clocks' ratios are kept to this precision in the day's history


def _measure(clocks, now: datetime) -> list[Measured]:
    """The used ratio of each clock of the queryset: at its completion if done, else at `now`."""
    from yekuo.accounts.models import Branch
    from yekuo.workcal.selectors import work_table

    companies = {pk: (company_id, code) for pk, company_id, code in
                 Branch.objects.values_list("pk", "company_id", "company__code")}  # fmt: skip
    rows = clocks.values_list(
        "order_id", "order__branch_id", "order__category", "code", "state", "budget_seconds", "deadline_at",
        "completed_at",
    )  # fmt: skip
    by_company: dict[str, list] = defaultdict(list)
    for row in rows.iterator(chunk_size=20000):
        by_company[companies[row[1]][1]].append(row)
    now_ts = int(now.timestamp())
    out: list[Measured] = []
    for code, group in by_company.items():
        table = work_table(code)
        lo, hi = table.t_min, table.t_max - 1
        ends = np.array([int(r[7].timestamp()) if r[4] == "done" else now_ts for r in group], dtype=np.int64)
        deadlines = np.array([int(r[6].timestamp()) for r in group], dtype=np.int64)
        ratios = used_ratios(table, [r[5] for r in group], np.clip(deadlines, lo, hi), np.clip(ends, lo, hi))
        for row, ratio in zip(group, ratios.tolist(), strict=True):
            out.append(Measured(row[0], row[1], companies[row[1]][0], row[2], row[3], ratio, row[4] == "done"))
    return out


def _measurable():
    from yekuo.orders.models import Clock

    return Clock.objects.filter(deadline_at__isnull=False, budget_seconds__gt=0)


def running(now: datetime, orders=None) -> list[Measured]:
    """Every running clock, measured at `now`."""
    clocks = _measurable().filter(state="running", started_at__lte=now)
    if orders is not None:
        clocks = clocks.filter(order__in=orders.values("pk"))
    return _measure(clocks, now)


def history(now: datetime, *, history_days: int = HISTORY_DAYS, orders=None) -> dict:
    """The finished clocks of the `history_days` before today (Asia/Shanghai), their ratios rounded to QUANTUM
    and counted: {("branch", (branch, category, clock)) | ("company", (company, category, clock)):
    (ratios, counts)}. Kept in the cache for the day (it changes with the finished clocks, once a day is
    enough for a history of a year); a new finished clock's row (a larger id or count) makes it anew."""
    from django.core.cache import cache
    from django.db.models import Count, Max
    from django.utils import timezone

    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    clocks = _measurable().filter(state="done", completed_at__gte=today - timedelta(days=history_days),
                                  completed_at__lt=today)  # fmt: skip
    if orders is not None:
        clocks = clocks.filter(order__in=orders.values("pk"))
    mark = clocks.aggregate(n=Count("pk"), last=Max("pk"))
    key = f"yekuo:risk:history:{today.date()}:{history_days}:{mark['n']}:{mark['last']}"
    found = cache.get(key) if orders is None else None
    if found is not None:
        return found
    result = _count_history(clocks, now)
    if orders is None:
        cache.set(key, result, 86400)
    return result


def _count_history(clocks, now: datetime) -> dict:
    """The finished clocks' ratios, rounded to QUANTUM and counted per branch and per company group, with
    arrays rather than an object per clock (a year of a large book is millions of clocks)."""
    from yekuo.accounts.models import Branch
    from yekuo.workcal.selectors import work_table

    companies = {pk: (company_id, code) for pk, company_id, code in
                 Branch.objects.values_list("pk", "company_id", "company__code")}  # fmt: skip
    keys: dict[tuple, int] = {}
    columns: dict[str, tuple[list, list, list, list]] = defaultdict(lambda: ([], [], [], []))
    rows = clocks.values_list("order__branch_id", "order__category", "code", "budget_seconds", "deadline_at",
                              "completed_at")  # fmt: skip
    for branch, category, code, budget, deadline, completed in rows.iterator(chunk_size=50000):
        group = keys.setdefault((branch, category, code), len(keys))
        key_list, budgets, deadlines, ends = columns[companies[branch][1]]
        key_list.append(group)
        budgets.append(budget)
        deadlines.append(deadline.timestamp())
        ends.append(completed.timestamp())
    names = list(keys)
    counted: dict = defaultdict(lambda: defaultdict(float))
    for company_code, (key_list, budgets, deadlines, ends) in columns.items():
        table = work_table(company_code)
        lo, hi = table.t_min, table.t_max - 1
        ratios = used_ratios(
            table, budgets, np.clip(np.array(deadlines, dtype=np.int64), lo, hi),
            np.clip(np.array(ends, dtype=np.int64), lo, hi),
        )  # fmt: skip
        bins = np.round(ratios / QUANTUM).astype(np.int64)
        pairs, counts = np.unique(np.stack([np.array(key_list, dtype=np.int64), bins]), axis=1, return_counts=True)
        for (group, q), n in zip(pairs.T.tolist(), counts.tolist(), strict=True):
            branch, category, code = names[group]
            counted[("branch", (branch, category, code))][q] += n
            counted[("company", (companies[branch][0], category, code))][q] += n
    return {
        key: (np.array(list(values), dtype=float) * QUANTUM, np.array(list(values.values()), dtype=float))
        for key, values in counted.items()
    }


def estimate(live: list[Measured], past: dict) -> list[tuple[Measured, float, str]]:
    """(clock, probability, basis) for each running clock of `live`, from Kaplan–Meier curves per
    (branch, category, clock) and per (company, category, clock) over the history `past` (finished clocks)
    and the running clocks themselves (censored at their ratio; one past its limit counts as finished late)."""
    groups: dict = defaultdict(list)
    for m in live:
        groups[("branch", (m.branch_id, m.category, m.clock))].append(m)
        groups[("company", (m.company_id, m.category, m.clock))].append(m)
    curves = {}
    for key in set(groups) | set(past):
        items = groups.get(key, [])
        old_r, old_w = past.get(key, (np.zeros(0), np.zeros(0)))
        ratios = np.concatenate([old_r, [m.ratio for m in items]])
        finished = np.concatenate([np.ones(old_r.size, dtype=bool), [m.ratio > 1 for m in items]]).astype(bool)
        weights = np.concatenate([old_w, np.ones(len(items))])
        curves[key] = kaplan_meier(ratios, finished, weights)
    out = []
    for m in live:
        chain = [curves.get(("branch", (m.branch_id, m.category, m.clock))),
                 curves.get(("company", (m.company_id, m.category, m.clock)))]  # fmt: skip
        p, basis = probability(m.ratio, chain)
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
        for m, p, basis in estimate(running(now), history(now))
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
