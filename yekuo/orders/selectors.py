"""Reads of work orders: clock measurements at an instant, my work, and filtered lists (R8, R9, R15)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from yekuo.accounts.scope import restrict
from yekuo.orders import due
from yekuo.orders.models import Clock, NodeInstance, WorkOrder
from yekuo.orders.time_split import TimeSplit, split_time
from yekuo.workcal.engine import to_epoch
from yekuo.workcal.selectors import work_table

LIVE = ("running", "paused")
# What an order number may look like (YK2026110001, or another system's reference); anything else is
# "not found" without asking the database, which for PostgreSQL also keeps NUL bytes out of queries.
ORDER_NUMBER = re.compile(r"[A-Za-z0-9_-]{1,20}")


@dataclass(frozen=True)
class ClockView:
    code: str
    state: str  # not_started, running, paused, done, cancelled
    limit_days: float
    condition_pending: bool
    started_at: datetime | None
    deadline_at: datetime | None
    warn_at: datetime | None
    completed_at: datetime | None
    used_seconds: int
    remaining_seconds: int | None
    day_seconds: int
    overdue: bool
    warning: bool
    provisional: bool

    @property
    def used_days(self) -> float:
        return round(self.used_seconds / self.day_seconds, 6)

    @property
    def remaining_days(self) -> float | None:
        return None if self.remaining_seconds is None else round(self.remaining_seconds / self.day_seconds, 6)


def _pauses(clock: Clock) -> list[tuple[int, int | None]]:
    return [
        (to_epoch(datetime.fromisoformat(b)), None if e is None else to_epoch(datetime.fromisoformat(e)))
        for b, e in clock.pauses
    ]


def clock_view(clock: Clock, when: datetime | None = None, table=None) -> ClockView:
    """A clock measured at `when` (default now): used and remaining working time, overdue, warning."""
    when = when or timezone.now()
    table = table or work_table(_company_code(clock))
    used = 0
    remaining = None
    day_seconds = 420 * 60
    overdue = warning = False
    if clock.started_at is not None:
        start = to_epoch(clock.started_at)
        day_seconds = table.day_seconds_at(start)
        end = clock.completed_at if clock.state == "done" else when
        end_ts = max(start, to_epoch(end))
        if clock.state == "cancelled":
            end_ts = max(start, min(end_ts, _pauses(clock)[-1][0]))
        used = table.elapsed_ts(start, end_ts, table.normalize_pauses(start, _pauses(clock)))
        budget = clock.budget_seconds or 0
        remaining = budget - used
        if clock.state == "done":
            overdue = clock.deadline_at is not None and clock.completed_at > clock.deadline_at
        else:
            overdue = remaining < 0 or (
                clock.state == "running" and clock.deadline_at is not None and when > clock.deadline_at
            )
            warning = not overdue and clock.state in LIVE and clock.warn_at is not None and when >= clock.warn_at
    return ClockView(
        code=clock.code,
        state=clock.state,
        limit_days=float(clock.limit_days),
        condition_pending=clock.condition_pending,
        started_at=clock.started_at,
        deadline_at=clock.deadline_at,
        warn_at=clock.warn_at,
        completed_at=clock.completed_at,
        used_seconds=used,
        remaining_seconds=remaining,
        day_seconds=day_seconds,
        overdue=overdue,
        warning=warning,
        provisional=clock.provisional,
    )


def time_split(order: WorkOrder, when: datetime | None = None, table=None) -> TimeSplit:
    """The order's utility and customer time (I9), from its stored clocks and suspensions, measured at
    `when` (default now) while it is open. Prefetch `clocks` and `suspensions` for a list of orders."""
    table = table or work_table(order.branch.company.code if order.branch.company_id else "default")
    return split_time(
        applied_at=order.created_at,
        received_at=order.received_at,
        closed_at=order.closed_at,
        clocks=order.clocks.all(),
        suspensions=order.suspensions.all(),
        table=table,
        now=when or timezone.now(),
    )


def _company_code(clock: Clock) -> str:
    branch = clock.order.branch
    return branch.company.code if branch.company_id else "default"


def orders_for(user, action: str = "order.view") -> QuerySet[WorkOrder]:
    return restrict(WorkOrder.objects.select_related("branch", "service_area"), user, action)


def with_alarm_state(queryset: QuerySet[WorkOrder], when: datetime | None = None) -> QuerySet[WorkOrder]:
    """Annotate `is_overdue` and `is_warning` (R9) from the order's projected soonest deadline and warning
    time of its running clocks (orders/due.py): columns of the row, no look-up of its clocks."""
    when = when or timezone.now()
    return queryset.annotate(is_overdue=due.as_flag(due.overdue(when)), is_warning=due.as_flag(due.warning(when)))


def filter_orders(queryset: QuerySet[WorkOrder], params: dict, when: datetime | None = None) -> QuerySet[WorkOrder]:
    """Filters shared by the list page, the API and exports: branch, category, channel, node, state, alarm,
    created date range. Unknown or empty parameters are ignored; values are matched exactly."""
    when = when or timezone.now()
    queryset = with_alarm_state(queryset, when)
    for field in ("category", "channel"):
        if params.get(field):
            queryset = queryset.filter(**{field: params[field]})
    if params.get("status") == OPEN:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("branch"):
        queryset = queryset.filter(branch__code=params["branch"])
    if params.get("node") and params.get("node_state") in NODE_STATES:
        # R9: the node's own clock in that state (the dashboard's count by node), not the order's soonest one.
        from yekuo.monitoring.snapshot import stored_nodes

        candidates = WorkOrder.objects.all()
        if params["node_state"] in ("warning", "overdue"):  # then the order's soonest warning time is past too
            candidates = candidates.filter(due.alarmed(when))
        nodes = stored_nodes(when, candidates).filter(code=params["node"], monitor_state=params["node_state"])
        queryset = queryset.filter(pk__in=nodes.values("order_id"))  # one semi-join, not a subquery per order
    elif params.get("node"):
        queryset = queryset.filter(
            Exists(NodeInstance.objects.filter(order=OuterRef("pk"), code=params["node"], state="active"))
        )
    alarm = params.get("alarm")
    if alarm in ALARMS:
        queryset = queryset.filter(ALARMS[alarm](when))
    if params.get("created_from"):
        queryset = queryset.filter(created_at__date__gte=params["created_from"])
    if params.get("created_to"):
        queryset = queryset.filter(created_at__date__lte=params["created_to"])
    if params.get("q"):
        q = params["q"]
        queryset = queryset.filter(
            Q(number__icontains=q) | Q(customer_name__icontains=q) | Q(site_address__icontains=q)
        )
    return queryset


# The alarm filters (R9), as conditions on the order row's projected due_at / warn_at.
ALARMS = {"overdue": due.overdue, "warning": due.warning, "any": due.alarmed}

# How a list may be sorted: newest first (the default), what falls due first (control, R9), or the highest
# breach risk first (O12, monitoring.risk).
SORTS = ("created", "deadline", "risk")
# status=open: received and not closed, whether its clocks run or a customer holds it (在途, R10).
OPEN = "open"
OPEN_STATUSES = ("in_transit", "suspended")
# The state of an active node from its own clock (monitoring.snapshot.node_state), for node_state=.
NODE_STATES = ("normal", "warning", "overdue", "suspended")


def sort_orders(queryset: QuerySet[WorkOrder], sort: str = "created") -> QuerySet[WorkOrder]:
    """`deadline`: by `due_at`, the soonest deadline among the order's running clocks, orders with none
    running (not received, suspended, closed) after them; otherwise newest first."""
    if sort == "deadline":
        return queryset.order_by(F("due_at").asc(nulls_last=True), "-created_at", "-pk")
    if sort == "risk":
        return with_risk(queryset).order_by(F("risk").desc(nulls_last=True), F("due_at").asc(nulls_last=True), "-pk")
    return queryset.order_by("-created_at", "-pk")


class KeyedPages:
    """A sorted list of orders for a paginator (Django's, DRF's), whose page is found by its keys alone (P4).

    Sliced as a queryset, a page of the alarm filters in their default order (newest first) read every order in
    the alarm from the table to sort them: 44,000 overdue ones at 1,000,000 orders. Here the page's keys are one
    subquery of the same filters and order selecting only the key, which the alarm indexes (`order_due_at`,
    `order_warn_at`: deadline, warning time, creation, key and branch; `order_running_newest` in the list's order)
    answer without the table, and the page's
    rows are then read by those keys, with what the queryset joins, annotates and prefetches. Its count is the
    queryset's own."""

    ordered = True  # for Django's Paginator: the queryset carries the list's order

    def __init__(self, queryset: QuerySet[WorkOrder]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> QuerySet[WorkOrder]:
        if not isinstance(item, slice):
            raise TypeError("KeyedPages is read a page (a slice) at a time")
        keys = self.queryset.values("pk")[item]
        return self.queryset.filter(pk__in=keys)


def pages_of(queryset: QuerySet[WorkOrder], params: dict) -> QuerySet[WorkOrder] | KeyedPages:
    """What a list's paginator slices: an alarm list in its default order (newest first) by `KeyedPages`, whose
    keys its alarm's index holds; any other list as the queryset, whose page an index serves in its order
    (`order_created_at`, `order_by_deadline`), where the keys' subquery would make SQLite sort the book."""
    if params.get("alarm") in ALARMS and params.get("sort", "") not in ("deadline", "risk"):
        return KeyedPages(queryset)
    return queryset


def with_risk(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Annotate `risk`: the highest breach risk of the order's running clocks (O12), None when none runs."""
    from yekuo.monitoring.models import BreachRisk

    rows = BreachRisk.objects.filter(order=OuterRef("pk")).order_by("-probability").values("probability")[:1]
    return queryset.annotate(risk=Subquery(rows))


def with_current_work(queryset: QuerySet[WorkOrder], all_clocks: bool = False) -> QuerySet[WorkOrder]:
    """The orders with what a list row shows of each (the order list, its export): branch and company, the
    active nodes in order as `active_nodes`, and the running and paused clocks as `live_clocks`, soonest
    deadline first (a paused clock has none until it resumes: last), for `first_due`. `all_clocks`: every
    clock instead (`order.clocks.all()`), of which `live_clocks()` picks the live ones."""
    active = NodeInstance.objects.filter(state="active").order_by("position")
    if all_clocks:
        clocks = Prefetch("clocks", queryset=Clock.objects.order_by("order_id", "position"))
    else:
        live = Clock.objects.filter(state__in=LIVE).order_by(F("deadline_at").asc(nulls_last=True), "pk")
        clocks = Prefetch("clocks", queryset=live, to_attr="live_clocks")
    # The company by a prefetch (one query of a few rows), not a join: with it joined, SQLite read the company
    # first and sorted every order of it for the page, instead of walking the list's index (P4).
    return queryset.select_related("branch").prefetch_related(
        "branch__company", Prefetch("nodes", queryset=active, to_attr="active_nodes"), clocks
    )


def live_clocks(clocks) -> list[Clock]:
    """Of all of an order's clocks (prefetched), the running and paused ones in `with_current_work`'s order:
    soonest deadline first, those without one last, then by key. For a caller that reads every clock anyway
    (the export, for the time split): one prefetch instead of two."""
    live = [c for c in clocks if c.state in LIVE]
    return sorted(live, key=lambda c: (c.deadline_at is None, c.deadline_at.timestamp() if c.deadline_at else 0, c.pk))


def first_due(clocks) -> Clock | None:
    """Of one order's live clocks (as `with_current_work` sorts them), the one that falls due first: the running one,
    or, when none runs (the order is suspended), the first paused one, whose deadline waits for the resumption."""
    clocks = list(clocks)
    return next((c for c in clocks if c.state == "running"), clocks[0] if clocks else None)


def my_work(user, sort: str = "deadline") -> QuerySet[NodeInstance]:
    """待办: active nodes of orders in the user's scope whose role the user holds (or assigned to them),
    soonest deadline first (`sort="risk"`: the highest breach risk of the node's clock first, O12); each
    annotated with its clock's `deadline_at` and `risk`."""
    from yekuo.monitoring.models import BreachRisk

    nodes = restrict(NodeInstance.objects.select_related("order__branch__company"), user, "order.view")
    nodes = nodes.filter(state="active", order__status__in=["in_transit", "suspended"])
    nodes = nodes.filter(Q(assignee=user) | Q(assignee__isnull=True, role__in=list(user.role_codes)))
    # One clock per (order, code), read by that key: no ordering (the model's default joins the order to sort
    # by its creation, for every node of the list).
    deadline = Clock.objects.filter(order=OuterRef("order"), code=OuterRef("clock_code")).order_by()
    deadline = deadline.values("deadline_at")[:1]
    # Nulls last on every database (SQLite would put them first): a paused or unstarted clock has no deadline
    # and waits below the ones that fall due (O5).
    risk = BreachRisk.objects.filter(order=OuterRef("order"), clock=OuterRef("clock_code")).values("probability")[:1]
    nodes = nodes.annotate(deadline_at=Subquery(deadline), risk=Subquery(risk))
    if sort == "risk":
        return nodes.order_by(F("risk").desc(nulls_last=True), F("deadline_at").asc(nulls_last=True), "pk")
    return nodes.order_by(F("deadline_at").asc(nulls_last=True), "order__created_at", "pk")


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Mask an ID number or a phone in lists: 152********1234."""
    if not value or len(value) <= keep_start + keep_end:
        return value[:1] + "*" * max(0, len(value) - 1) if value else value
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def digits(value: str) -> str:
    """A phone number as its digits only: "0477-830 0001" and "04778300001" are the same number."""
    return re.sub(r"\D", "", value or "")
