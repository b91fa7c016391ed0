"""The control layer (O4, R3, R16): node events from another system of record, applied to yekuo.

The marketing business system (营销业务系统, "mbs") owns its orders and sends what happened to them (format:
docs/api.md, "Control layer"). yekuo creates the order on its first event, or finds it by source system and
external reference, and applies the event through the services the pages use, so the same clocks run.
Shared by `POST /api/v1/events` and `yekuo events import FILE.jsonl`.

- Idempotent by event id: the key `{source_system}:{id}` is stored on the event, so a repeated event is
  reported as "duplicate" and changes nothing.
- Out of order: the services refold an order's whole log in occurred_at order, so a late event is accepted
  when the log stays valid with it in its place, and otherwise rejected with the workflow rule it breaks.
- One transaction per order: a batch is grouped by order and each group goes through one
  `services.apply_events` call (a new order with its history through one `order_create(steps=…)`); a
  rejected event never stops or undoes the others (docs/api.md, "Control layer").
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.permissions import require
from yekuo.common.errors import Conflict, InvalidInput, YekuoError
from yekuo.common.memo import remembered, remembering
from yekuo.orders import idempotency, services
from yekuo.orders.events import INGEST_TYPES
from yekuo.orders.models import OrderEvent, Voltage, WorkOrder
from yekuo.orders.validation import clean_text
from yekuo.regulations.codes import CATEGORIES, CHANNELS

logger = logging.getLogger(__name__)
DEFAULT_SYSTEM = "mbs"
ORDER_FIELDS = ("category", "channel", "customer_name", "site_address", "capacity_kva", "voltage")
# The texts an event's `order` object may carry, with their longest lengths: each is checked on every event
# (a string, no NUL), so that a list or a NUL byte is that event's refusal, never an error of the batch.
ORDER_TEXTS = {"external_ref": 64, "applied_at": 40, "category": 40, "channel": 40, "voltage": 10,
               "customer_name": 100, "site_address": 200, "customer_id_number": 40, "customer_phone": 30,
               "branch": 32, "service_area": 32}  # fmt: skip
MAX_BATCH = 1000
MULTILINE_KEYS = {"reason", "evidence"}  # free text that may run over lines


@dataclass
class IngestEvent:  # one parsed event
    id: str
    source_system: str
    type: str
    at: datetime
    external_ref: str
    order: dict
    node: str = ""
    low_risk: bool | None = None
    reason: str = ""
    evidence: str = ""
    request_hash: str = ""  # of the event as sent: its id with another content is refused

    @property
    def key(self) -> str:
        return f"{self.source_system}:{self.id}"


@dataclass
class IngestResult:
    status: str  # applied, duplicate, rejected
    index: int
    line: int | None = None
    id: str | None = None
    order: str | None = None
    type: str | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


# ------------------------------------------------------------------------------------------ parsing
def parse_time(value, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{field} {value!r} is not an ISO 8601 time like 2026-09-29T09:00:00+08:00", field=field)
    if parsed.tzinfo is None:
        raise InvalidInput(f"{field} {value} has no UTC offset (write e.g. +08:00)", field=field)
    return parsed


def _text(data: dict, key: str, *, field: str, required: bool = True, limit: int = 200) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{field} is required", field=field)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    # O8: no control characters (NUL among them: PostgreSQL cannot store it), refused here per event so that
    # one bad event costs only itself.
    return clean_text(value, field=field, multiline=key in MULTILINE_KEYS)


def parse_event(raw, default_system: str = DEFAULT_SYSTEM) -> IngestEvent:
    """Validate one event object; raise InvalidInput naming the field at fault."""
    if not isinstance(raw, dict):
        raise InvalidInput("an event must be a JSON object", field="event")
    system = _text(raw, "source_system", field="source_system", required=False, limit=30) or default_system
    event_type = _text(raw, "type", field="type", limit=40)
    if event_type not in INGEST_TYPES:
        raise InvalidInput(f"type {event_type!r} is not one of: {', '.join(INGEST_TYPES)}", field="type")
    order = raw.get("order")
    if not isinstance(order, dict):
        raise InvalidInput('order must be an object like {"external_ref": "…"}', field="order")
    for name, limit in ORDER_TEXTS.items():
        _text(order, name, field=f"order.{name}", required=False, limit=limit)
    event = IngestEvent(
        id=_text(raw, "id", field="id", limit=64),
        source_system=system,
        type=event_type,
        at=parse_time(raw.get("at"), "at"),
        external_ref=_text(order, "external_ref", field="order.external_ref", limit=64),
        order=order,
        node=_text(raw, "node", field="node", required=event_type == "node.completed", limit=30),
        reason=_text(raw, "reason", field="reason", required=event_type == "suspension.started", limit=500),
        evidence=_text(raw, "evidence", field="evidence", required=False, limit=2000),
    )
    if event_type == "approval.decided":
        if not isinstance(raw.get("low_risk"), bool):
            raise InvalidInput("approval.decided needs low_risk: true or false", field="low_risk")
        event.low_risk = raw["low_risk"]
    # The id as a string and the system filled in: `42` and `"42"`, with or without "mbs", are one event.
    event.request_hash = idempotency.digest({**raw, "id": event.id, "source_system": event.source_system})
    return event


# ------------------------------------------------------------------------------------------ orders
@remembered  # within one batch, the same codes resolve once
def resolve_place(company, branch_code: str = "", area_code: str = "", address: str = "", prefix: str = ""):
    """(branch, service area) from codes of the caller's company, or proposed from the address (R3)."""
    if area_code:
        areas = ServiceArea.objects.select_related("branch__company").filter(code=area_code)
        areas = areas.filter(branch__company=company) if company else areas
        if branch_code:
            areas = areas.filter(branch__code=branch_code)
        found = list(areas[:2])
        if len(found) != 1:
            raise InvalidInput(f"no single service area with code {area_code!r}", field=f"{prefix}service_area")
        return found[0].branch, found[0]
    if branch_code:
        branches = Branch.objects.select_related("company").filter(code=branch_code)
        branches = branches.filter(company=company) if company else branches
        found = list(branches[:2])
        if len(found) != 1:
            raise InvalidInput(f"no single branch with code {branch_code!r}", field=f"{prefix}branch")
        return found[0], None
    from yekuo.accounts.selectors import propose_branch

    branch = propose_branch(address, company) if address else None
    if branch is None:
        raise InvalidInput(
            f"no service area matches the address {address!r}; give the branch or service_area code",
            field=f"{prefix}branch",
        )
    return branch, None


def _order_attributes(event: IngestEvent, company) -> dict:
    data = event.order
    missing = [name for name in ORDER_FIELDS if data.get(name) in (None, "")]
    if missing:
        raise InvalidInput(
            f"order {event.external_ref} is new to yekuo: its first event needs order.{', order.'.join(missing)}",
            field=f"order.{missing[0]}",
        )
    if data["category"] not in CATEGORIES:
        raise InvalidInput(f"order.category must be one of: {', '.join(CATEGORIES)}", field="order.category")
    if data["channel"] not in CHANNELS:
        raise InvalidInput(f"order.channel must be one of: {', '.join(CHANNELS)}", field="order.channel")
    if data["voltage"] not in Voltage.values:
        raise InvalidInput(f"order.voltage must be one of: {', '.join(Voltage.values)}", field="order.voltage")
    try:
        capacity = Decimal(str(data["capacity_kva"]))
    except InvalidOperation:
        capacity = Decimal(-1)
    if isinstance(data["capacity_kva"], bool) or not capacity.is_finite() or not 0 <= capacity < 10**9:
        raise InvalidInput("order.capacity_kva must be a number of kVA, 0 or more", field="order.capacity_kva")
    texts = {
        name: _text(data, name, field=f"order.{name}", required=name in ORDER_FIELDS, limit=limit)
        for name, limit in (("customer_name", 100), ("site_address", 200), ("customer_id_number", 40),
                            ("customer_phone", 30), ("customer_notice", 200), ("branch", 32), ("service_area", 32))
    }  # fmt: skip
    branch, area = resolve_place(company, texts["branch"], texts["service_area"], texts["site_address"], "order.")
    created_at = parse_time(data["applied_at"], "order.applied_at") if data.get("applied_at") else event.at
    if created_at > event.at:
        raise InvalidInput("order.applied_at is after the event", field="order.applied_at")
    texts = {k: v for k, v in texts.items() if k not in ("branch", "service_area")}
    return {**texts, "category": data["category"], "channel": data["channel"], "voltage": data["voltage"],
            "capacity_kva": capacity.quantize(Decimal("0.1")), "branch": branch, "service_area": area,
            "occurred_at": created_at}  # fmt: skip


def _create_with_history(group, actor, source: str, known: bool) -> WorkOrder | None:
    """A new order whose batch carries its history: one transaction, one fold (order_create(steps=…)).

    Returns None when that cannot be done at once (the order exists, the first event cannot create it,
    or any event is refused); the caller then takes the events one by one and reports each."""
    (_, first), rest = group[0], group[1:]
    if known:
        return None
    try:
        attributes = _order_attributes(first, actor.company)
        events = rest if first.type == "order.created" else group
        steps = [_step(e) for _, e in events]
        key = first.key if first.type == "order.created" else None
        order = services.order_create(  # atomic itself: a refusal leaves nothing behind
            actor=actor, source=source, source_system=first.source_system, external_ref=first.external_ref,
            receive=False, idempotency_key=key, reason=_relayed(first), steps=steps, relayed=True,
            request_hash=first.request_hash, **attributes,
        )  # fmt: skip
        # Created by a simultaneous request since the batch's look-up: event by event, each is reported as
        # the duplicate it is (or applied, if this batch brought more of its history).
        return None if getattr(order, "repeated", False) else order
    except (YekuoError, IntegrityError) as exc:  # a refusal: the event-by-event path reports each event's own
        logger.info("ingest: %s/%s not created with its history at once, event by event: %s",
                    first.source_system, first.external_ref, exc)  # fmt: skip
        return None
    except Exception:  # a bug: logged; the event-by-event path still reports on each event
        logger.exception("ingest: unexpected error creating %s/%s with its history", first.source_system,
                         first.external_ref)  # fmt: skip
        return None


def _create(event: IngestEvent, actor, source: str, reason: str) -> tuple[WorkOrder, bool]:
    """The order of an event whose order the batch's look-up did not find: created, or, when another
    request created it since, found."""
    attributes = _order_attributes(event, actor.company)
    key = event.key if event.type == "order.created" else None
    try:
        with transaction.atomic():
            order = services.order_create(
                actor=actor, source=source, source_system=event.source_system, external_ref=event.external_ref,
                receive=False, idempotency_key=key, reason=reason, relayed=True, request_hash=event.request_hash,
                **attributes,
            )  # fmt: skip
    except IntegrityError:
        # Created concurrently, by another request with an event of the same order.
        order = WorkOrder.objects.filter(source_system=event.source_system, external_ref=event.external_ref).first()
        if order is None:
            raise Conflict("the order was created concurrently; send the event again") from None
        return order, False
    return order, not getattr(order, "repeated", False)  # False: its order.created was recorded before


# ------------------------------------------------------------------------------------------ applying
def _payload(event: IngestEvent) -> dict:
    """The event's payload as the services record it (REQUIREMENTS §5)."""
    if event.type == "node.completed":
        return {"node": event.node}
    if event.type == "approval.decided":
        return {"low_risk": event.low_risk}
    if event.type == "suspension.started":
        return {"reason": event.reason, "evidence": event.evidence}
    if event.type in ("order.cancelled", "order.reopened"):
        verb = "cancelled" if event.type == "order.cancelled" else "reopened"
        return {"reason": event.reason or f"{verb} in {event.source_system}"}
    return {}


def _step(event: IngestEvent) -> services.Step:
    return services.Step(event.type, _payload(event), event.at, event.key, _relayed(event), event.request_hash)


def _relayed(event: IngestEvent) -> str:
    return f"relayed from {event.source_system} event {event.id}"


def _late_hint(order: WorkOrder, event: IngestEvent) -> str:
    latest = order.events.aggregate(latest=Max("occurred_at"))["latest"]
    if latest and event.at < latest:
        latest = timezone.localtime(latest).isoformat()
        return f" (the event is earlier than the order's latest event, {latest}, and was placed in time order)"
    return ""


def _reject(result: IngestResult, exc: Exception) -> None:
    if isinstance(exc, YekuoError):
        result.code, result.message, result.field = exc.code, exc.message, exc.field
    elif isinstance(exc, IntegrityError):
        result.code, result.message = "conflict", "the event conflicts with one recorded concurrently; send it again"
    else:  # a bug must not stop the rest of a batch; it is logged and reported on this event
        logger.exception("ingest: unexpected error on event %s", result.index)
        result.code, result.message = "server_error", "internal error on this event; it was logged"
    result.status = "rejected"


def _ingest_order(
    group: list[tuple[int, IngestEvent]], results: list[IngestResult], actor, source: str, existing
) -> None:
    """All of one order's events of a batch: find or create the order, then one `apply_events` call.

    One transaction and one fold for the order instead of one per event; a step the workflow refuses is
    reported and left out, the others still apply (services.apply_events). `existing`: the order when
    the batch's look-up found it, else None.
    """
    if len(group) > 1:
        order = _create_with_history(group, actor, source, existing is not None)
        if order is not None:
            for index, _ in group:
                results[index].status, results[index].order = "applied", order.number
            return
    order, pending = None, []
    for index, event in group:
        result = results[index]
        if order is None:
            try:
                order, created = (
                    (existing, False) if existing is not None else _create(event, actor, source, _relayed(event))
                )
            except Exception as exc:
                _reject(result, exc)
                continue
            if event.type == "order.created":
                result.order = order.number
                if created:
                    result.status = "applied"
                else:
                    _reject(result, Conflict(f"order {event.external_ref} already exists (as {order.number})"))
                continue
        elif event.type == "order.created":
            result.order = order.number
            _reject(result, Conflict(f"order {event.external_ref} already exists (as {order.number})", field="type"))
            continue
        pending.append((index, event))
    if order is None or not pending:
        return
    steps = [_step(e) for _, e in pending]
    try:
        # Every key was looked up with the batch (`_ingest_batch`): none is stored.
        outcomes = services.apply_events(order, steps, actor=actor, source=source, relayed=True, keys_checked=True)
    except Exception as exc:
        for index, _ in pending:
            results[index].order = order.number
            _reject(results[index], exc)
        return
    reported: set[int] = set()
    for (index, event), outcome in zip(pending, outcomes, strict=True):
        result = results[index]
        result.order = order.number
        if isinstance(outcome, Exception):
            _reject(result, outcome)
            if result.code == "workflow":
                result.message += _late_hint(order, event)
        else:
            # An id repeated in the batch, or recorded by a simultaneous request: a duplicate.
            result.status = "duplicate" if outcome.pk in reported or outcome.repeated else "applied"
            reported.add(outcome.pk)


def ingest_batch(items, *, actor, source: str, default_system: str = DEFAULT_SYSTEM) -> list[IngestResult]:
    """Apply events given as (line number or None, parsed object or an IngestResult already rejected).

    Events are grouped by order, keeping their order within each: every order's events go through one
    transaction. A repeated event id is reported as "duplicate" and changes nothing.
    """
    require(actor, "event.ingest")
    with remembering():  # the calendar revision and the regulations are read once for the whole batch
        return _ingest_batch(items, actor, source, default_system)


def _ingest_batch(items, actor, source: str, default_system: str) -> list[IngestResult]:
    results: list[IngestResult] = []
    parsed: list[tuple[int, IngestEvent]] = []
    for index, (line, raw) in enumerate(items):
        if isinstance(raw, IngestResult):  # refused before parsing (a line that is not JSON)
            raw.index, raw.line = index, line
            results.append(raw)
            continue
        result = IngestResult("rejected", index=index, line=line)
        results.append(result)
        try:
            event = parse_event(raw, default_system)
        except Exception as exc:
            _reject(result, exc)
            continue
        result.id, result.type = event.id, event.type
        parsed.append((index, event))
    known = OrderEvent.objects.select_related("order").filter(idempotency_key__in=[e.key for _, e in parsed])
    known = {row.idempotency_key: row for row in known}
    groups: dict[tuple[str, str], list[tuple[int, IngestEvent]]] = {}
    hashes: dict[str, str] = {}  # the batch's own: an id repeated with another content is refused
    for index, event in parsed:
        found, result = known.get(event.key), results[index]
        first = hashes.setdefault(event.key, event.request_hash)
        if not idempotency.same_request(found, event.request_hash) or first != event.request_hash:
            _reject(result, _mismatch(event))
            continue
        if found is not None:
            result.order = found.order.number
            if (found.order.source_system, found.order.external_ref) != (event.source_system, event.external_ref):
                used = found.order.external_ref
                _reject(result, Conflict(f"event id {event.id} was already used for order {used}"))
                continue
            result.status = "duplicate"
            continue
        groups.setdefault((event.source_system, event.external_ref), []).append((index, event))
    # The batch's orders that yekuo already has, in one query: each group then starts from its order, and
    # a new order with a history can be created with it at once (one transaction, one fold).
    refs = {ref for _, ref in groups}
    existing = {
        (order.source_system, order.external_ref): order for order in WorkOrder.objects.filter(external_ref__in=refs)
    } if refs else {}  # fmt: skip
    for system_ref, group in groups.items():
        _ingest_order(group, results, actor, source, existing.get(system_ref))
    _recorded_meanwhile(parsed, results, set(known))
    return results


def _mismatch(event: IngestEvent) -> idempotency.IdempotencyMismatch:
    return idempotency.IdempotencyMismatch(
        f"event id {event.id} of {event.source_system} was already sent with a different content; "
        "an event's id names one event",
        field="id",
    )


def _recorded_meanwhile(parsed, results: list[IngestResult], known: set[str]) -> None:
    """Refused events whose id another request recorded while this batch ran (two pushes of the same events
    at once): they are duplicates (or mismatches), not the workflow or conflict errors that the loser of the
    race meets when it folds the same event a second time."""
    applied = {event.key for index, event in parsed if results[index].status == "applied"}
    refused = {
        event.key: index
        for index, event in parsed
        if results[index].status == "rejected" and results[index].code != "idempotency_mismatch"
        and event.key not in applied and event.key not in known
    }  # fmt: skip
    if not refused:
        return
    found = OrderEvent.objects.select_related("order").filter(idempotency_key__in=list(refused))
    events = dict(parsed)
    for row in found:
        index = refused[row.idempotency_key]
        result, event = results[index], events[index]
        if not idempotency.same_request(row, event.request_hash):
            _reject(result, _mismatch(event))
            continue
        result.status, result.order = "duplicate", row.order.number
        result.code = result.message = result.field = None


def summarize(results: list[IngestResult]) -> dict:
    statuses = [r.status for r in results]
    return {"total": len(results), **{s: statuses.count(s) for s in ("applied", "duplicate", "rejected")}}
