"""The monthly check of back-dated entries (REQUIREMENTS I5, R16): a second person marks each
entry dated earlier than it was recorded (YEKUO_BACKDATE_MINUTES) as checked, or disputed with a note.

The verdict is an event of its own, `entry.reviewed` {seq, approved, note}, appended to the order's log
(R16: nothing is updated); it changes no clock — a disputed entry is for the assessment and, where it was
wrong, for a correcting entry. A back-dated suspension is reviewed as a suspension (`suspension_review`):
that review decides whether its clocks pause, so it is not listed here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yekuo.accounts.scope import restrict
from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders.models import EventSource, OrderEvent, WorkOrder

STAFF_SOURCES = (EventSource.WEB, EventSource.API)
REVIEWABLE = "suspension.review"  # the branch manager and the customer service center (accounts.permissions)


def backdated_entries(user) -> QuerySet[OrderEvent]:
    """Back-dated entries made by people (pages, staff API) in the user's scope, newest first, except
    suspensions (reviewed as such). Imports and relayed records carry their source system's own trail (R16)."""
    entries = OrderEvent.objects.filter(backdated=True, source__in=STAFF_SOURCES).exclude(type="suspension.started")
    entries = entries.select_related("order__branch", "actor")
    return restrict(entries, user, REVIEWABLE).order_by("-recorded_at", "-pk")


def reviewed_seqs(order_ids) -> set[tuple[int, int]]:
    """(order id, seq) of every entry that has been reviewed, among these orders."""
    verdicts = OrderEvent.objects.filter(order_id__in=list(order_ids), type="entry.reviewed")
    return {(order_id, int(seq)) for order_id, seq in verdicts.values_list("order_id", "payload__seq")}


def awaiting_check(user, limit: int = 100) -> list[OrderEvent]:
    """The latest back-dated entries nobody has checked yet (at most `limit`)."""
    found: list[OrderEvent] = []
    entries = backdated_entries(user)
    for offset in range(0, 10 * limit, limit):  # skip what was reviewed, a page at a time
        page = list(entries[offset : offset + limit])
        done = reviewed_seqs({e.order_id for e in page})
        found += [e for e in page if (e.order_id, e.seq) not in done]
        if len(found) >= limit or len(page) < limit:
            break
    return found[:limit]


def entry_review(order: WorkOrder, *, actor, seq: int, approved: bool, note: str = "", **options) -> OrderEvent:
    """Record the check of back-dated entry `seq` of the order: by a second person, once; disputing needs a note."""
    from yekuo.orders.services import apply_event

    entry = order.events.filter(seq=seq, backdated=True).first()
    if entry is None:
        raise InvalidInput(f"{order.number} has no back-dated entry {seq}", field="seq")
    if (order.pk, seq) in reviewed_seqs([order.pk]):
        raise InvalidInput(f"entry {seq} of {order.number} was already reviewed", field="seq")
    if actor is not None and entry.actor_id == actor.pk:
        raise Forbidden("a back-dated entry is checked by a second person, not by the one who made it")
    if not approved and not note.strip():
        raise InvalidInput("disputing a back-dated entry needs a note saying why", field="note")
    payload = {"seq": seq, "approved": approved, **({"note": note.strip()} if note.strip() else {})}
    return apply_event(order, "entry.reviewed", actor=actor, payload=payload, **options)
