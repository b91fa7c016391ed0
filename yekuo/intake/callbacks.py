"""What yekuo tells a platform about its applications (notice §1, R3), through the outbox.

Every callback is a message of the outbox (`yekuo.outbox.services.enqueue`), written in the same
transaction as the change it reports and delivered by the worker with retries; its `key` makes it once
only. The destination is the outbox `Destination` whose code is the platform's code.

- `application.accepted` / `application.returned` / `application.rejected`: written by the dispatch
  services (`intake.services`) with the decision.
- `order.node_completed` and `order.energized`: node progress of the platform's orders. The order's write
  path knows nothing of platforms, so these are relayed from the order event log: `relay_progress` (a
  periodic task, and `yekuo platforms relay`) reads the events recorded since its cursor and enqueues one
  message per event, cursor and messages in one transaction. It reads only events older than
  RELAY_LAG_SECONDS, so that an event whose transaction commits late (ids are taken before commit) is
  not passed over; a message key per event makes a second pass harmless.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yekuo.intake.models import Application, RelayCursor
from yekuo.orders.models import OrderEvent, OrderStatus

RELAY_LAG_SECONDS = 30
RELAY_BATCH = 500


def _enqueue(application: Application, kind: str, payload: dict, key: str) -> None:
    from yekuo.outbox.services import enqueue  # the outbox app delivers; this module only writes messages

    enqueue(destination=application.platform.code, kind=kind, payload=payload, key=key, order=application.order)


def _base(application: Application) -> dict:
    order = application.order
    return {
        "application_id": application.external_id,
        "platform": application.platform.code,
        "order": order.number if order else None,
    }


def application_decided(application: Application) -> None:
    """application.accepted (dispatched), .returned or .rejected, with the branch or the reason."""
    kind = {"dispatched": "accepted"}.get(application.state, application.state)
    payload = {
        **_base(application),
        "state": kind,
        "decided_at": timezone.localtime(application.decided_at).isoformat(),
        **({"branch": application.order.branch.code, "branch_name": application.order.branch.name}
           if kind == "accepted" else {"reason": application.reason}),
    }  # fmt: skip
    key = f"application:{application.platform.code}:{application.external_id}:{kind}"
    _enqueue(application, f"application.{kind}", payload, key)


def relay_progress(now=None) -> int:
    """Enqueue the node progress of platform orders recorded since the last run; how many messages."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic(durable=True):
        cursor, _ = RelayCursor.objects.select_for_update().get_or_create(name="progress")
        events = list(
            OrderEvent.objects.filter(
                pk__gt=cursor.last_event_id, recorded_at__lt=now - timedelta(seconds=RELAY_LAG_SECONDS)
            )
            .order_by("pk")
            .values_list("pk", "type", "order_id")[:RELAY_BATCH]
        )
        wanted = [pk for pk, kind, _order in events if kind == "node.completed"]
        if wanted:
            rows = OrderEvent.objects.filter(pk__in=wanted, order__application__isnull=False).select_related(
                "order__application__platform"
            )
            for event in rows.order_by("pk"):
                sent += _progress(event)
        if events:
            cursor.last_event_id = events[-1][0]
            cursor.save(update_fields=["last_event_id"])
    return sent


def _progress(event: OrderEvent) -> int:
    order, application = event.order, event.order.application
    node = event.payload.get("node")
    payload = {**_base(application), "node": node, "completed_at": timezone.localtime(event.occurred_at).isoformat()}
    _enqueue(application, "order.node_completed", payload, f"order:{order.number}:node:{node}:{event.seq}")
    if order.status == OrderStatus.ENERGIZED and order.closed_at == event.occurred_at:
        energized = {**_base(application), "energized_at": payload["completed_at"]}
        _enqueue(application, "order.energized", energized, f"order:{order.number}:energized")
        return 2
    return 1
