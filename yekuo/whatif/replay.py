"""What-if of a regulation (O17): the orders of a period folded again under a proposed time-limit table,
nothing written, and how many of their clocks would have been overdue under it against the current one.

Each order is folded twice by the order engine itself (`orders.projection` through `fold_context`): once
under its own regulation (R14: the version it was created under), once under the proposed one, which
`fold_context(order, regulation=spec)` injects in place of the stored version. The clocks therefore come
from the clock engine, with the company's working calendar, suspensions (I5), the approval decision (I2,
I8) and D1 exactly as in the live system; only the limits and start rules of the table differ. Each clock
is then measured at the instant `at` by `orders.selectors.clock_view`, the measure the pages use: a clock
that completed after its deadline, or that is still open and has used more than its budget by `at`, is
overdue. A clock that has not started by `at` is not counted.

An order whose log cannot be folded under the proposed table (its category is missing there, or its
events break the proposed workflow: a node that no longer exists, another order of nodes) is not
replayed; it is counted and the first few are listed with the reason.

The orders are read `period.CHUNK` at a time with their events (one query per chunk), so a year of a big
book is a stream, not a list in memory. Nothing is written: the command only reads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from yekuo.common.errors import YekuoError
from yekuo.orders.projection import OrderState
from yekuo.orders.selectors import clock_view
from yekuo.orders.services.write import FoldContext, _clock_values, fold_context
from yekuo.regulations.spec import RegulationSpec
from yekuo.whatif.period import Period, chunks, logs

CURRENT, PROPOSED = "current", "proposed"
SIDES = (CURRENT, PROPOSED)
LISTED = 20  # orders listed by name among those not replayed, and among those whose verdict changes


def overdue_clocks(state: OrderState, context: FoldContext, at: datetime) -> dict[str, bool]:
    """{clock code: overdue at `at`} for every clock of the folded state that has started by then, measured
    by the pages' own `clock_view` (the state's clocks with the fields of a clock row: nothing is written)."""
    out = {}
    for code, clock in state.clocks.items():
        if clock.started_at is None or clock.started_at > at:
            continue
        row = SimpleNamespace(code=code, **_clock_values(clock))  # what a Clock row holds; no model instance
        out[code] = clock_view(row, at, context.table).overdue
    return out


@dataclass
class Tally:
    """Counts of one row (a branch × category × node, a branch, or all) under both tables."""

    orders: int = 0
    counted: Counter = field(default_factory=Counter)  # side -> clocks started (or orders, for order rows)
    overdue: Counter = field(default_factory=Counter)  # side -> of them overdue

    def to_json(self) -> dict:
        rates = {}
        for side in SIDES:
            n = self.counted[side]
            rates[side] = None if n == 0 else round((n - self.overdue[side]) / n, 4)
        change = None
        if rates[CURRENT] is not None and rates[PROPOSED] is not None:
            change = round((rates[PROPOSED] - rates[CURRENT]) * 100, 2)
        return {
            "orders": self.orders,
            **{f"counted_{side}": self.counted[side] for side in SIDES},
            **{f"overdue_{side}": self.overdue[side] for side in SIDES},
            **{f"on_time_rate_{side}": rates[side] for side in SIDES},
            "change_pp": change,
        }


@dataclass
class WhatIf:
    proposed: RegulationSpec
    period: Period
    at: datetime
    nodes: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    node_totals: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))  # all branches
    branches: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    not_replayed: int = 0
    problems: list[dict] = field(default_factory=list)
    became_overdue: list[str] = field(default_factory=list)
    became_on_time: list[str] = field(default_factory=list)
    changed: Counter = field(default_factory=Counter)

    def add(self, order, verdicts: dict[str, dict[str, bool]]) -> None:
        """Count one order's clocks ({side: {clock: overdue}}) in its rows."""
        branch = order.branch.code
        for code in dict.fromkeys([*verdicts[CURRENT], *verdicts[PROPOSED]]):
            for row in (self.nodes[(branch, order.category, code)], self.node_totals[("*", order.category, code)]):
                row.orders += 1
                for side in SIDES:
                    if code in verdicts[side]:
                        row.counted[side] += 1
                        row.overdue[side] += verdicts[side][code]
        late = {side: any(verdicts[side].values()) for side in SIDES}
        for row in (self.branches[branch], self.total):
            row.orders += 1
            for side in SIDES:
                row.counted[side] += bool(verdicts[side])  # an order none of whose clocks started has no verdict
                row.overdue[side] += late[side]
        if late[CURRENT] != late[PROPOSED]:
            key = "became_overdue" if late[PROPOSED] else "became_on_time"
            self.changed[key] += 1
            if len(getattr(self, key)) < LISTED:
                getattr(self, key).append(order.number)

    def skip(self, order, problem: str) -> None:
        self.not_replayed += 1
        if len(self.problems) < LISTED:
            self.problems.append({"order": order.number, "problem": problem})

    def to_json(self) -> dict:
        def node_rows(tallies):
            return [
                {"branch": b, "category": c, "node": n, **tally.to_json()}
                for (b, c, n), tally in sorted(tallies.items(), key=lambda item: self._node_order(item[0]))
            ]

        return {
            "regulation": {"code": self.proposed.code, "document": self.proposed.document},
            **self.period.to_json(),
            "at": self.at.isoformat(),
            "rows": node_rows(self.nodes),
            "node_totals": node_rows(self.node_totals),
            "branches": [{"branch": b, **t.to_json()} for b, t in sorted(self.branches.items())],
            "total": {**self.total.to_json(), "not_replayed": self.not_replayed, **self._changed()},
            "not_replayed": self.problems,
            "became_overdue": self.became_overdue,
            "became_on_time": self.became_on_time,
        }

    def _changed(self) -> dict:
        return {"became_overdue": self.changed["became_overdue"], "became_on_time": self.changed["became_on_time"]}

    def _node_order(self, key: tuple[str, str, str]) -> tuple:
        """Branch, category, then the nodes in the order of the proposed table (unknown ones last)."""
        branch, category, node = key
        try:
            codes = [c.code for c in self.proposed.category(category).clocks]
        except YekuoError:
            codes = []
        return branch, category, codes.index(node) if node in codes else len(codes), node


def run_whatif(proposed: RegulationSpec, period: Period, at: datetime, progress=None) -> WhatIf:
    """Fold every order of `period` under its own regulation and under `proposed`, measured at `at`."""
    result = WhatIf(proposed, period, at)
    contexts: dict[tuple, FoldContext | YekuoError] = {}
    done = 0
    for chunk in chunks(period):
        events = logs(chunk, until=at)
        for order in chunk:
            log = [item.event for item in events[order.pk]]
            verdicts = {}
            for side in SIDES:
                key = (side, order.regulation_code if side == CURRENT else "", order.category, order.channel,
                       order.branch.company_id)  # fmt: skip
                if key not in contexts:
                    try:
                        contexts[key] = fold_context(order, regulation=proposed if side == PROPOSED else None)
                    except YekuoError as exc:
                        contexts[key] = exc
                context = contexts[key]
                try:
                    if isinstance(context, YekuoError):
                        raise context
                    verdicts[side] = overdue_clocks(context.project(log), context, at)
                except YekuoError as exc:
                    result.skip(order, f"{side}: {exc.message}")
                    break
            else:
                result.add(order, verdicts)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return result
