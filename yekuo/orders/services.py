"""Every write to a work order (REQUIREMENTS R8, R14–R16; issue 3 §2).

Each action checks the actor's role and scope and the order's state, then appends one OrderEvent and
updates the projection rows in the same transaction. The workflow rules themselves live in
`projection.py`: an action is valid exactly when its event folds into the order's log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope
from yekuo.common.errors import Conflict, Forbidden, InvalidInput, YekuoError
from yekuo.orders.models import (
    Clock,
    EventSource,
    NodeInstance,
    OrderEvent,
    Suspension,
    SuspensionReason,
    WorkOrder,
)
from yekuo.orders.projection import (
    CUSTOMER_EVENTS,
    Event,
    OrderState,
    WorkflowError,
    project,
    project_pair,
    same_clock,
)
from yekuo.orders.store import Read, creation_refs, events_of, insert_order, one_write, read_order, write_changes
from yekuo.regulations.selectors import regulation_effective, regulation_get, regulation_spec
from yekuo.workcal.engine import Threshold
from yekuo.workcal.selectors import work_table

FUTURE_TOLERANCE = timedelta(minutes=2)
ACTIONS = {
    "order.received": "order.receive",
    "order.assigned": "order.assign",
    "node.completed": "node.complete",
    "approval.decided": "approval.decide",
    "customer.design_submitted": "customer.record",
    "customer.inspection_requested": "customer.record",
    "customer.works_completed": "customer.record",
    "suspension.started": "order.suspend",
    "suspension.ended": "order.resume",
    "order.cancelled": "order.cancel",
    "order.reopened": "order.reopen",
}
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


def fold_context(order: WorkOrder, read: Read | None = None) -> tuple:
    """What a fold needs besides the events. `read` carries the regulation checksum and calendar
    token read with the order, which saves the two queries that would otherwise check the caches."""
    if read is None:
        regulation, table = regulation_get(order.regulation_code), table_for(order)
    else:
        regulation = regulation_spec(order.regulation_code, read.regulation_checksum)
        table = work_table(order.branch.company.code, revision=read.calendar_token)
    return regulation.category(order.category), regulation.rules, order.channel, table, threshold()


def fold(order: WorkOrder, events: list[Event], context: tuple | None = None) -> OrderState:
    category, rules, channel, table, limits = context or fold_context(order)
    return project(category, rules, channel, events, table, limits)


# ------------------------------------------------------------------------------------------ projection rows
NODE_FIELDS = ("state", "ready_at", "completed_at", "assignee")
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


def write_projection(order: WorkOrder, before: OrderState | None, after: OrderState, events=()) -> bool:
    """Bring the rows to `after`, touching only what differs from `before` (None: write everything),
    and insert `events` (new OrderEvent objects; their ids are set); `order.event_count` is the count
    after them. False, with nothing written, when another action changed the order since it was read."""
    expected = order.event_count - len(events)
    order.status = after.status
    order.received_at, order.closed_at = after.received_at, after.closed_at
    low_risk = after.conditions.get("low_risk")
    order.low_risk = low_risk if isinstance(low_risk, bool) else None
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


def _check_time(order: WorkOrder | None, occurred_at: datetime, source: str, reason: str) -> bool:
    """Refuse impossible times; return whether the entry is back-dated (and then needs a reason)."""
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at must include a UTC offset", field="occurred_at")
    now = timezone.now()
    if occurred_at > now + FUTURE_TOLERANCE:
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
    if not idempotency_key:
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
    check_actor: bool = True,
) -> OrderEvent:
    """Append one event to an order and update its projection, atomically; idempotent by key."""
    step = Step(event_type, dict(payload or {}), occurred_at, idempotency_key, reason)
    (result,) = apply_events(order, [step], actor=actor, source=source, check_actor=check_actor, atomic=True)
    if isinstance(result, Exception):
        raise result
    return result


def apply_events(
    order: WorkOrder | int,
    steps: list[Step],
    *,
    actor,
    source: str = EventSource.WEB,
    check_actor: bool = True,
    atomic: bool = False,
    relayed: bool = False,
    keys_checked: bool = False,
) -> list[OrderEvent | YekuoError]:
    """Append several events to one order, all written or none (the control layer sends batches).

    The one write path: read the order, check each step (role, scope, node owner, time), fold the log
    with the new events in occurred_at order, and write the events and only the rows that changed —
    provided the order still has the log that was folded; when another action came first, all of it is
    done again on the new log (optimistic concurrency, `store.write_changes`).
    Each step's result is its OrderEvent (the existing one for a repeated idempotency key, also when
    the key repeats within the batch) or the error that refused it; refused steps are left out and the
    others still apply, unless `atomic`, when the first refusal is raised and nothing is written. The
    batch is first folded whole, in time order; if it does not fold, the steps are taken one by one in
    the order given, so a step that fails can be sent again later in the same batch.
    `relayed`: the actor relays another system's events (the control layer): it needs `event.ingest` and
    the order in its scope, not the role of each action and node.
    `keys_checked`: the caller has looked up the steps' idempotency keys and none is stored (the control
    layer does, for a whole batch in one query); a key stored concurrently still fails on the unique index.
    """
    pk = order.pk if isinstance(order, WorkOrder) else order
    for _ in range(WRITE_ATTEMPTS):
        with one_write():
            results = _apply_once(pk, steps, actor, source, check_actor, atomic, relayed, keys_checked)
        if results is not None:
            return results
    raise Conflict("the order kept changing while these events were recorded; repeat the request")


# How many times an action is folded again while concurrent actions on the same order keep coming first.
WRITE_ATTEMPTS = 10


def _apply_once(pk, steps, actor, source, check_actor, atomic, relayed, keys_checked) -> list | None:
    """One attempt of apply_events: its results, or None when another action changed the order first."""
    results: list = [None] * len(steps)
    read = read_order(pk)
    order, events = read.order, read.events
    context = fold_context(order, read)
    keys = [] if keys_checked else [s.idempotency_key for s in steps if s.idempotency_key]
    seen = {e.idempotency_key: e for e in OrderEvent.objects.filter(idempotency_key__in=keys)} if keys else {}
    accepted: list[tuple[int, Event, bool]] = []
    check = StepCheck(order, context[0], actor, source, check_actor, relayed)
    for i, step in enumerate(steps):
        if step.idempotency_key in seen:
            results[i] = seen[step.idempotency_key]
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
        before, after = project_pair(*context[:3], events, [e for _, e, _ in accepted], *context[3:])
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
    """What every step must pass before it is folded: role, scope and node owner (R15), suspension rules
    (I5), and time (not in the future, not before the order; back-dated needs a reason)."""

    def __init__(self, order: WorkOrder, category, actor, source: str, check_actor: bool, relayed: bool = False):
        self.order, self.category, self.actor, self.source = order, category, actor, source
        self.check_actor, self.relayed = check_actor, relayed
        self.reasons = None  # the active suspension reasons, read when a step needs them

    def __call__(self, step: Step, seq: int) -> tuple[Event, bool]:
        occurred_at = step.occurred_at or timezone.now()
        if self.check_actor and self.relayed:
            _check_actor(self.actor, "event.ingest", self.order)
        elif self.check_actor:
            _check_actor(self.actor, ACTIONS.get(step.type, "admin.manage"), self.order)
            if step.type == "node.completed" and self.source in STAFF_SOURCES:
                _check_node_role(self.actor, self.category, step.payload.get("node"))
        if step.type == "suspension.started":
            if self.reasons is None:
                self.reasons = {r.code: r for r in SuspensionReason.objects.filter(active=True)}
            _check_suspension(step.payload, self.reasons)
        backdated = _check_time(self.order, occurred_at, self.source, step.reason)
        return Event(step.type, occurred_at, step.payload, seq=seq), backdated


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


# ------------------------------------------------------------------------------------------ creation
def _resolve_branch(branch, service_area, site_address):
    if branch is not None:
        return branch
    if service_area is not None:
        return service_area.branch
    from yekuo.accounts.selectors import propose_branch

    proposed = propose_branch(site_address)
    if proposed is None:
        raise InvalidInput(
            f"no service area matches the address {site_address!r}; choose the service area or branch",
            field="service_area",
        )
    return proposed


def order_create(
    *,
    actor,
    category: str,
    channel: str,
    customer_name: str,
    site_address: str,
    capacity_kva,
    voltage: str,
    customer_id_number: str = "",
    customer_phone: str = "",
    service_area=None,
    branch=None,
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
    idempotency_key: str | None = None,
    source_system: str = "",
    external_ref: str = "",
    receive: bool | None = None,
    reason: str = "",
    check_actor: bool = True,
    relayed: bool = False,
    steps: list[Step] = (),
) -> WorkOrder:
    """Create an order under the regulation in force at its creation (R14).

    At the counter (and for 帮您办) staff start the work order themselves, which is its receipt
    (order.received, D3); orders from electronic channels wait for dispatch unless `receive` says so.
    `steps` are the order's first events, checked like apply_events' and applied in the same
    transaction (the control layer sends a new order with its history); any refusal refuses it all.
    `relayed` as in `apply_events`: the order is another system's, relayed by an account with event.ingest.
    """
    occurred_at = occurred_at or timezone.now()
    if not customer_name.strip() or not site_address.strip():
        raise InvalidInput("customer_name and site_address are required", field="customer_name")
    receive = receive if receive is not None else channel in ("counter", "assisted")
    with one_write():
        found = _existing(idempotency_key)
        if found is not None:
            return found.order
        branch = _resolve_branch(branch, service_area, site_address)
        if check_actor and relayed:
            _check_actor(actor, "event.ingest", branch=branch)
        elif check_actor:
            _check_actor(actor, "order.create", branch=branch)
            if receive:
                _check_actor(actor, "order.receive", branch=branch)
        backdated = _check_time(None, occurred_at, source, reason)
        refs = creation_refs(timezone.localdate(occurred_at))
        if refs is None:
            regulation_effective(timezone.localdate(occurred_at))  # raises the full explanation
        regulation = regulation_spec(refs[0], refs[1])
        spec = regulation.category(category)  # refuses a category the regulation does not have
        spec.clocks[0].start_for(channel)  # refuses an unknown channel
        order = WorkOrder(
            category=category, channel=channel, customer_name=customer_name, customer_id_number=customer_id_number,
            customer_phone=customer_phone, site_address=site_address, service_area=service_area, branch=branch,
            capacity_kva=capacity_kva, voltage=voltage, regulation_code=regulation.code, created_at=occurred_at,
            source_system=source_system, external_ref=external_ref,
        )  # fmt: skip
        created = {"category": category, "channel": channel, "regulation": regulation.code, "branch": branch.code,
                   "external_ref": external_ref}  # fmt: skip
        events = [Event("order.created", occurred_at, created, seq=1)]
        if receive:
            events.append(Event("order.received", occurred_at, {}, seq=2))
        backdates = [backdated] * len(events)
        check = StepCheck(order, spec, actor, source, check_actor, relayed)
        for step in steps:
            event, late = check(step, seq=len(events) + 1)
            events.append(event)
            backdates.append(late)
        # Fold before the first write, so the rows are inserted as they will stay: no update round.
        table = work_table(branch.company.code, revision=refs[2])
        state = fold(order, events, (spec, regulation.rules, channel, table, threshold()))
        order.status, order.received_at, order.closed_at = state.status, state.received_at, state.closed_at
        low_risk = state.conditions.get("low_risk")
        order.low_risk = low_risk if isinstance(low_risk, bool) else None
        order.event_count = len(events)
        keys = [idempotency_key, f"{idempotency_key}:received" if idempotency_key else None][: len(events) - len(steps)]
        keys += [step.idempotency_key for step in steps]
        reasons = [reason] * (len(events) - len(steps)) + [step.reason for step in steps]
        actor_id = actor.pk if actor is not None else None
        insert_order(order, [
            (NodeInstance, [
                {"code": n.code, "position": i, "role": n.role, "department": n.department,
                 "clock_code": spec.clock_of(n.code).code, **_node_values(state.nodes[n.code])}
                for i, n in enumerate(spec.nodes)
            ]),
            (Clock, [
                {"code": c.code, "position": i, "nodes": list(c.nodes), **_clock_values(state.clocks[c.code])}
                for i, c in enumerate(spec.clocks)
            ]),
            (Suspension, [
                {"position": i, "reason_id": s.reason, "evidence_note": s.evidence, "started_at": s.started_at,
                 "ended_at": s.ended_at}
                for i, s in enumerate(state.suspensions)
            ]),
            (OrderEvent, [
                {"seq": e.seq, "type": e.type, "occurred_at": e.at, "actor_id": actor_id, "source": source,
                 "idempotency_key": keys[n] or None, "backdated": backdates[n], "reason": reasons[n],
                 "payload": e.payload}
                for n, e in enumerate(events)
            ]),
        ])  # fmt: skip
    return order


# ------------------------------------------------------------------------------------------ actions
# Each action is apply_event with its type and payload. `options` are apply_event's: occurred_at, source,
# reason (for a back-dated entry) and idempotency_key.


def order_receive(order, *, actor, **options):
    return apply_event(order, "order.received", actor=actor, **options)


def order_assign(order, *, actor, node: str, assignee, **options):
    payload = {"node": node, "assignee": getattr(assignee, "pk", assignee)}
    return apply_event(order, "order.assigned", actor=actor, payload=payload, **options)


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


def node_complete(order, *, actor, node: str, note: str = "", **options):
    """Complete a node; a staff member must hold the node's role (checked in apply_events)."""
    payload = {"node": node, **({"note": note} if note else {})}
    return apply_event(order, "node.completed", actor=actor, payload=payload, **options)


def approval_decide(order, *, actor, low_risk: bool, inputs: dict | None = None, **options):
    """R6: the works are simple low-risk (filing, limit 0) or need an approval (limit 3)."""
    payload = {"low_risk": low_risk, **({"inputs": inputs} if inputs else {})}
    return apply_event(order, "approval.decided", actor=actor, payload=payload, **options)


def customer_event(order, event_type: str, *, actor, **options):
    if event_type not in CUSTOMER_EVENTS:
        raise InvalidInput(f"{event_type!r} is not a customer event", field="type")
    return apply_event(order, event_type, actor=actor, **options)


def order_suspend(order, *, actor, reason_code: str, evidence_note: str = "", evidence_file=None, **options):
    """Suspend for a customer reason (I5): a configured reason code, with evidence where it needs one
    (checked in apply_events, so the control layer's suspensions obey the same rule)."""
    payload = {
        "reason": reason_code,
        "evidence": evidence_note,
        **({"file": evidence_file.name} if evidence_file else {}),
    }
    with transaction.atomic():
        row = apply_event(order, "suspension.started", actor=actor, payload=payload, **options)
        if evidence_file:
            suspension = Suspension.objects.filter(order_id=row.order_id).order_by("-position").first()
            suspension.evidence_file.save(evidence_file.name, evidence_file, save=True)
    return row


def order_resume(order, *, actor, **options):
    return apply_event(order, "suspension.ended", actor=actor, **options)


def order_cancel(order, *, actor, cancel_reason: str, **options):
    if not cancel_reason.strip():
        raise InvalidInput("cancelling an order needs a reason", field="cancel_reason")
    return apply_event(order, "order.cancelled", actor=actor, payload={"reason": cancel_reason}, **options)


def order_reopen(order, *, actor, reopen_reason: str, **options):
    if not reopen_reason.strip():
        raise InvalidInput("reopening an order needs a reason", field="reopen_reason")
    return apply_event(order, "order.reopened", actor=actor, payload={"reason": reopen_reason}, **options)


# ------------------------------------------------------------------------------------------ recompute / verify
def order_recompute(order: WorkOrder) -> bool:
    """Refold an order's log after a calendar change (I7); True when its clocks moved."""
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("branch__company").get(pk=order.pk)
        stored = stored_state(locked)
        after = fold(locked, events_of(locked.pk))
        if stored == snapshot_of(after):
            return False
        return write_projection(locked, None, after)  # the order is locked: the guard holds


def snapshot_of(state: OrderState) -> dict:
    """The comparable content of a projection, in the shape the rows store."""
    return {
        "order": {"status": state.status, "received_at": state.received_at, "closed_at": state.closed_at},
        "nodes": {code: _node_values(node) for code, node in state.nodes.items()},
        "clocks": {code: _clock_values(clock) for code, clock in state.clocks.items()},
        "suspensions": [asdict(s) for s in state.suspensions],
    }


def stored_state(order: WorkOrder) -> dict:
    nodes = {
        n.code: {"state": n.state, "ready_at": n.ready_at, "completed_at": n.completed_at, "assignee_id": n.assignee_id}
        for n in order.nodes.all()
    }
    clocks = {}
    for c in order.clocks.all():
        values = {name: getattr(c, name) for name in CLOCK_FIELDS}
        values["limit_days"] = float(c.limit_days)
        clocks[c.code] = values
    suspensions = [
        {
            "reason": s.reason_id,
            "started_at": s.started_at,
            "ended_at": s.ended_at,
            "evidence": s.evidence_note,
        }
        for s in order.suspensions.order_by("position")
    ]
    return {
        "order": {"status": order.status, "received_at": order.received_at, "closed_at": order.closed_at},
        "nodes": nodes,
        "clocks": clocks,
        "suspensions": suspensions,
    }
