"""Refold an order's stored projection from its log (I7), and compare the two (`yekuo orders verify`)."""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yekuo.orders.due import DUE_FIELDS, due_fields
from yekuo.orders.models import CalendarRecompute, EventSource, OrderEvent, WorkOrder
from yekuo.orders.projection import OrderState
from yekuo.orders.services.write import CLOCK_FIELDS, _clock_values, _node_values, fold, write_projection
from yekuo.orders.store import events_of


def order_recompute(order_id: int, job: CalendarRecompute) -> bool:
    """Refold an order's log after a calendar change (I7) and count it done in `job`, in one transaction.

    When the order's clocks moved, its rows are written through the write path with the
    `calendar.recomputed` event in the same transaction, so an order is either recomputed with its event
    or untouched. True when it moved. An order that already has this revision's event is skipped: a
    resumed or repeated job never records the change twice.
    """
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("branch__company").get(pk=order_id)
        moved = False
        done = locked.events.filter(type="calendar.recomputed", payload__calendar=job.token).exists()
        if not done:
            after = fold(locked, events_of(locked.pk))
            if stored_state(locked) != snapshot_of(after):
                locked.event_count += 1
                event = OrderEvent(
                    order=locked, seq=locked.event_count, type="calendar.recomputed", occurred_at=timezone.now(),
                    source=EventSource.SYSTEM, payload={"years": job.years, "calendar": job.token},
                )  # fmt: skip
                moved = write_projection(locked, None, after, [event])  # locked: the guard holds
        CalendarRecompute.objects.filter(pk=job.pk).update(
            done=F("done") + 1, moved=F("moved") + int(moved), last_order_id=order_id
        )
    return moved


def snapshot_of(state: OrderState) -> dict:
    """The comparable content of a projection, in the shape the rows store."""
    return {
        "order": {
            "status": state.status,
            "received_at": state.received_at,
            "closed_at": state.closed_at,
            **due_fields(state),
        },
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
            "review": s.review,
            "review_reasons": s.review_reasons,
        }
        for s in order.suspensions.order_by("position")
    ]
    return {
        "order": {
            "status": order.status,
            "received_at": order.received_at,
            "closed_at": order.closed_at,
            **{name: getattr(order, name) for name in DUE_FIELDS},
        },
        "nodes": nodes,
        "clocks": clocks,
        "suspensions": suspensions,
    }
