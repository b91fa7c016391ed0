"""The state of a work order as a pure fold over its events (REQUIREMENTS R8, R16; docs/architecture.md).

`project(category, rules, channel, events, table)` applies the events in occurred_at order and returns
the order's status, nodes, clocks and suspensions. It is the only place where the workflow rules live:
the services validate a new event by folding it in (an invalid step raises `WorkflowError` naming the
event), `replay` folds a file's events, and `orders verify` folds the stored log and compares.

Rules implemented here, each from the regulation data (yekuo/regulations/data/ordos-2022-64.toml):
- a clock starts on its start event for the order's channel, and with hold_until_predecessors (D1) not
  before the predecessors of its first node are complete; it stops when its stop node completes; a
  clock spanning several nodes (I1) runs across all of them;
- a limit chosen by a condition (I2: approval 0/3 by low_risk) shows the pending value until
  approval.decided, and the deadline follows the decision;
- suspensions (I5) pause every running clock; the pause is credited in working time by the engine and
  counted as customer time; a clock started during a suspension starts paused;
- cancellation stops every clock; reopening resumes them, the cancelled span credited like a pause;
- a suspension under review (I5, `orders.suspension_review` decides which) pauses nothing until
  suspension.approved, which pauses from its start; suspension.rejected leaves the clocks as they ran;
- a customer event is refused until each predecessor of the node it starts has begun (`_check_customer_reach`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter

from yekuo.common.errors import YekuoError
from yekuo.orders.events import CUSTOMER_EVENTS, EVENT_TYPES
from yekuo.regulations.codes import SUPPLY_PLAN_NODE
from yekuo.regulations.spec import CategorySpec, Rules
from yekuo.workcal.engine import SHANGHAI, Threshold, WorkTable, to_epoch

CREATED, IN_TRANSIT, SUSPENDED, ENERGIZED, CANCELLED = (
    "created",
    "in_transit",
    "suspended",
    "energized",
    "cancelled",
)


def _local(value: datetime) -> str:
    """Times in messages read in Asia/Shanghai, as everywhere a person sees them."""
    return value.astimezone(SHANGHAI).isoformat()


class WorkflowError(YekuoError):
    code = "workflow"


@dataclass
class Event:
    type: str
    at: datetime
    payload: dict = field(default_factory=dict)
    seq: int = 0


@dataclass
class NodeState:
    code: str
    state: str = "waiting"  # waiting → active (predecessors done) → done; active ⇄ cancelled with the order
    ready_at: datetime | None = None
    completed_at: datetime | None = None
    assignee: str | None = None


@dataclass
class ClockState:
    code: str
    nodes: tuple[str, ...]
    state: str = "not_started"  # not_started, running, paused, done, cancelled
    requested_at: datetime | None = None  # when the start event came (D1 may hold the start)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    limit_days: float | None = None
    condition_pending: bool = False
    pauses: list[list] = field(default_factory=list)  # [[begin, end | None], ...]
    deadline_at: datetime | None = None
    warn_at: datetime | None = None
    provisional: bool = False
    budget_seconds: int | None = None


# What `Projector._refresh` computes from a clock's other fields and the work table: two clocks equal in
# those other fields are equal in these too (under one table and threshold), so a diff needs only the rest.
DERIVED = ("deadline_at", "warn_at", "budget_seconds", "provisional")
_BASE = attrgetter(*(f.name for f in fields(ClockState) if f.name not in DERIVED))


def same_clock(a: ClockState, b: ClockState) -> bool:
    """Equal in every field that is not derived, hence in all (see DERIVED)."""
    return _BASE(a) == _BASE(b)


# The review of a suspension (I5, rule in `orders.suspension_review`): "" needs none; "pending"
# waits for a second person and pauses nothing meanwhile; "approved" pauses from its start; "rejected"
# never paused anything.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass
class SuspensionState:
    reason: str
    started_at: datetime
    ended_at: datetime | None = None
    evidence: str = ""
    review: str = ""
    review_reasons: list[str] = field(default_factory=list)

    @property
    def pauses_clocks(self) -> bool:
        """Does this suspension pause the clocks (I5), or do they run on until a second person approves it?"""
        return self.review in ("", APPROVED)


@dataclass
class OrderState:
    status: str = CREATED
    received_at: datetime | None = None
    closed_at: datetime | None = None
    conditions: dict = field(default_factory=dict)
    nodes: dict[str, NodeState] = field(default_factory=dict)
    clocks: dict[str, ClockState] = field(default_factory=dict)
    suspensions: list[SuspensionState] = field(default_factory=list)
    last_event_at: datetime | None = None

    def copy(self) -> OrderState:
        """A copy that the projector's later steps cannot change (they mutate nodes, clocks, pauses)."""
        return OrderState(
            status=self.status,
            received_at=self.received_at,
            closed_at=self.closed_at,
            conditions=dict(self.conditions),
            nodes={
                code: NodeState(code=n.code, state=n.state, ready_at=n.ready_at, completed_at=n.completed_at,
                                assignee=n.assignee)
                for code, n in self.nodes.items()
            },
            clocks={
                code: ClockState(
                    code=c.code, nodes=c.nodes, state=c.state, requested_at=c.requested_at, started_at=c.started_at,
                    completed_at=c.completed_at, limit_days=c.limit_days, condition_pending=c.condition_pending,
                    pauses=[list(p) for p in c.pauses], deadline_at=c.deadline_at, warn_at=c.warn_at,
                    provisional=c.provisional, budget_seconds=c.budget_seconds,
                )
                for code, c in self.clocks.items()
            },
            suspensions=[
                SuspensionState(reason=s.reason, started_at=s.started_at, ended_at=s.ended_at, evidence=s.evidence,
                                review=s.review, review_reasons=list(s.review_reasons))
                for s in self.suspensions
            ],
            last_event_at=self.last_event_at,
        )  # fmt: skip

    @property
    def open_suspension(self) -> SuspensionState | None:
        return self.suspensions[-1] if self.suspensions and self.suspensions[-1].ended_at is None else None


class Projector:
    """Folds events into an OrderState for one order of one category."""

    def __init__(self, category: CategorySpec, rules: Rules, channel: str, table: WorkTable, threshold: Threshold):
        self.category, self.rules, self.channel = category, rules, channel
        self.table, self.threshold = table, threshold
        self.starts = {c.code: c.start_for(channel) for c in category.clocks}
        self.state = OrderState(
            nodes={n.code: NodeState(n.code) for n in category.nodes},
            clocks={c.code: ClockState(c.code, c.nodes) for c in category.clocks},
        )
        for clock in category.clocks:
            self._set_limit(self.state.clocks[clock.code])
        self._signatures: dict[str, tuple] = {}

    # ------------------------------------------------------------------------------------------ entry
    def apply(self, event: Event) -> None:
        state = self.state
        if state.last_event_at and event.at < state.last_event_at:
            raise WorkflowError(
                f"{event.type} at {_local(event.at)} is earlier than the event before it "
                f"({_local(state.last_event_at)}); events are applied in the order they happened"
            )
        handler = getattr(self, "_on_" + event.type.replace(".", "_"), None)
        if handler is None:
            raise WorkflowError(f"unknown event type {event.type!r}; known: {', '.join(EVENT_TYPES)}")
        handler(event)
        state.last_event_at = event.at

    def result(self, only: set[str] | None = None) -> OrderState:
        """The state so far, its deadlines computed: only a state that is looked at needs them, so they
        are computed here and not after every event (the handlers never read them). `only`: the codes of
        the clocks to compute (the others keep what they had)."""
        self._refresh(only)
        return self.state

    # ------------------------------------------------------------------------------------------ events
    def _on_order_created(self, event: Event) -> None:
        pass  # the order's attributes are on the order; the event records who created it and when

    def _on_calendar_recomputed(self, event: Event) -> None:
        pass  # recorded so the order's history shows when an official schedule moved its deadlines (I7)

    def _on_customer_rated(self, event: Event) -> None:
        """R1: the customer's rating of the service, given once the order is energized; it moves no clock."""
        if self.state.status != ENERGIZED:
            raise WorkflowError(f"{event.type}: the customer rates an energized order; this one is {self.state.status}")

    def _on_customer_contract_signed(self, event: Event) -> None:
        """R1: the customer signs the supply contract online once the supply plan is answered (the contract
        states what it settled: voltage, capacity), until energization; it moves no clock."""
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"{event.type}: the order is {self.state.status}")
        plan = self.state.nodes.get(SUPPLY_PLAN_NODE)
        if plan is None or plan.state != "done":
            raise WorkflowError(
                f"{event.type}: the contract is signed once the supply plan is answered ({SUPPLY_PLAN_NODE} done)"
            )

    def _on_joint_offered(self, event: Event) -> None:
        """R4: the customer's choice of joint utility application, recorded at acceptance; it moves no clock."""
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"{event.type}: the order is {self.state.status}")

    def _on_entry_reviewed(self, event: Event) -> None:
        """A second person's check of a back-dated entry (I5, `orders.entry_review`): kept in the log
        for the monthly check, it moves no clock; it may come after the order is closed."""
        if not isinstance(event.payload.get("seq"), int) or not isinstance(event.payload.get("approved"), bool):
            raise WorkflowError("entry.reviewed needs seq (the entry's number) and approved: true or false")

    def _on_order_received(self, event: Event) -> None:
        state = self.state
        if state.received_at is not None:
            raise WorkflowError(f"the order was already received at {_local(state.received_at)}")
        if state.status != CREATED:  # cancelled before it was received (a back-dated cancellation)
            raise WorkflowError(f"the order is {state.status}; it cannot be received")
        state.status, state.received_at = IN_TRANSIT, event.at
        for node in self.category.nodes:  # the entry node(s): nothing before them (acceptance)
            if not node.predecessors:
                self._node_ready(node.code, event.at)
        self._request_starts("order.received", None, event.at)

    def _on_order_edited(self, event: Event) -> None:
        """A correction of the order's data (O8): no clock moves; a closed order's data stays as it closed."""
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"{event.type}: the order is {self.state.status}")

    def _on_order_assigned(self, event: Event) -> None:
        self._require_open(event)
        node = self._node(event.payload.get("node"))
        if node.state == "done":
            raise WorkflowError(f"node {node.code} is already complete; it cannot be assigned")
        node.assignee = event.payload.get("assignee")

    def _on_node_completed(self, event: Event) -> None:
        self._require_working(event)
        code = event.payload.get("node")
        node = self._node(code)
        if node.state == "done":
            raise WorkflowError(f"node {code} was already completed at {_local(node.completed_at)}")
        spec = self.category.node(code)
        missing = [p for p in spec.predecessors if self.state.nodes[p].state != "done"]
        if missing:
            raise WorkflowError(f"node {code} cannot be completed before {', '.join(missing)}", field="node")
        clock = self.category.clock_of(code) if code in self._spanned() else None
        if clock is not None and clock.nodes[0] == code:
            start = self.starts[clock.code]
            if start.event in CUSTOMER_EVENTS and self.state.clocks[clock.code].requested_at is None:
                raise WorkflowError(f"node {code} cannot be completed before {start.event}", field="node")
        node.state, node.completed_at = "done", event.at
        if clock is not None and clock.stop.node == code:
            self._stop(self.state.clocks[clock.code], event.at)
        for successor in self.category.successors(code):
            if all(self.state.nodes[p].state == "done" for p in self.category.node(successor).predecessors):
                self._node_ready(successor, event.at)
        self._request_starts("node.completed", code, event.at)
        if all(n.state == "done" for n in self.state.nodes.values()):
            self.state.status, self.state.closed_at = ENERGIZED, event.at

    def _on_approval_decided(self, event: Event) -> None:
        self._require_open(event)
        low_risk = event.payload.get("low_risk")
        if not isinstance(low_risk, bool):
            raise WorkflowError("approval.decided needs low_risk: true or false", field="low_risk")
        if self.category.has_node("approval") and self.state.nodes["approval"].state == "done":
            raise WorkflowError("the approval node is already complete; its limit can no longer change")
        self.state.conditions["low_risk"] = low_risk
        for clock in self.state.clocks.values():
            self._set_limit(clock)

    def _on_customer_design_submitted(self, event: Event) -> None:
        self._customer_event(event)

    _on_customer_inspection_requested = _on_customer_design_submitted
    _on_customer_works_completed = _on_customer_design_submitted

    def _on_suspension_started(self, event: Event) -> None:
        self._require_working(event)
        reason = event.payload.get("reason")
        if not reason:
            raise WorkflowError("suspension.started needs a reason code", field="reason")
        review = PENDING if event.payload.get("review") == PENDING else ""
        self.state.suspensions.append(
            SuspensionState(
                reason,
                event.at,
                None,
                event.payload.get("evidence", ""),
                review,
                list(event.payload.get("review_reasons", [])),
            )
        )
        self.state.status = SUSPENDED
        if review == PENDING:
            return  # I5: the clocks run on until a second person approves the suspension
        for clock in self.state.clocks.values():
            if clock.state == "running":
                clock.pauses.append([event.at, None])
                clock.state = "paused"

    def _on_suspension_ended(self, event: Event) -> None:
        open_one = self.state.open_suspension
        if open_one is None or self.state.status != SUSPENDED:
            raise WorkflowError("the order is not suspended", field="type")
        open_one.ended_at = event.at
        self.state.status = IN_TRANSIT
        if event.payload.get("review") == PENDING and open_one.review == "":
            # Longer than the rule allows without a check (I5): the pause is withdrawn until approved.
            self._to_review(open_one, event.payload.get("review_reasons", []))
        self._resume_all(event.at)

    def _on_suspension_flagged(self, event: Event) -> None:
        """An open suspension has passed the length allowed without a check (I5; written by yekuo's periodic
        task, `suspension_review.flag_long_suspensions`, dated when it passed): from then it waits for a
        second person like one found long at its end — the clocks run as if it had not paused them."""
        open_one = self.state.open_suspension
        if open_one is None or self.state.status != SUSPENDED:
            raise WorkflowError("the order is not suspended", field="type")
        if open_one.review == "":
            self._to_review(open_one, event.payload.get("review_reasons", []))

    def _to_review(self, suspension: SuspensionState, reasons: list) -> None:
        suspension.review = PENDING
        suspension.review_reasons = [*suspension.review_reasons, *reasons]
        for clock in self.state.clocks.values():
            if clock.pauses and clock.pauses[-1] == [suspension.started_at, None] and clock.state == "paused":
                clock.pauses.pop()
                clock.state = "running"

    def _on_suspension_approved(self, event: Event) -> None:
        """A second person approves a suspension under review: it pauses the clocks from its start (I5),
        each clock that was running then, up to its end (or still, if it has not ended)."""
        suspension = self._pending_suspension(event)
        suspension.review = APPROVED
        begin, end = suspension.started_at, suspension.ended_at
        for clock in self.state.clocks.values():
            if not self._ran_at(clock, begin):
                continue
            if end is None and clock.state == "running":
                clock.pauses.append([begin, None])
                clock.state = "paused"
            else:
                clock.pauses.append([begin, end])
                clock.pauses.sort(key=lambda p: p[0])

    def _on_suspension_rejected(self, event: Event) -> None:
        """A second person rejects a suspension under review: it never paused a clock, and an open one ends now."""
        suspension = self._pending_suspension(event)
        if not str(event.payload.get("note") or "").strip():
            raise WorkflowError("rejecting a suspension needs a note saying why", field="note")
        suspension.review = REJECTED
        if suspension.ended_at is None:
            suspension.ended_at = event.at
            self.state.status = IN_TRANSIT

    def _on_order_cancelled(self, event: Event) -> None:
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"a {self.state.status} order cannot be cancelled")
        if self.state.open_suspension:
            self.state.open_suspension.ended_at = event.at
        for clock in self.state.clocks.values():
            if clock.state in ("running", "paused"):
                if clock.state == "running":
                    clock.pauses.append([event.at, None])
                clock.state = "cancelled"
        for node in self.state.nodes.values():  # nobody works a cancelled order (O5)
            if node.state == "active":
                node.state = "cancelled"
        self.state.status, self.state.closed_at = CANCELLED, event.at

    def _on_order_transferred(self, event: Event) -> None:
        """R3: the order moves to another branch (the order row's branch, set by the intake service in the
        same transaction); nothing of its nodes or clocks changes: its clocks keep running."""
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"a {self.state.status} order cannot be moved to another branch")
        if not event.payload.get("to"):
            raise WorkflowError("order.transferred needs the branch it moves to", field="branch")

    def _on_order_returned(self, event: Event) -> None:
        """R3: an application the dispatcher returns to its platform (for correction) or rejects never
        reaches a branch: it closes as a cancellation before receipt, and no clock has started."""
        if self.state.status != CREATED:
            raise WorkflowError(f"{event.type}: only an application not yet dispatched can be returned or rejected")
        self._on_order_cancelled(event)

    _on_order_rejected = _on_order_returned

    def _on_order_reopened(self, event: Event) -> None:
        if self.state.status != CANCELLED:
            raise WorkflowError("only a cancelled order can be reopened")
        if not event.payload.get("reason"):
            raise WorkflowError("order.reopened needs a reason", field="reason")
        self.state.status = IN_TRANSIT if self.state.received_at else CREATED
        self.state.closed_at = None
        for node in self.state.nodes.values():
            if node.state == "cancelled":
                node.state = "active"
        for clock in self.state.clocks.values():
            if clock.state == "cancelled":
                clock.state = "paused"
        self._resume_all(event.at)

    # ------------------------------------------------------------------------------------------ helpers
    def _spanned(self) -> set[str]:
        return {node for clock in self.category.clocks for node in clock.nodes}

    def _node(self, code) -> NodeState:
        if not code or code not in self.state.nodes:
            known = ", ".join(self.state.nodes)
            raise WorkflowError(f"category {self.category.code} has no node {code!r}; it has: {known}", field="node")
        return self.state.nodes[code]

    def _require_open(self, event: Event) -> None:
        if self.state.status in (ENERGIZED, CANCELLED):
            raise WorkflowError(f"{event.type}: the order is {self.state.status}")
        if self.state.status == CREATED:
            raise WorkflowError(f"{event.type}: the order has not been received yet")

    def _require_working(self, event: Event) -> None:
        self._require_open(event)
        if self.state.status == SUSPENDED:
            raise WorkflowError(f"{event.type}: the order is suspended; resume it first")

    def _customer_event(self, event: Event) -> None:
        self._require_working(event)
        started = [c for c, rule in self.starts.items() if rule.event == event.type]
        if not started:
            raise WorkflowError(f"category {self.category.code} has no step started by {event.type}", field="type")
        for code in started:
            if self.state.clocks[code].requested_at is not None:
                raise WorkflowError(f"{event.type} was already recorded for {code}", field="type")
            self._check_customer_reach(event, code)
        self._request_starts(event.type, None, event.at)

    def _check_customer_reach(self, event: Event, clock_code: str) -> None:
        """Refuse a customer event the workflow cannot have reached (O5). Attachment 1 places the
        customer-side steps beside the supporting works (图纸审查 "与业扩配套工程同步开展", 中间检查 "与业扩配套工程
        施工同步开展", 签订合同、竣工检验 "客户侧工程完工后"), and D1 holds an event that comes while the node
        just before is still being worked. So each predecessor of the node the event starts must at least have
        begun: customer.works_completed waits for the supporting works to begin, i.e. for the approval
        (filing) to be complete (10 kV), and for the intermediate inspection to begin (dual-source)."""
        first = self.category.node(self.category.clock(clock_code).nodes[0])
        waiting = [p for p in first.predecessors if self.state.nodes[p].state == "waiting"]
        if waiting:
            names = ", ".join(f"{p} ({self.category.node(p).name})" for p in waiting)
            raise WorkflowError(
                f"{event.type} cannot come yet: it starts {first.code} ({first.name}), and {names} has not begun; "
                "the customer-side steps run beside the supporting works (Attachment 1, D1)",
                field="type",
            )

    def _pending_suspension(self, event: Event) -> SuspensionState:
        position = event.payload.get("suspension")
        if not isinstance(position, int) or not 0 <= position < len(self.state.suspensions):
            raise WorkflowError(
                f"{event.type} needs the position of one of the order's suspensions", field="suspension"
            )
        suspension = self.state.suspensions[position]
        if suspension.review != PENDING:
            raise WorkflowError(f"suspension {position} is not awaiting review", field="suspension")
        return suspension

    @staticmethod
    def _ran_at(clock: ClockState, at: datetime) -> bool:
        """Was the clock counting at `at` (started, not yet complete, not inside a pause)?"""
        if clock.started_at is None or clock.started_at > at:
            return False
        if clock.completed_at is not None and clock.completed_at <= at:
            return False
        return not any(b <= at and (e is None or at < e) for b, e in clock.pauses)

    def _node_ready(self, code: str, at: datetime) -> None:
        node = self.state.nodes[code]
        if node.state == "waiting":
            node.state, node.ready_at = "active", at

    def _request_starts(self, event_type: str, node: str | None, at: datetime) -> None:
        for code, rule in self.starts.items():
            if rule.event == event_type and rule.node == node and self.state.clocks[code].requested_at is None:
                self.state.clocks[code].requested_at = at
        self._start_ready(at)

    def _start_ready(self, at: datetime) -> None:
        """Start every requested clock whose first node may be worked (D1: hold until predecessors)."""
        for clock in self.state.clocks.values():
            if clock.state != "not_started" or clock.requested_at is None:
                continue
            first = self.category.node(clock.nodes[0])
            if self.rules.hold_until_predecessors and any(
                self.state.nodes[p].state != "done" for p in first.predecessors
            ):
                continue
            clock.started_at = at  # the request itself, or the completion that released it (D1)
            if self.state.status == SUSPENDED and self.state.open_suspension.pauses_clocks:
                clock.state = "paused"
                clock.pauses.append([clock.started_at, None])
            else:
                clock.state = "running"

    def _stop(self, clock: ClockState, at: datetime) -> None:
        if clock.pauses and clock.pauses[-1][1] is None:
            clock.pauses[-1][1] = at
        clock.state, clock.completed_at = "done", at

    def _resume_all(self, at: datetime) -> None:
        for clock in self.state.clocks.values():
            if clock.state == "paused" and self.state.status != SUSPENDED:
                clock.pauses[-1][1] = at
                clock.state = "running"

    def _set_limit(self, clock: ClockState) -> None:
        limit = self.category.clock(clock.code).limit
        clock.limit_days = limit.days(self.state.conditions)
        clock.condition_pending = limit.by is not None and limit.by not in self.state.conditions

    def _refresh(self, only: set[str] | None = None) -> None:
        """Recompute deadline_at / warn_at of every started clock (of those in `only`) from the engine."""
        table = self.table
        for clock in self.state.clocks.values():
            if clock.started_at is None or (only is not None and clock.code not in only):
                continue
            # Only what moves a deadline is worth recomputing: start, limit and pauses.
            signature = (
                clock.started_at,
                clock.limit_days,
                tuple(tuple(p) for p in clock.pauses),
                clock.completed_at,
            )
            if self._signatures.get(clock.code) == signature:
                continue
            self._signatures[clock.code] = signature
            start = to_epoch(clock.started_at)
            pauses = table.normalize_pauses(
                start, [(to_epoch(b), None if e is None else to_epoch(e)) for b, e in clock.pauses]
            )
            budget = table.budget_for(start, clock.limit_days)
            end = table.deadline_ts(start, budget, pauses)
            warn = table.deadline_ts(start, self.threshold.warn_budget(budget), pauses)
            clock.budget_seconds = budget
            clock.deadline_at = None if end is None else table.local(end)
            clock.warn_at = None if warn is None else table.local(max(warn, start))
            last = end if end is not None else max([start, *(p[0] for p in pauses)])
            if clock.completed_at is not None:
                last = max(last, to_epoch(clock.completed_at))
            clock.provisional = table.is_provisional(start, last)


def _key(event: Event) -> tuple:
    return event.at, event.seq


def project(category, rules, channel, events, table, threshold: Threshold | None = None) -> OrderState:
    """Fold events (any order; sorted here by occurred_at, then sequence) into the order's state."""
    projector = Projector(category, rules, channel, table, threshold or Threshold())
    _apply_all(projector, sorted(events, key=_key))
    return projector.result()


def project_pair(category, rules, channel, events, new, table, threshold=None) -> tuple[OrderState, OrderState]:
    """The state of `events`, and of `events` with `new` folded in: what an action changes, for a diff by
    `same_clock` (not ==): the derived clock fields (DERIVED: deadline, warning, budget, provisional) are
    computed only for the clocks that differ between the two and the running ones, in `after`; the others
    are left as the fold left them, since the diff does not need them and a clock that did not change keeps
    its stored ones (the running ones are measured for the order row's `due.due_fields`).

    When every new event comes after the log (the usual case: things are recorded as they happen) the
    log is folded once and the new events continue from a copy of its state; a new event dated among the
    old ones goes to its place in time, and then both states are folded (and measured) in full.
    """
    old = sorted(events, key=_key)
    new = sorted(new, key=_key)
    if old and new and _key(new[0]) < _key(old[-1]):
        return project(category, rules, channel, old, table, threshold), project(
            category, rules, channel, [*old, *new], table, threshold
        )
    projector = Projector(category, rules, channel, table, threshold or Threshold())
    _apply_all(projector, old)
    before = projector.state.copy()
    _apply_all(projector, new)
    clocks = projector.state.clocks
    # The running clocks too, changed or not: the order row keeps their soonest deadline (orders/due.py).
    measured = {code for code, c in clocks.items() if c.state == "running" or not same_clock(c, before.clocks[code])}
    return before, projector.result(only=measured)


def _apply_all(projector: Projector, events: list[Event]) -> None:
    for event in events:
        try:
            projector.apply(event)
        except WorkflowError as exc:
            raise WorkflowError(f"{event.type} at {_local(event.at)}: {exc.message}", field=exc.field) from None
