"""The month's Getting-Electricity and timeliness indicators, per branch × category and company-wide (R12;
§3 of the notice: 按月开展……服务指标分析，重点对获得电力环节、时间、成本，线上报装服务率及蒙速办推广应用情况……进行通报).

`monthly(month, branch=None)` returns one JSON-serialisable dict; every field is defined, with its clause
and unit, in docs/indicators.md. The signature and the keys are what the bulletin and the assessment read:
add keys, never rename or remove one.

How it is computed, so that it holds at a million orders:
- Counts and sums are SQL aggregates (GROUP BY branch, category; Django's ORM, the same on SQLite and
  PostgreSQL): the month's applications by channel, the energized orders and those with a late clock, the
  fees, the nodes completed and those completed late. They read the orders by `created_at` (its index) and
  `closed_at`, the nodes by `completed_at` (partial indexes, migration 0002).
- Working time is the clock engine's, never SQL's: the utility / customer split of each energized order is
  `orders.time_split.split_time` (I9, what the order page shows), and a node's working time is the engine's
  `elapsed_ts` over its clock's running time. Only the month's energized orders and completed nodes are read
  for it (a few percent of the book), as plain values, in key order.
- Deadlines are the stored ones (`Clock.deadline_at`, from the engine when the clock ran): a clock is late
  when it completed after its deadline (or had not completed when the order closed after it).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import numpy as np
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from yekuo.accounts.models import Branch
from yekuo.common.errors import InvalidInput
from yekuo.orders.models import Clock, NodeInstance, Suspension, WorkOrder
from yekuo.orders.time_split import split_time
from yekuo.regulations.codes import CATEGORIES, CHANNELS, NODES
from yekuo.regulations.selectors import regulation_get
from yekuo.reports.models import CustomerFee
from yekuo.workcal.engine import SHANGHAI, to_epoch
from yekuo.workcal.selectors import work_table

# §3 of the notice: 线上报装服务率. The electronic channels (REQUIREMENTS R1); the counter and 帮您办 (staff
# applying for the customer) are not online.
ONLINE_CHANNELS = ("gov_portal", "mengsuban", "approval_platform", "online")
MENGSUBAN = "mengsuban"
MONTH = re.compile(r"(\d{4})-(\d{2})")
ALL = "all"  # the category code of the all-categories total
CHUNK = 5000


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of "YYYY-MM" in Asia/Shanghai (aware)."""
    match = MONTH.fullmatch(month or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise InvalidInput(f"month must be YYYY-MM, got {month!r}", field="month")
    year, number = int(match[1]), int(match[2])
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def _half_up(value: Decimal, places: str = "0.01") -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else _half_up(Decimal(part) / whole, "0.0001")


def _hundredths(days: float) -> int:
    """A figure of 2 decimals (as the order page shows it) as an exact integer, so that sums do not depend on
    the order they are added in."""
    return round(days * 100)


def _mean(total: int | Decimal, count: int, unit: int = 100) -> float | None:
    """total / count to 2 decimals, half up; `total` in 1/`unit` (hundredths of a day by default)."""
    return None if not count else _half_up(Decimal(total) / (count * unit))


def _p90(values: list[int]) -> float | None:
    """The 90th percentile of figures in hundredths, linear between the closest ranks (numpy's default,
    Excel's PERCENTILE.INC), to 2 decimals half up."""
    if not values:
        return None
    ordered = sorted(values)
    rank = Decimal(9 * (len(ordered) - 1)) / 10
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return _half_up((ordered[low] + (ordered[high] - ordered[low]) * (rank - low)) / 100)


@dataclass
class _Cell:
    """The sums behind one row (a branch × category, or a roll-up of them)."""

    created: int = 0
    channels: dict = field(default_factory=lambda: defaultdict(int))
    energized: int = 0
    late: int = 0
    procedures: int = 0  # summed over the energized orders
    cost: Decimal = Decimal(0)
    cost_orders: int = 0
    utility: int = 0  # hundredths of a working day, summed over the energized orders
    customer: int = 0
    suspended: int = 0
    calendar: int = 0  # hundredths of a calendar day
    utility_days: list = field(default_factory=list)  # each energized order's, in hundredths
    open_overdue: int = 0

    def add(self, other: _Cell) -> None:
        for name in ("created", "energized", "late", "procedures", "cost", "cost_orders", "utility", "customer",
                     "suspended", "calendar", "open_overdue"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for channel, n in other.channels.items():
            self.channels[channel] += n
        self.utility_days.extend(other.utility_days)

    def row(self) -> dict:
        online = sum(self.channels.get(c, 0) for c in ONLINE_CHANNELS)
        mengsuban = self.channels.get(MENGSUBAN, 0)
        on_time = self.energized - self.late
        return {
            "created": self.created,
            "online": online,
            "online_rate": _rate(online, self.created),
            "mengsuban": mengsuban,
            "mengsuban_rate": _rate(mengsuban, self.created),
            "channels": {c: self.channels.get(c, 0) for c in CHANNELS},
            "energized": self.energized,
            "on_time": on_time,
            "on_time_rate": _rate(on_time, self.energized),
            "late": self.late,
            "open_overdue": self.open_overdue,
            "procedures_mean": _mean(self.procedures, self.energized, unit=1),
            "utility_days_mean": _mean(self.utility, self.energized),
            "utility_days_p90": _p90(self.utility_days),
            "customer_days_mean": _mean(self.customer, self.energized),
            "suspended_days_mean": _mean(self.suspended, self.energized),
            "calendar_days_mean": _mean(self.calendar, self.energized),
            "cost_total_yuan": float(self.cost),
            "cost_mean_yuan": _mean(self.cost, self.energized, unit=1),
            "cost_orders": self.cost_orders,
        }


@dataclass
class _NodeCell:
    completed: int = 0
    late: int = 0
    days: list = field(default_factory=list)  # each node's working days, in hundredths

    def add(self, other: _NodeCell) -> None:
        self.completed += other.completed
        self.late += other.late
        self.days.extend(other.days)

    def row(self) -> dict:
        on_time = self.completed - self.late
        return {
            "completed": self.completed,
            "on_time": on_time,
            "on_time_rate": _rate(on_time, self.completed),
            "overdue": self.late,
            "working_days_mean": _mean(sum(self.days), len(self.days)),
            "working_days_p90": _p90(self.days),
        }


def _scope(branch: str | None, company: str | None, prefix: str = "") -> Q:
    """The orders asked for, as a condition on a model that reaches the order by `prefix` ("order__"):
    a join, never `IN (SELECT …)` over the whole book."""
    condition = Q()
    if branch is not None:
        condition &= Q(**{f"{prefix}branch__code": branch})
    if company is not None:
        condition &= Q(**{f"{prefix}branch__company__code": company})
    return condition


def _late_clock():
    """A clock of the order (OuterRef) that missed its deadline: completed after it, or still open when the
    order closed after it."""
    return Clock.objects.filter(order=OuterRef("pk"), deadline_at__isnull=False).filter(
        Q(completed_at__gt=F("deadline_at")) | Q(completed_at__isnull=True, deadline_at__lt=OuterRef("closed_at"))
    )


def _stage_counts(codes) -> dict[tuple[str, str], int]:
    """(regulation, category) → the number of stages (环节) the category's table names: the procedures."""
    counts = {}
    for code in codes:
        for category in regulation_get(code).categories:
            counts[(code, category.code)] = len(category.stages)
    return counts


def energized_orders(month: str, branch: str | None = None, *, company: str | None = None):
    """The orders energized in the month (`energized`): a WorkOrder QuerySet, for lists and drill-downs."""
    start, end = month_bounds(month)
    return WorkOrder.objects.filter(
        _scope(branch, company), status="energized", closed_at__gte=start, closed_at__lt=end
    )


def late_orders(month: str, branch: str | None = None, *, company: str | None = None):
    """Of the month's energized orders, those with an overdue clock (`late`)."""
    return energized_orders(month, branch, company=company).filter(Exists(_late_clock()))


def _overdue_then(end: datetime):
    """A clock of the order (OuterRef) started before `end` and past its deadline, not completed, at `end`."""
    return Clock.objects.filter(order=OuterRef("pk"), deadline_at__lt=end, started_at__lt=end).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=end)
    )


def open_overdue_orders(month: str, branch: str | None = None, *, company: str | None = None):
    """The orders open at the month's end with a clock overdue then (`open_overdue`)."""
    _, end = month_bounds(month)
    return (
        WorkOrder.objects.filter(_scope(branch, company), created_at__lt=end, received_at__isnull=False)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .filter(Exists(_overdue_then(end)))
    )


def overdue_clocks(month: str, branch_ids=None):
    """The clocks that make orders `late` and `open_overdue` in the month, in one pass over the clocks joined to
    their orders (the two order lists above, and their clocks, were three passes over the clock table), each
    annotated `kind`: "late" (its order energized in the month, the clock past its deadline at its completion
    or, not completed, at the order's closing) or "open" (its order open at the month's end, the clock started
    and past its deadline then, not completed by then). The two kinds' orders are disjoint (closed in the month
    / open at its end), and an order has clocks of one kind only. `branch_ids`: limit to those branches."""
    start, end = month_bounds(month)
    late = Q(order__status="energized", order__closed_at__gte=start, order__closed_at__lt=end) & (
        Q(completed_at__gt=F("deadline_at")) | Q(completed_at__isnull=True, deadline_at__lt=F("order__closed_at"))
    )
    open_then = (
        Q(order__created_at__lt=end, order__received_at__isnull=False)
        & (Q(order__closed_at__isnull=True) | Q(order__closed_at__gte=end))
        & Q(deadline_at__lt=end, started_at__lt=end)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=end))
    )
    clocks = Clock.objects.filter(late | open_then, deadline_at__isnull=False)
    if branch_ids is not None:
        clocks = clocks.filter(order__branch_id__in=list(branch_ids))
    return clocks.annotate(kind=Case(When(late, then=Value("late")), default=Value("open"))).order_by()


def monthly(month: str, branch: str | None = None, *, company: str | None = None) -> dict:
    """The month's indicators (module docstring; docs/indicators.md). `branch`: one branch's code (its rows
    only, its own totals as `company`); `company`: limit to one company's branches. Raises InvalidInput for a
    bad month or an unknown branch."""
    start, end = month_bounds(month)
    if branch is not None and not Branch.objects.filter(code=branch).exists():
        raise InvalidInput(f"unknown branch {branch!r}", field="branch")
    orders = WorkOrder.objects.filter(_scope(branch, company))
    cells: dict[tuple[str, str], _Cell] = defaultdict(_Cell)
    node_cells: dict[tuple[str, str, str], _NodeCell] = defaultdict(_NodeCell)

    # Applications of the month, by channel (SQL: one GROUP BY over the created_at range).
    for row in (
        orders.filter(created_at__gte=start, created_at__lt=end)
        .values("branch", "category", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cell = cells[(row["branch"], row["category"])]
        cell.created += row["n"]
        cell.channels[row["channel"]] += row["n"]

    # Energized in the month, with a late clock, by regulation version for the procedures (SQL).
    energized = energized_orders(month, branch, company=company)
    grouped = list(
        energized.annotate(is_late=Exists(_late_clock()))
        .values("branch", "category", "regulation_code")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
        .order_by()
    )
    stages = _stage_counts({row["regulation_code"] for row in grouped})
    for row in grouped:
        cell = cells[(row["branch"], row["category"])]
        cell.energized += row["n"]
        cell.late += row["late"]
        cell.procedures += row["n"] * stages.get((row["regulation_code"], row["category"]), 0)

    # Fees of the energized orders (SQL).
    for row in (
        CustomerFee.objects.filter(order__in=energized.values("pk"))
        .values("order__branch", "order__category")
        .annotate(total=Sum("amount"), orders=Count("order", distinct=True))
        .order_by()
    ):
        cell = cells[(row["order__branch"], row["order__category"])]
        cell.cost += row["total"] or Decimal(0)
        cell.cost_orders += row["orders"]

    # Open at the month's end with a clock past its deadline then (SQL).
    for row in (
        open_overdue_orders(month, branch, company=company)
        .values("branch", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cells[(row["branch"], row["category"])].open_overdue += row["n"]

    _time_split(branch, company, start, end, cells)
    _nodes(_scope(branch, company, "order__"), start, end, node_cells)

    # Grouped by the branch's key (no join to the branches); named by its code from here on.
    codes = {pk: code for pk, code in Branch.objects.values_list("pk", "code")}
    branches = dict(Branch.objects.values_list("code", "name"))
    cells = {(codes[b], c): cell for (b, c), cell in cells.items()}
    node_cells = {(codes[b], c, n): cell for (b, c, n), cell in node_cells.items()}
    rows = [
        {"branch": b, "branch_name": branches.get(b, b), "category": c, "category_name": CATEGORIES.get(c, c),
         **cell.row()}
        for (b, c), cell in sorted(cells.items(), key=lambda item: _node_order(((*item[0], ""), 0)))
    ]  # fmt: skip
    by_category: dict[str, _Cell] = defaultdict(_Cell)
    for (_, c), cell in cells.items():
        by_category[c].add(cell)
        by_category[ALL].add(cell)
    company_rows = [
        {"category": c, "category_name": CATEGORIES.get(c, "全部"), **by_category[c].row()} for c in (*CATEGORIES, ALL)
    ]
    nodes = [
        {"branch": b, "category": c, "node": n, "node_name": NODES.get(n, n), **cell.row()}
        for (b, c, n), cell in sorted(node_cells.items(), key=_node_order)
    ]
    company_node_cells: dict[tuple[str, str], _NodeCell] = defaultdict(_NodeCell)
    for (_, c, n), cell in node_cells.items():
        company_node_cells[(c, n)].add(cell)
    company_nodes = [
        {"category": c, "node": n, "node_name": NODES.get(n, n), **cell.row()}
        for (c, n), cell in sorted(company_node_cells.items(), key=lambda item: _node_order(((None, *item[0]), 0)))
    ]
    return {
        "month": month,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "timezone": "Asia/Shanghai",
        "branch": branch,
        "company_code": company,
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "online_channels": list(ONLINE_CHANNELS),
        "rows": rows,
        "company": company_rows,
        "nodes": nodes,
        "company_nodes": company_nodes,
    }


def _node_order(item) -> tuple:
    (b, c, n), _ = item
    return (b or "", list(CATEGORIES).index(c) if c in CATEGORIES else 99, list(NODES).index(n) if n in NODES else 99)


def _company_tables() -> dict[int, object]:
    """Each branch's (by key) work table: its company's."""
    return {pk: work_table(company or "default") for pk, company in Branch.objects.values_list("pk", "company__code")}


class Epoch(Func):
    """Epoch seconds (an integer, floored) of a datetime column, in SQL: what `to_epoch` gives of the value
    read, without building a datetime per value in Python (most of the reading's cost at a million orders).

    Both databases return the integer itself (`::bigint`, `CAST(… AS INTEGER)`), so the output field is the
    plain `Field`: an integer field would have Django convert each value with `int()` again, and a read with
    any such converter goes through Django's per-row conversion loop (at 1.3 million nodes a month, 4 million
    calls for nothing)."""

    output_field = Field()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint")

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]"; %s drops the fraction (a floor after 1970).
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)")


def _pauses_of(text: str | None) -> list:
    """A clock's pauses, read as text: most clocks have none, and parsing "[]" for each costs more than all."""
    return json.loads(text) if text and text != "[]" else []


def _time_split(branch: str | None, company: str | None, start: datetime, end: datetime, cells) -> None:
    """Utility, customer and calendar time of each energized order: `split_time` (I9) over its stored clocks
    and suspensions, read as values (the orders' and clocks' instants as epoch seconds from SQL, which
    `split_time` takes as they are)."""
    tables = _company_tables()
    scope = _scope(branch, company, "order__")
    month = {"order__status": "energized", "order__closed_at__gte": start, "order__closed_at__lt": end}
    clocks = defaultdict(list)
    for order_id, started, completed, pauses in (
        Clock.objects.filter(scope, **month)
        .order_by()
        .values_list("order_id", Epoch("started_at"), Epoch("completed_at"), Cast("pauses", TextField()))
    ):
        clocks[order_id].append(SimpleNamespace(started_at=started, completed_at=completed, pauses=_pauses_of(pauses)))
    suspensions = defaultdict(list)
    for order_id, started, ended, review in (
        Suspension.objects.filter(scope, **month).order_by().values_list("order_id", "started_at", "ended_at", "review")
    ):
        suspensions[order_id].append(SimpleNamespace(started_at=started, ended_at=ended, review=review))
    energized = WorkOrder.objects.filter(
        _scope(branch, company), status="energized", closed_at__gte=start, closed_at__lt=end
    )
    for pk, code, category, created, received, closed in energized.order_by().values_list(
        "pk", "branch", "category", Epoch("created_at"), Epoch("received_at"), Epoch("closed_at")
    ):
        split = split_time(
            applied_at=created,
            received_at=received,
            closed_at=closed,
            clocks=clocks.get(pk, ()),
            suspensions=suspensions.get(pk, ()),
            table=tables[code],
            now=end,
        )
        cell = cells[(code, category)]
        utility = _hundredths(split.utility_days)
        cell.utility += utility
        cell.customer += _hundredths(split.customer_days)
        cell.suspended += _hundredths(split.suspended_days)
        cell.calendar += _hundredths(split.calendar_days)
        cell.utility_days.append(utility)


def _instant(value) -> int | None:
    if value is None:
        return None
    return to_epoch(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _nodes(scope: Q, start: datetime, end: datetime, node_cells) -> None:
    """Nodes completed in the month, their late ones and each one's working time by the engine, in one pass
    over the month's nodes joined to their clocks (a second, grouped, pass over the same join for the counts
    alone cost as much again at a million orders).

    A node's working time is the working time its clock ran while the node was the one worked: from the
    later of the node becoming ready (its predecessors done) and its clock's start, to the node's completion,
    less the clock's pauses (the engine's `elapsed_ts`; without pauses, W(end) − W(begin) over the batch). A
    node is late when it completed after its clock's deadline; a clock without a deadline (never started)
    makes none late."""
    nodes = (
        NodeInstance.objects.filter(scope, state="done", completed_at__gte=start, completed_at__lt=end)
        .annotate(covering=FilteredRelation("order__clocks", condition=Q(order__clocks__code=F("clock_code"))))
        .order_by()
    )
    tables = _company_tables()
    # Per work table (one per company): the node's key, begin, end, and its clock's pauses when it has any.
    batches: dict[int, tuple] = {}
    by_branch: dict[int, tuple] = {}  # the branch's batch (its company's table), found once
    late = ExpressionWrapper(Q(completed_at__gt=F("covering__deadline_at")), output_field=BooleanField())
    for branch, category, code, ready, completed, clock_start, pauses, is_late in nodes.values_list(
        "order__branch", "order__category", "code", Epoch("ready_at"), Epoch("completed_at"),
        Epoch("covering__started_at"), Cast("covering__pauses", TextField()), late,
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        cell = node_cells[(branch, category, code)]
        cell.completed += 1
        cell.late += bool(is_late)
        if clock_start is None:
            if ready is None:
                continue
            begin = ready
        else:
            begin = clock_start if ready is None or clock_start > ready else ready
        batch = by_branch.get(branch)
        if batch is None:
            table = tables[branch]
            batch = by_branch[branch] = batches.setdefault(id(table), (table, [], [], [], {}))[1:]
        keys, firsts, lasts, paused = batch
        if pauses and pauses != "[]":
            paused[len(keys)] = [(_instant(b), _instant(e)) for b, e in json.loads(pauses)]
        keys.append((branch, category, code))
        firsts.append(begin)
        lasts.append(completed if completed > begin else begin)
    for table, keys, firsts, lasts, paused in batches.values():
        first, last = np.array(firsts, dtype=np.int64), np.array(lasts, dtype=np.int64)
        seconds = (table.w_batch(last) - table.w_batch(first)).tolist()
        for i, spans in paused.items():
            seconds[i] = table.elapsed_ts(firsts[i], lasts[i], table.normalize_pauses(firsts[i], spans))
        for key, used, day in zip(keys, seconds, table.day_seconds_batch(first).tolist(), strict=True):
            node_cells[key].days.append(_hundredths(round(used / day, 2)))


__all__ = [
    "ALL",
    "ONLINE_CHANNELS",
    "energized_orders",
    "late_clock",
    "late_orders",
    "month_bounds",
    "monthly",
    "open_overdue_orders",
    "overdue_clocks",
]

# For the bulletin's lists of problem orders: the late-clock test, by the same definition.
late_clock = _late_clock
