"""The write path of a work order: fold the log, check each step, store events and changed rows
(REQUIREMENTS R8, R14–R16).

Each action checks the actor's role and scope and the order's state, then appends one OrderEvent and
updates the projection rows in the same transaction. The workflow rules themselves live in
`projection.py`: an action is valid exactly when its event folds into the order's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope
from yekuo.common.errors import Conflict, Forbidden, InvalidInput, YekuoError
from yekuo.orders import suspension_review
from yekuo.orders.due import due_fields
from yekuo.orders.events import event_type
from yekuo.orders.gates import check_receipt
from yekuo.orders.models import EventSource, OrderEvent, SuspensionReason, WorkOrder
from yekuo.orders.projection import (
    Event,
    OrderState,
    WorkflowError,
    project,
    project_pair,
    same_clock,
)
from yekuo.orders.store import Read, key_recorded, read_order, write_changes
from yekuo.orders.validation import check_event_texts
from yekuo.regulations.selectors import regulation_get, regulation_spec
from yekuo.regulations.spec import CategorySpec, RegulationSpec, Rules
from yekuo.workcal.engine import Threshold, WorkTable
from yekuo.workcal.selectors import work_table

FUTURE_TOLERANCE = timedelta(minutes=2)
# Entries made by a person (pages and the staff API): back-dating needs a reason, nodes need their role.
STAFF_SOURCES = (EventSource.WEB, EventSource.API)
# Who may complete a node owned by another role: only administrators (managers control, they do not work).
NODE_OVERRIDE_ROLES = {"administrator"}


def threshold() -> Threshold:
    """The warning threshold of R9, from settings (YEKUO_WARN_USED_FRACTION / _REMAINING_MINUTES)."""
    remaining = settings.YEKUO_WARN_REMAINING_MINUTES
    return Threshold(settings.YEKUO_WARN_USED_FRACTION, None if remaining is None else remaining * 60)


def table_for(order: WorkOrder):
    return work_table(order.branch.company.code if order.branch.company_id else "default")


@dataclass(frozen=True)
class FoldContext:
    """What a fold needs besides the events: the order's category and rules under its regulation (R14),
    its channel, its company's work table and the warning threshold (R9)."""

    category: CategorySpec
    rules: Rules
    channel: str
    table: WorkTable
    limits: Threshold

    def project(self, events: list[Event]) -> OrderState:
        return project(self.category, self.rules, self.channel, events, self.table, self.limits)

    def project_pair(self, events: list[Event], new: list[Event]) -> tuple[OrderState, OrderState]:
        return project_pair(self.category, self.rules, self.channel, events, new, self.table, self.limits)


def fold_context(order: WorkOrder, read: Read | None = None, regulation: RegulationSpec | None = None) -> FoldContext:
    """The context of `order`. `read` carries the regulation checksum and calendar token read with the
    order, which saves the two queries that would otherwise check the caches. `regulation`: fold under this
    spec instead of the order's own (R14) — a proposed table that is not loaded, for a what-if (O17); the
    category must exist in it (InvalidInput otherwise)."""
    if regulation is not None:
        revision = None if read is None else read.calendar_token
        table = table_for(order) if read is None else work_table(order.branch.company.code, revision=revision)
    elif read is None:
        regulation, table = regulation_get(order.regulation_code), table_for(order)
    else:
        regulation = regulation_spec(order.regulation_code, read.regulation_checksum)
        table = work_table(order.branch.company.code, revision=read.calendar_token)
    return FoldContext(regulation.category(order.category), regulation.rules, order.channel, table, threshold())


def fold(order: WorkOrder, events: list[Event], context: FoldContext | None = None) -> OrderState:
    return (context or fold_context(order)).project(events)


# ------------------------------------------------------------------------------------------ projection rows
CLOCK_FIELDS = (
    "state",
    "limit_days",
    "condition_pending",
    "requested_at",
    "started_at",
    "completed_at",
    "deadline_at",
    "warn_at",
    "budget_seconds",
    "pauses",
    "provisional",
)


def _node_values(node) -> dict:
    return {
        "state": node.state,
        "ready_at": node.ready_at,
        "completed_at": node.completed_at,
        "assignee_id": node.assignee,
    }


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _clock_values(clock) -> dict:
    values = {name: getattr(clock, name) for name in CLOCK_FIELDS}
    values["pauses"] = [[_iso(b), _iso(e) if e else None] for b, e in clock.pauses]
    return values


def set_due(order: WorkOrder, state: OrderState) -> None:
    """The order row's due_at / warn_at from the folded state (orders/due.py)."""
    for name, value in due_fields(state).items():
        setattr(order, name, value)


def write_projection(order: WorkOrder, before: OrderState | None, after: OrderState, events=()) -> bool:
    """Bring the rows to `after`, touching only what differs from `before` (None: write everything),
    and insert `events` (new OrderEvent objects; their ids are set); `order.event_count` is the count
    after them. False, with nothing written, when another action changed the order since it was read."""
    expected = order.event_count - len(events)
    order.status = after.status
    order.received_at, order.closed_at = after.received_at, after.closed_at
    low_risk = after.conditions.get("low_risk")
    order.low_risk = low_risk if isinstance(low_risk, bool) else None
    set_due(order, after)
    nodes = {code: _node_values(n) for code, n in after.nodes.items() if before is None or before.nodes[code] != n}
    clocks = {
        code: _clock_values(c)
        for code, c in after.clocks.items()
        if before is None or not same_clock(before.clocks[code], c)  # project_pair measures only these
    }
    old = before.suspensions if before else []
    suspensions = {
        position: {
            "reason_id": suspension.reason,
            "evidence_note": suspension.evidence,
            "started_at": suspension.started_at,
            "ended_at": suspension.ended_at,
            "review": suspension.review,
            "review_reasons": suspension.review_reasons,
        }
        for position, suspension in enumerate(after.suspensions)
        if position >= len(old) or old[position] != suspension
    }
    return write_changes(order, expected, list(events), nodes, clocks, suspensions)


# ------------------------------------------------------------------------------------------ checks
def _check_actor(actor, action: str, order: WorkOrder | None = None, branch=None) -> None:
    if actor is None:
        raise Forbidden("an action on an order needs a signed-in user")
    require(actor, action)
    branch = branch if branch is not None else (order.branch if order else None)
    if branch is not None and not in_scope(actor, branch):
        raise Forbidden(f"{actor} may not act on orders of {branch}")


def _check_time(
    order: WorkOrder | None, occurred_at: datetime, source: str, reason: str, what_if: bool = False
) -> bool:
    """Refuse impossible times; return whether the entry is back-dated (and then needs a reason).
    `what_if`: a planned history on replay's scratch database, whose events may lie in the future."""
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at must include a UTC offset", field="occurred_at")
    now = timezone.now()
    if occurred_at > now + FUTURE_TOLERANCE and not what_if:
        raise InvalidInput(
            f"occurred_at {timezone.localtime(occurred_at).isoformat()} is in the future", field="occurred_at"
        )
    if order is not None and occurred_at < order.created_at:
        raise InvalidInput(
            f"occurred_at {timezone.localtime(occurred_at).isoformat()} is before the order was created "
            f"({timezone.localtime(order.created_at).isoformat()})",
            field="occurred_at",
        )
    backdated = occurred_at < now - timedelta(minutes=settings.YEKUO_BACKDATE_MINUTES)
    if backdated and source in STAFF_SOURCES and not reason.strip():
        raise InvalidInput(
            "an entry back-dated by more than "
            f"{settings.YEKUO_BACKDATE_MINUTES} minutes needs a reason; it is flagged for the monthly check",
            field="reason",
        )
    return backdated


def _existing(idempotency_key: str | None) -> OrderEvent | None:
    # Most keys are new (every platform push, most keyed API calls): a bare read of the key first, and the
    # event with its order only when there is one; building that QuerySet costs ten times its statement.
    if not idempotency_key or not key_recorded(idempotency_key):
        return None
    return OrderEvent.objects.select_related("order").filter(idempotency_key=idempotency_key).first()


# ------------------------------------------------------------------------------------------ the one write path
@dataclass
class Step:
    """One event to append: what `apply_events` takes for each item of a batch."""

    type: str
    payload: dict = field(default_factory=dict)
    occurred_at: datetime | None = None
    idempotency_key: str | None = None
    reason: str = ""
    request_hash: str = ""  # of the request that carried the key (yekuo/orders/idempotency.py)


def apply_event(
    order: WorkOrder | int,
    event_type: str,
    *,
    actor,
    payload: dict | None = None,
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
    idempotency_key: str | None = None,
    reason: str = "",
    what_if: bool = False,
    request_hash: str = "",
) -> OrderEvent:
    """Append one event to an order and update its projection, atomically; idempotent by key."""
    step = Step(event_type, dict(payload or {}), occurred_at, idempotency_key, reason, request_hash)
    (result,) = apply_events(order, [step], actor=actor, source=source, atomic=True, what_if=what_if)
    if isinstance(result, Exception):
        raise result
    return result


def apply_events(
    order: WorkOrder | int,
    steps: list[Step],
    *,
    actor,
    source: str = EventSource.WEB,
    atomic: bool = False,
    relayed: bool = False,
    keys_checked: bool = False,
    what_if: bool = False,
) -> list[OrderEvent | YekuoError]:
    """Append several events to one order, all written or none (the control layer sends batches).

    The one write path: read the order, check each step (its type's sender and payload, scope, node
    owner, time), fold the log with the new events in occurred_at order, and write the events and only
    the rows that changed, in one transaction — provided the order still has the log that was folded;
    when another action came first, all of it is done again on the new log (optimistic concurrency,
    `store.write_changes`).
    Each step's result is its OrderEvent (the existing one for a repeated idempotency key, also when
    the key repeats within the batch) or the error that refused it; refused steps are left out and the
    others still apply, unless `atomic`, when the first refusal is raised and nothing is written. The
    batch is first folded whole, in time order; if it does not fold, the steps are taken one by one in
    the order given, so a step that fails can be sent again later in the same batch.
    `relayed`: the actor relays another system's events (the control layer): it needs `event.ingest` and
    the order in its scope, not the role of each action and node.
    `keys_checked`: the caller has looked up the steps' idempotency keys and none is stored (the control
    layer does, for a whole batch in one query); a key stored concurrently still fails on the unique index.
    `what_if`: the steps are a planned history evaluated by `yekuo replay` on its scratch database, so times in
    the future are accepted; the live system never passes it (a future time is refused, `_check_time`).
    """
    pk = order.pk if isinstance(order, WorkOrder) else order
    for attempt in range(WRITE_ATTEMPTS):
        # After a concurrent write the keys are looked up again: it may have stored one of them.
        checked = keys_checked and not attempt
        results = _apply_once(pk, steps, actor, source, atomic, relayed, checked, what_if)
        if results is not None:
            return results
    raise Conflict("the order kept changing while these events were recorded; repeat the request")


# How many times an action is folded again while concurrent actions on the same order keep coming first.
WRITE_ATTEMPTS = 10


def _apply_once(pk, steps, actor, source, atomic, relayed, keys_checked, what_if=False) -> list | None:
    """One attempt of apply_events: its results, or None when another action changed the order first."""
    results: list = [None] * len(steps)
    read = read_order(pk)
    order, events = read.order, read.events
    context = fold_context(order, read)
    keys = [] if keys_checked else [s.idempotency_key for s in steps if s.idempotency_key]
    seen = {e.idempotency_key: e for e in OrderEvent.objects.filter(idempotency_key__in=keys)} if keys else {}
    accepted: list[tuple[int, Event, bool]] = []
    check = StepCheck(order, context.category, actor, source, relayed, what_if)
    for i, step in enumerate(steps):
        if step.idempotency_key in seen:
            results[i] = seen[step.idempotency_key]
            results[i].repeated = True  # recorded before, maybe by a simultaneous request: not written now
            continue
        try:
            event, backdated = check(step, seq=order.event_count + len(accepted) + 1)
        except YekuoError as exc:
            if atomic:
                raise
            results[i] = _numbered(order, exc)
            continue
        accepted.append((i, event, backdated))
    if not accepted:
        return results
    batch_keys = [steps[i].idempotency_key for i, _, _ in accepted if steps[i].idempotency_key]
    repeated = len(batch_keys) != len(set(batch_keys))
    try:
        if repeated:
            raise WorkflowError("a key repeats within the batch")  # decided step by step below
        before, after = context.project_pair(events, [e for _, e, _ in accepted])
    except WorkflowError as exc:
        if atomic:
            raise _numbered(order, exc) from None
        before = fold(order, events, context)
        # Some step does not fold: check them one by one so that one bad step spares the rest.
        accepted, after, copies = _fold_step_by_step(order, events, accepted, context, results, steps)
        if not accepted:
            return results
    else:
        copies = {}
    rows = [
        OrderEvent(
            order=order,
            seq=event.seq,
            type=event.type,
            occurred_at=event.at,
            actor=actor,
            source=source,
            idempotency_key=steps[i].idempotency_key or None,
            payload=event.payload,
            backdated=backdated,
            reason=steps[i].reason,
            request_hash=steps[i].request_hash,
        )
        for i, event, backdated in accepted
    ]
    order.event_count += len(accepted)
    try:
        if not write_projection(order, before, after, rows):
            return None
    except IntegrityError:
        # The write is guarded by the order's event count, so only a concurrent use of the same
        # idempotency key can collide: nothing was written, and the sender is told to repeat.
        raise Conflict("these events were recorded concurrently; repeat the request") from None
    for (i, _, _), row in zip(accepted, rows, strict=True):
        results[i] = row
    for i, first in copies.items():
        results[i] = results[first]
    return results


class StepCheck:
    """What every step must pass before it is folded: who may send its type (R15; the control layer only
    the types it relays) and its payload (`events.EVENT_TYPES`), scope and node owner, suspension rules
    (I5), and time (not in the future, not before the order; back-dated needs a reason)."""

    def __init__(self, order: WorkOrder, category, actor, source: str, relayed: bool = False, what_if: bool = False):
        self.order, self.category, self.actor, self.source = order, category, actor, source
        self.relayed, self.what_if = relayed, what_if
        self.reasons = None  # the active suspension reasons, read when a step needs them

    def __call__(self, step: Step, seq: int) -> tuple[Event, bool]:
        occurred_at = step.occurred_at or timezone.now()
        check_event_texts(step.payload, step.reason)  # O8: no control characters stored
        kind = event_type(step.type)
        if self.relayed:
            if not kind.ingest:
                raise Forbidden(f"{step.type} is not accepted from another system")
            _check_actor(self.actor, "event.ingest", self.order)
        else:
            if kind.permission is None:
                raise Forbidden(f"{step.type} is recorded by yekuo itself, never by a person")
            _check_actor(self.actor, kind.permission, self.order)
            if step.type == "node.completed" and self.source in STAFF_SOURCES:
                _check_node_role(self.actor, self.category, step.payload.get("node"))
            if step.type == "order.received":
                check_receipt(self.order)  # R3: what other apps hold the receipt for (orders.gates)
        kind.check_payload(step.payload)
        if step.type == "suspension.started":
            if self.reasons is None:
                self.reasons = active_reasons()
            _check_suspension(step.payload, self.reasons)
        backdated = _check_time(self.order, occurred_at, self.source, step.reason, self.what_if)
        staff = self.source in STAFF_SOURCES and not self.relayed
        payload = suspension_review.mark(step.type, step.payload, self.order, self.actor, occurred_at, backdated, staff)
        return Event(step.type, occurred_at, payload, seq=seq), backdated


def active_reasons() -> dict[str, SuspensionReason]:
    """I5: the suspension reasons an order may be suspended for, by code: the configured, active rows
    (admin), the one set the pages, the API, the control layer and replay all check against."""
    return {r.code: r for r in SuspensionReason.objects.filter(active=True)}


def _fold_step_by_step(order, events, candidates, context, results, steps):
    """Take the steps one at a time in the order given; returns the kept ones, the state, and the
    steps that repeat an idempotency key already kept (mapped to the step they repeat)."""
    kept: list[tuple[int, Event, bool]] = []
    kept_keys: dict[str, int] = {}
    copies: dict[int, int] = {}
    state = None
    for i, event, backdated in candidates:
        key = steps[i].idempotency_key
        if key and key in kept_keys:
            copies[i] = kept_keys[key]
            continue
        event.seq = order.event_count + len(kept) + 1
        try:
            state = fold(order, [*events, *(e for _, e, _ in kept), event], context)
        except WorkflowError as exc:
            results[i] = _numbered(order, exc)
            continue
        kept.append((i, event, backdated))
        if key:
            kept_keys[key] = i
    return kept, state, copies


def _check_suspension(payload: dict, reasons: dict) -> None:
    """I5: a suspension names a configured, active reason and carries evidence where the reason needs it."""
    code = payload.get("reason") or ""
    known = reasons.get(code)
    if known is None:
        raise InvalidInput(f"unknown suspension reason {code!r}; use one of: {', '.join(reasons)}", field="reason_code")
    evidence = str(payload.get("evidence") or "").strip() or payload.get("file")
    if known.requires_evidence and not evidence:
        raise InvalidInput(f"suspension reason {known.name} needs evidence: a note or a file", field="evidence")


def _numbered(order: WorkOrder, exc: YekuoError) -> YekuoError:
    """The error, with the order number in front of workflow messages (they name events, not orders)."""
    if isinstance(exc, WorkflowError) and not exc.message.startswith(order.number):
        return WorkflowError(f"{order.number}: {exc.message}", field=exc.field)
    return exc


def _check_node_role(actor, category, node) -> None:
    """Attachment 1, 责任人: a node is completed by a holder of its role (R15)."""
    role = category.node(node).role if node and category.has_node(node) else None
    if (
        role
        and not actor.is_superuser
        and role not in actor.role_codes
        and not (actor.role_codes & NODE_OVERRIDE_ROLES)
    ):
        raise Forbidden(f"node {node} is worked by the {role} role, which {actor} does not hold")
