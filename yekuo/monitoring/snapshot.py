"""每日在途统计: the in-transit picture as of any instant (R10; notice §3 "每日对各供电分公司在途报装业务进行统计").

`snapshot(at)` counts, for every active node of every order in transit at `at`, its branch, category, node
and state, where the state comes from the clock that covers the node (R9, I1):

- ``suspended``: that clock is paused (a customer suspension, I5), or the order is suspended and the
  clock does not run (a suspension under review pauses nothing: its clocks run on and are measured);
- ``overdue``: the clock runs and `at` is past its deadline;
- ``warning``: the clock runs and `at` is at or past its warning time (R9 threshold), not overdue;
- ``normal``: anything else (the clock runs with time left, or has not started: it waits for the
  customer or for a predecessor, D1).

An order is in transit when it has been received and is neither energized nor cancelled by then
(status in_transit or suspended); an order not yet received has no active node.

The answer is the fold of each order's log up to `at` (the events that had *occurred* by then, back-dated
entries included), through the project's projection (`orders.projection.project`), so a snapshot of a past
instant is what the log says, not what the rows say now. Two ways to the same answer:

- ``method="replay"``: every order created by `at` is folded (the definition; slow on a big book);
- ``method="auto"`` (default): an order none of whose events occurred after `at` is in the state its stored
  rows show (they are the fold of its whole log, which is its log up to `at`), so those are counted by one
  grouped SQL query over the stored nodes and clocks; only the orders with a later event are folded. For
  the morning snapshot a few minutes after the working day starts that is a handful of orders.
Tests check that both agree (yekuo/monitoring/tests/test_snapshot.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Case, CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from yekuo.orders.models import NodeInstance, OrderEvent, WorkOrder
from yekuo.orders.projection import IN_TRANSIT, SUSPENDED, Event, OrderState
from yekuo.orders.services.write import fold_context
from yekuo.workcal.engine import to_epoch

STATES = ("normal", "warning", "overdue", "suspended")
TRANSIT = (IN_TRANSIT, SUSPENDED)
METHODS = ("auto", "replay")


@dataclass(frozen=True)
class NodeAt:
    """One active node of an order in transit at an instant, with what the list of alarms shows of it."""

    order_id: int
    branch_id: int
    category: str
    node: str
    state: str
    clock: str | None
    deadline_at: datetime | None
    warn_at: datetime | None


@dataclass
class Snapshot:
    at: datetime
    counts: Counter = field(default_factory=Counter)  # (branch_id, category, node, state) -> n
    folded: int = 0  # orders whose log was folded (the others were read from their rows)
    kept: list = field(default_factory=list)  # the folded orders' nodes in the states asked to keep (NodeAt)

    def rows(self, branch_codes: dict[int, str]) -> list[dict]:
        """The rows of the JSON form, sorted by branch, category, node, state."""
        out = [
            {"branch": branch_codes.get(b, str(b)), "category": c, "node": n, "state": s, "count": k}
            for (b, c, n, s), k in self.counts.items()
            if k
        ]
        return sorted(out, key=lambda r: (r["branch"], r["category"], r["node"], STATES.index(r["state"])))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def node_state(clock_state: str | None, order_suspended: bool, deadline_at, warn_at, at: datetime) -> str:
    """The state of an active node from the clock that covers it (see the module's docstring; R9, I5)."""
    if clock_state == "paused" or (order_suspended and clock_state != "running"):
        return "suspended"
    if clock_state == "running":
        if deadline_at is not None and at > deadline_at:
            return "overdue"
        if warn_at is not None and at >= warn_at:
            return "warning"
    return "normal"


def state_nodes(order: WorkOrder, state: OrderState, at: datetime, category) -> list[NodeAt]:
    """The active nodes of a folded order state, each with its state at `at` (none when not in transit)."""
    if state.status not in TRANSIT:
        return []
    out = []
    for code, node in state.nodes.items():
        if node.state != "active":
            continue
        spec = category._index["span"].get(code)
        clock = state.clocks.get(spec.code) if spec else None
        out.append(
            NodeAt(
                order.pk,
                order.branch_id,
                order.category,
                code,
                node_state(
                    clock.state if clock else None,
                    state.status == SUSPENDED,
                    clock.deadline_at if clock else None,
                    clock.warn_at if clock else None,
                    at,
                ),
                spec.code if spec else None,
                clock.deadline_at if clock and clock.state == "running" else None,
                clock.warn_at if clock and clock.state == "running" else None,
            )
        )
    return out


def replay_nodes(orders, at: datetime) -> list[NodeAt]:
    """Fold each order's log up to `at` and list its active nodes then (the definition of the snapshot)."""
    orders = list(orders)
    events: dict[int, list[Event]] = {o.pk: [] for o in orders}
    rows = (
        OrderEvent.objects.filter(order_id__in=list(events), occurred_at__lte=at)
        .order_by("order_id", "seq")
        .values_list("order_id", "type", "occurred_at", "payload", "seq")
    )
    for order_id, type_, occurred, payload, seq in rows.iterator(chunk_size=5000):
        events[order_id].append(Event(type_, occurred, payload, seq))
    contexts: dict[tuple, object] = {}
    out: list[NodeAt] = []
    for order in orders:
        log = events[order.pk]
        if not log:
            continue
        key = (order.regulation_code, order.category, order.channel, order.branch.company_id)
        if key not in contexts:
            contexts[key] = fold_context(order)
        context = contexts[key]
        out.extend(state_nodes(order, context.project(log), at, context.category))
    return out


def _changed_after(at: datetime):
    """Orders with an event that occurred after `at`: their rows are not their state at `at`."""
    return OrderEvent.objects.filter(occurred_at__gt=at).values("order_id")


def _orders(queryset=None):
    base = queryset if queryset is not None else WorkOrder.objects.all()
    return base.select_related("branch__company")


def node_state_case(at: datetime, prefix: str = "") -> Case:
    """`node_state` as SQL over a NodeInstance row annotated with its clock's state, deadline and warning time."""
    running = Q(clock_state="running")
    held = Q(clock_state="paused") | (Q(**{f"{prefix}order__status": SUSPENDED}) & ~running)
    return Case(
        When(held, then=Value("suspended")),
        When(running & Q(clock_deadline__lt=at), then=Value("overdue")),
        When(running & Q(clock_warn__lte=at), then=Value("warning")),
        default=Value("normal"),
        output_field=CharField(),
    )


def stored_nodes(at: datetime, orders=None):
    """The active nodes of the orders in transit as their rows stand, annotated with `node_state` at `at`:
    clock_state, clock_deadline, clock_warn and `monitor_state`. `orders`: a WorkOrder queryset to limit to."""
    # One join to the covering clock (order, code = the node's clock_code: the clocks' unique key), not a
    # subquery per column: the planner can hash or merge it over a whole book.
    nodes = NodeInstance.objects.filter(state="active", order__status__in=TRANSIT).annotate(
        covering=FilteredRelation("order__clocks", condition=Q(order__clocks__code=F("clock_code")))
    )
    if orders is not None:
        nodes = nodes.filter(order__in=orders.values("pk"))
    nodes = nodes.annotate(
        clock_state=Coalesce(F("covering__state"), Value("")),
        clock_deadline=F("covering__deadline_at"),
        clock_warn=F("covering__warn_at"),
    )
    return nodes.annotate(monitor_state=node_state_case(at))


def snapshot(at: datetime, *, method: str = "auto", orders=None, keep: tuple[str, ...] = ()) -> Snapshot:
    """The in-transit picture at `at` (see the module's docstring). `orders`: a WorkOrder queryset to limit
    the picture to (a scope, a test's orders); default every order. `keep`: states whose nodes of the folded
    orders are also kept one by one (`kept`), for the day's list of alarms (folding is the costly part)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    result = Snapshot(at)
    base = _orders(orders).filter(created_at__lte=at)
    if method == "replay":
        folded = base
    else:
        changed = Exists(_changed_after(at).filter(order_id=OuterRef("pk")))
        folded = base.filter(changed)
        untouched = base.filter(~changed)
        grouped = (
            stored_nodes(at, untouched)
            .values("order__branch_id", "order__category", "code", "monitor_state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            key = (row["order__branch_id"], row["order__category"], row["code"], row["monitor_state"])
            result.counts[key] += row["n"]
    for chunk in in_chunks(folded.order_by("pk"), 2000):
        result.folded += len(chunk)
        for node in replay_nodes(chunk, at):
            result.counts[(node.branch_id, node.category, node.node, node.state)] += 1
            if node.state in keep:
                result.kept.append(node)
    return result


def nodes_at(at: datetime, *, orders=None, states=STATES) -> list[NodeAt]:
    """The active nodes in transit at `at` in one of `states`, one by one (the overdue-warning list reads
    the alarmed ones): the stored rows of the orders untouched since `at`, the fold of the others."""
    base = _orders(orders).filter(created_at__lte=at)
    changed = Exists(_changed_after(at).filter(order_id=OuterRef("pk")))
    stored = stored_nodes(at, base.filter(~changed)).filter(monitor_state__in=states)
    out = [
        NodeAt(n.order_id, n.order.branch_id, n.order.category, n.code, n.monitor_state, n.clock_code or None,
               n.clock_deadline if n.clock_state == "running" else None,
               n.clock_warn if n.clock_state == "running" else None)
        for n in stored.select_related("order")
    ]  # fmt: skip
    for chunk in in_chunks(base.filter(changed).order_by("pk"), 2000):
        out.extend(n for n in replay_nodes(chunk, at) if n.state in states)
    return out


def in_chunks(queryset, size: int):
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def working_day_start(table, day: date) -> datetime:
    """When the working day `day` starts: its first office hour; a day that is not a working day, its
    midnight (Asia/Shanghai). The morning snapshot is taken then (R10)."""
    midnight = datetime.combine(day, time(0), table.tz)
    first = table.w_inv(table.w(to_epoch(midnight)) + 1) - 1  # the first working second after midnight
    start = table.local(first)
    return start if start.date() == day else midnight


# ------------------------------------------------------------------------------------------ command
def add_arguments(parser):
    parser.add_argument("--at", help="The instant (ISO 8601 with offset, e.g. 2026-12-01T08:30+08:00); default now")
    parser.add_argument(
        "--json", action="store_true", help='Print {"at": …, "rows": [{branch, category, node, state, count}]}'
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="auto: the stored rows of orders untouched since --at, the log of the others; replay: every log",
    )


def run(command, *, at=None, json=False, method="auto", **_options):
    """`yekuo monitor snapshot --at ISO [--json]` (R10)."""
    import json as json_module

    from django.utils import timezone

    from yekuo.accounts.models import Branch
    from yekuo.orders.replay import parse_time

    when = parse_time(at, "--at") if at else timezone.now()
    result = snapshot(when, method=method)
    rows = result.rows(dict(Branch.objects.values_list("pk", "code")))
    if json:
        payload = {"at": timezone.localtime(when).isoformat(), "rows": rows}
        command.stdout.write(json_module.dumps(payload, ensure_ascii=False))
        return
    command.stdout.write(f"in transit at {timezone.localtime(when).isoformat()}: {result.total} active nodes")
    for row in rows:
        cells = (f"{row['branch']:<14}", f"{row['category']:<12}", f"{row['node']:<20}", f"{row['state']:<9}")
        command.stdout.write(" ".join(cells) + f" {row['count']}")
