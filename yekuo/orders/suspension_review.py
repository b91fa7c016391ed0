"""Suspensions that a second person must approve (I5; I5 asks that a suspension be evidenced).

A suspension pauses the utility's clocks (I5), so whoever starts it gains time. The rule, configurable in
settings (config/settings.py), sends a suspension to review when
- `self`: it was started by the person whose clock it pauses: the assignee of an active node, or a holder
  of the node's role when it has none (YEKUO_SUSPENSION_REVIEW_SELF);
- `backdated`: it was dated more than YEKUO_BACKDATE_MINUTES before it was recorded;
- `long`: it lasts longer than YEKUO_SUSPENSION_REVIEW_DAYS working days: decided when it ends, and for
  one still open when it passes that length (`flag_long_suspensions`, run by the worker every few minutes,
  which records `suspension.flagged` dated the instant it passed).
Only entries made by people (pages and the staff API) are judged: the control layer relays another system's
records, whose own checks decided them (R16 keeps their trail).

The decision is written into the event's payload (`review: "pending"`, `review_reasons`), so the fold
(`projection.py`) and `yekuo replay` see the same thing: while pending the clocks run on; a branch manager or
the customer service center (`suspension.review`, accounts.permissions) approves it — the pause then counts
from its start — or rejects it with a note, and it never paused anything.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yekuo.accounts.scope import restrict
from yekuo.common.errors import Forbidden, InvalidInput, YekuoError
from yekuo.orders.models import EventSource, OrderEvent, Suspension, WorkOrder
from yekuo.orders.projection import PENDING, Event
from yekuo.workcal.engine import to_epoch

logger = logging.getLogger(__name__)

SELF, BACKDATED, LONG = "self", "backdated", "long"
REVIEWED_TYPES = ("suspension.started", "suspension.ended")


def _own_clock(order: WorkOrder, actor) -> bool:
    """Is the actor the one whose work the suspension would pause: an active node's assignee, or (when the
    node has none) a holder of its role (Attachment 1, 责任人)?"""
    if actor is None:
        return False
    roles = set(getattr(actor, "role_codes", ()))
    for node in order.nodes.filter(state="active"):
        if node.assignee_id == actor.pk or (node.assignee_id is None and node.role in roles):
            return True
    return False


def _working_days(order: WorkOrder, begin: datetime, end: datetime) -> float:
    from yekuo.orders.services import table_for  # the services import this module

    table = table_for(order)
    start = to_epoch(begin)
    return table.elapsed_ts(start, max(start, to_epoch(end))) / table.day_seconds_at(start)


def reasons_at_start(order: WorkOrder, actor, backdated: bool) -> list[str]:
    reasons = []
    if settings.YEKUO_SUSPENSION_REVIEW_SELF and _own_clock(order, actor):
        reasons.append(SELF)
    if backdated:
        reasons.append(BACKDATED)
    return reasons


def reasons_at_end(order: WorkOrder, occurred_at: datetime) -> list[str]:
    limit = settings.YEKUO_SUSPENSION_REVIEW_DAYS
    if limit is None:
        return []
    suspension = order.suspensions.filter(ended_at__isnull=True).order_by("-position").first()
    if suspension is None or suspension.review:  # already under review, or decided
        return []
    return [LONG] if _working_days(order, suspension.started_at, occurred_at) > limit else []


def mark(event_type: str, payload: dict, order: WorkOrder, actor, occurred_at: datetime, backdated: bool,
         staff: bool) -> dict:  # fmt: skip
    """The payload to store. For people's entries the rule sets the `review` keys, whatever was sent. Another
    system's record (an import, the control layer, a replay file) may carry `review: "pending"` as it was: that
    can only keep the clocks running, never pause them."""
    sent = payload
    payload = {k: v for k, v in payload.items() if k not in ("review", "review_reasons")}
    if event_type not in REVIEWED_TYPES:
        return payload
    if not staff:
        if sent.get("review") == PENDING:
            payload.update(review=PENDING, review_reasons=[str(r) for r in sent.get("review_reasons") or []])
        return payload
    if event_type == "suspension.started":
        reasons = reasons_at_start(order, actor, backdated)
    else:
        reasons = reasons_at_end(order, occurred_at)
    if reasons:
        payload.update(review=PENDING, review_reasons=reasons)
    return payload


def passes_limit_at(order: WorkOrder, started_at: datetime, limit: float) -> datetime:
    """The instant a suspension started at `started_at` has lasted `limit` working days (the order's
    company calendar; the day's length where it starts, as `_working_days` counts)."""
    from yekuo.orders.services import table_for

    table = table_for(order)
    start = to_epoch(started_at)
    return table.local(table.w_inv(table.w(start) + round(limit * table.day_seconds_at(start))))


def flag_long_suspensions(now: datetime | None = None) -> int:
    """I5: every open suspension not yet under review that has lasted longer than
    YEKUO_SUSPENSION_REVIEW_DAYS working days by `now` goes to review, as it would if it ended now: its order
    gets `suspension.flagged`, dated the instant it passed the length, and the clocks run again until a
    second person approves it. Returns how many were flagged; safe to run again (a flagged one is under
    review, so it is not chosen twice)."""
    limit = settings.YEKUO_SUSPENSION_REVIEW_DAYS
    if limit is None:
        return 0
    now = now or timezone.now()
    flagged = 0
    open_ones = Suspension.objects.filter(ended_at__isnull=True, review="", order__status="suspended")
    for suspension in open_ones.select_related("order__branch__company").order_by("started_at", "pk"):
        try:
            passed = passes_limit_at(suspension.order, suspension.started_at, limit)
        except YekuoError:  # beyond the loaded calendar: it cannot have passed a length counted in it
            continue
        if passed < now and _flag(suspension.order_id, suspension.position, passed):
            flagged += 1
    return flagged


def _flag(order_id: int, position: int, passed: datetime) -> bool:
    """Record `suspension.flagged` on one order through the write path, the order locked; False when the
    suspension was meanwhile ended or reviewed (nothing written)."""
    from yekuo.orders.services import fold, write_projection
    from yekuo.orders.store import events_of

    with transaction.atomic():
        order = WorkOrder.objects.select_for_update(of=("self",)).select_related("branch__company").get(pk=order_id)
        current = order.suspensions.filter(position=position, ended_at__isnull=True, review="").exists()
        if not current:
            return False
        payload = {"suspension": position, "review": PENDING, "review_reasons": [LONG]}
        events = events_of(order.pk)
        after = fold(order, [*events, Event("suspension.flagged", passed, payload, seq=order.event_count + 1)])
        order.event_count += 1
        row = OrderEvent(
            order=order, seq=order.event_count, type="suspension.flagged", occurred_at=passed,
            source=EventSource.SYSTEM, payload=payload,
        )  # fmt: skip
        if not write_projection(order, None, after, [row]):  # locked: the guard holds
            return False
    logger.info("Suspension %s of order %s passed the review length at %s", position, order.number, passed)
    return True


# ------------------------------------------------------------------------------------------ actions
def _check_second_person(order: WorkOrder, actor, position: int) -> None:
    """The reviewer is not the person who started the suspension (four eyes)."""
    started = list(order.events.filter(type="suspension.started").order_by("occurred_at", "seq").values("actor_id"))
    if not 0 <= position < len(started):
        raise InvalidInput(f"{order.number} has no suspension {position}", field="suspension")
    if actor is not None and started[position]["actor_id"] == actor.pk:
        raise Forbidden("a suspension is reviewed by a second person, not by the one who started it")


def suspension_approve(order: WorkOrder, *, actor, position: int, note: str = "", **options) -> OrderEvent:
    from yekuo.orders.services import apply_event

    _check_second_person(order, actor, position)
    payload = {"suspension": position, **({"note": note.strip()} if note.strip() else {})}
    return apply_event(order, "suspension.approved", actor=actor, payload=payload, **options)


def suspension_reject(order: WorkOrder, *, actor, position: int, note: str, **options) -> OrderEvent:
    from yekuo.orders.services import apply_event

    if not note.strip():
        raise InvalidInput("rejecting a suspension needs a note saying why", field="note")
    _check_second_person(order, actor, position)
    payload = {"suspension": position, "note": note.strip()}
    return apply_event(order, "suspension.rejected", actor=actor, payload=payload, **options)


# ------------------------------------------------------------------------------------------ reads
def awaiting_review(user) -> QuerySet[Suspension]:
    """Suspensions waiting for a second person, in the user's scope (restrict), oldest first."""
    pending = Suspension.objects.filter(review=PENDING).select_related("order__branch", "reason")
    return restrict(pending, user, "suspension.review").order_by("started_at", "pk")
