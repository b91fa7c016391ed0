"""The public actions on a work order: create it, then one function per kind of event
(REQUIREMENTS R8, R14–R16). Each is `apply_event` of the write path with its type and payload."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from yekuo.common import uploads
from yekuo.common.errors import InvalidInput
from yekuo.orders import hooks
from yekuo.orders.assignment import check_assignee
from yekuo.orders.events import CUSTOMER_EVENTS
from yekuo.orders.gates import check_completion
from yekuo.orders.models import (
    Clock,
    EventSource,
    NodeInstance,
    OrderEvent,
    Suspension,
    WorkOrder,
)
from yekuo.orders.projection import Event
from yekuo.orders.services.write import (
    FoldContext,
    Step,
    StepCheck,
    _check_actor,
    _check_time,
    _clock_values,
    _existing,
    _node_values,
    apply_event,
    set_due,
    threshold,
)
from yekuo.orders.store import creation_refs, insert_order
from yekuo.orders.validation import check_event_texts, validate_order
from yekuo.regulations.selectors import regulation_effective, regulation_spec
from yekuo.workcal.selectors import work_table


# ------------------------------------------------------------------------------------------ creation
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
    customer_notice: str = "",
    service_area=None,
    branch=None,
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
    idempotency_key: str | None = None,
    source_system: str = "",
    external_ref: str = "",
    receive: bool | None = None,
    reason: str = "",
    relayed: bool = False,
    steps: list[Step] = (),
    what_if: bool = False,
    request_hash: str = "",
) -> WorkOrder:
    """Create an order under the regulation in force at its creation (R14).

    At the counter (and for 帮您办) staff start the work order themselves, which is its receipt
    (order.received, D3); orders from electronic channels wait for dispatch unless `receive` says so.
    `steps` are the order's first events, checked like apply_events' and applied in the same
    transaction (the control layer sends a new order with its history); any refusal refuses it all.
    `relayed` as in `apply_events`: the order is another system's, relayed by an account with event.ingest.
    `what_if` as in `apply_events`: a planned order on replay's scratch database, which may be dated in the future.
    """
    occurred_at = occurred_at or timezone.now()
    values = validate_order(  # O8: the data rules, every invalid field at once
        category=category, customer_name=customer_name, site_address=site_address, capacity_kva=capacity_kva,
        voltage=voltage, customer_id_number=customer_id_number, customer_phone=customer_phone,
        customer_notice=customer_notice, branch=branch, service_area=service_area,
        company=branch.company if branch is not None else getattr(actor, "company", None),
    )  # fmt: skip
    check_event_texts({}, reason)
    receive = receive if receive is not None else channel in ("counter", "assisted")
    # The checks read without a transaction; insert_order writes the order and its rows in one.
    found = _existing(idempotency_key)
    if found is not None:
        found.order.repeated = True  # created before (maybe by a simultaneous request), not now
        return found.order
    branch = values.branch
    if relayed:
        _check_actor(actor, "event.ingest", branch=branch)
    else:
        _check_actor(actor, "order.create", branch=branch)
        if receive:
            _check_actor(actor, "order.receive", branch=branch)
    backdated = _check_time(None, occurred_at, source, reason, what_if)
    refs = creation_refs(timezone.localdate(occurred_at))
    if refs is None:
        regulation_effective(timezone.localdate(occurred_at))  # raises the full explanation
    regulation = regulation_spec(refs[0], refs[1])
    spec = regulation.category(category)  # refuses a category the regulation does not have
    spec.clocks[0].start_for(channel)  # refuses an unknown channel
    order = WorkOrder(
        category=category, channel=channel, customer_name=values.customer_name,
        customer_id_number=values.customer_id_number, customer_phone=values.customer_phone,
        customer_notice=values.customer_notice, site_address=values.site_address,
        service_area=values.service_area, branch=branch, capacity_kva=values.capacity_kva, voltage=voltage,
        regulation_code=regulation.code, created_at=occurred_at, source_system=source_system,
        external_ref=external_ref,
    )  # fmt: skip
    created = {"category": category, "channel": channel, "regulation": regulation.code, "branch": branch.code,
               "external_ref": external_ref}  # fmt: skip
    events = [Event("order.created", occurred_at, created, seq=1)]
    if receive:
        events.append(Event("order.received", occurred_at, {}, seq=2))
    backdates = [backdated] * len(events)
    check = StepCheck(order, spec, actor, source, relayed, what_if)
    for step in steps:
        event, late = check(step, seq=len(events) + 1)
        events.append(event)
        backdates.append(late)
    # Fold before the first write, so the rows are inserted as they will stay: no update round.
    table = work_table(branch.company.code, revision=refs[2])
    state = FoldContext(spec, regulation.rules, channel, table, threshold()).project(events)
    order.status, order.received_at, order.closed_at = state.status, state.received_at, state.closed_at
    low_risk = state.conditions.get("low_risk")
    order.low_risk = low_risk if isinstance(low_risk, bool) else None
    set_due(order, state)
    order.event_count = len(events)
    keys = [idempotency_key, f"{idempotency_key}:received" if idempotency_key else None][: len(events) - len(steps)]
    keys += [step.idempotency_key for step in steps]
    reasons = [reason] * (len(events) - len(steps)) + [step.reason for step in steps]
    hashes = [request_hash] * (len(events) - len(steps)) + [step.request_hash for step in steps]
    insert_order(order, [
        (NodeInstance, [
            NodeInstance(code=n.code, position=i, role=n.role, department=n.department,
                         clock_code=spec.clock_of(n.code).code, **_node_values(state.nodes[n.code]))
            for i, n in enumerate(spec.nodes)
        ]),
        (Clock, [
            Clock(code=c.code, position=i, nodes=list(c.nodes), **_clock_values(state.clocks[c.code]))
            for i, c in enumerate(spec.clocks)
        ]),
        (Suspension, [
            Suspension(position=i, reason_id=s.reason, evidence_note=s.evidence, started_at=s.started_at,
                       ended_at=s.ended_at, review=s.review, review_reasons=s.review_reasons)
            for i, s in enumerate(state.suspensions)
        ]),
        (OrderEvent, [
            OrderEvent(seq=e.seq, type=e.type, occurred_at=e.at, actor=actor, source=source,
                       idempotency_key=keys[n] or None, backdated=backdates[n], reason=reasons[n],
                       payload=e.payload, request_hash=hashes[n] if keys[n] else "")
            for n, e in enumerate(events)
        ]),
    ])  # fmt: skip
    if not what_if:
        hooks.created(order)  # on commit: R5's reserve library looks for the order's project
    return order


# ------------------------------------------------------------------------------------------ actions
# Each action is apply_event with its type and payload. `options` are apply_event's: occurred_at, source,
# reason (for a back-dated entry) and idempotency_key.


def order_receive(order, *, actor, **options):
    return apply_event(order, "order.received", actor=actor, **options)


def order_assign(order, *, actor, node: str, assignee, **options):
    order = order if isinstance(order, WorkOrder) else WorkOrder.objects.get(pk=order)
    _check_actor(actor, "order.assign", order)  # the actor first: a stranger learns nothing of the assignee
    check_assignee(order, assignee)
    payload = {"node": node, "assignee": getattr(assignee, "pk", assignee)}
    return apply_event(order, "order.assigned", actor=actor, payload=payload, **options)


def node_complete(order, *, actor, node: str, note: str = "", **options):
    """Complete a node; a staff member must hold the node's role (checked in apply_events)."""
    order = order if isinstance(order, WorkOrder) else WorkOrder.objects.get(pk=order)
    _check_actor(actor, "node.complete", order)  # before the gates: a stranger learns nothing of the order
    check_completion(order, node)  # R6/R7: what other apps hold the node for (orders.gates)
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
    (checked in apply_events, so the control layer's suspensions obey the same rule). A file must be a PDF,
    JPEG or PNG by its content, within the size limit (common/uploads), and is stored under a name of its own."""
    stored_name = uploads.check_evidence(evidence_file) if evidence_file else None
    payload = {
        "reason": reason_code,
        "evidence": evidence_note,
        **({"file": evidence_file.name} if evidence_file else {}),
    }
    with transaction.atomic():
        row = apply_event(order, "suspension.started", actor=actor, payload=payload, **options)
        if evidence_file:
            suspension = Suspension.objects.filter(order_id=row.order_id).order_by("-position").first()
            suspension.evidence_file.save(stored_name, evidence_file, save=True)
    return row


def order_resume(order, *, actor, **options):
    return apply_event(order, "suspension.ended", actor=actor, **options)


def order_cancel(order, *, actor, cancel_reason: str, **options):
    return apply_event(order, "order.cancelled", actor=actor, payload={"reason": cancel_reason}, **options)


def order_reopen(order, *, actor, reopen_reason: str, **options):
    return apply_event(order, "order.reopened", actor=actor, payload={"reason": reopen_reason}, **options)
