"""Writes of the outbox: enqueue inside the caller's transaction, deliver (claim, send, record), retry.

Delivery is at least once: a message is sent again only if its last try's outcome was not recorded (a worker
that died while sending), so receivers deduplicate on the message id (header X-Yekuo-Message-Id and the
envelope's `id`); with that, every message takes effect exactly once (docs/outbox.md).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yekuo.outbox import transports
from yekuo.outbox.models import Attempt, Delivery, DeliveryState, Destination, Message

log = logging.getLogger(__name__)
# A claimed delivery is left alone for its timeout plus this, then the sweep may try it again.
LEASE_MARGIN = timedelta(seconds=60)


def enqueue(destination: str | Iterable[str], kind: str, payload: dict, key: str | None = None, order=None) -> Message:
    """Write a message and one delivery per destination code in the caller's transaction; they are sent after
    it commits (and never if it rolls back). The same `key` again returns the existing message, unchanged.

    An unknown destination code is created disabled (admin: 消息目的地): its deliveries wait, nothing is lost,
    until an administrator gives it an address and enables it."""
    codes = [destination] if isinstance(destination, str) else list(dict.fromkeys(destination))
    if key:
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    with transaction.atomic():  # a savepoint inside the caller's transaction: all of it or none
        try:
            with transaction.atomic():
                message = Message.objects.create(key=key or None, kind=kind, payload=payload, order=order)
        except IntegrityError:
            if not key:
                raise
            return Message.objects.get(key=key)  # the same key, enqueued concurrently and committed first
        ids = [
            Delivery.objects.create(message=message, destination=_destination(code), next_attempt_at=now).pk
            for code in codes
        ]
    transaction.on_commit(lambda: _schedule(ids))
    return message


def _destination(code: str) -> Destination:
    found = Destination.objects.filter(code=code).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Destination.objects.create(code=code, name=code, enabled=False)
    except IntegrityError:
        return Destination.objects.get(code=code)


def _schedule(delivery_ids: list[int], eta: datetime | None = None) -> None:
    """Hand the deliveries to the worker. If the queue cannot take them, the periodic sweep will."""
    from yekuo.common.tasks import hand_over
    from yekuo.outbox.tasks import deliver_task

    hand_over(deliver_task, delivery_ids, eta=eta, what="outbox delivery")  # the rows are committed: the sweep


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base × 2^(attempts−1), capped, times a random 0.75–1.25 (so that many
    deliveries that failed together do not all come back at the same second)."""
    base = settings.YEKUO_OUTBOX_BACKOFF_SECONDS
    cap = settings.YEKUO_OUTBOX_BACKOFF_MAX_SECONDS
    seconds = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=min(cap, seconds * random.uniform(0.75, 1.25)))


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take the delivery for one try with a conditional UPDATE: two workers never send it at the same time."""
    delivery = Delivery.objects.select_related("destination", "message__order").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.PENDING or not delivery.destination.enabled:
        return None
    lease = now + timedelta(seconds=delivery.destination.timeout_s) + LEASE_MARGIN
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=lease)
    )
    return delivery if claimed else None


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """One try of a due delivery: claim, send outside any transaction, record the attempt and the new state.
    Returns the new state, or None when it was not due, not pending, or claimed by another worker."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    send = transports.get(delivery.destination.transport)
    started, clock = timezone.now(), time.monotonic()
    try:
        if send is None:
            result = transports.Result(False, error=f"unknown transport {delivery.destination.transport!r}")
        else:
            result = send(delivery.destination, delivery.message)
    except Exception as error:  # a transport's bug is a failed attempt, retried and visible, not a lost message
        log.exception("outbox: transport %s raised", delivery.destination.transport)
        result = transports.Result(False, error=f"{type(error).__name__}: {error}"[: transports.EXCERPT_CHARS])
    duration_ms = int((time.monotonic() - clock) * 1000)
    attempts = delivery.attempts + 1
    retry_at = None
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            number=Attempt.objects.filter(delivery=delivery).count() + 1,
            started_at=started,
            duration_ms=duration_ms,
            ok=result.ok,
            status=result.status,
            response_excerpt=transports.clean(result.response_excerpt or ""),
            error=transports.clean(result.error or ""),
        )
        fields = {
            "attempts": attempts,
            "lease_until": None,
            "last_status": result.status,
            "last_error": transports.clean(result.error or ""),
        }
        if result.ok:
            fields.update(state=DeliveryState.DELIVERED, delivered_at=timezone.now(), last_error="")
        elif attempts >= delivery.destination.max_attempts:
            fields.update(state=DeliveryState.FAILED)
            log.warning("outbox: delivery %s to %s failed for good", delivery.pk, delivery.destination.code)
        else:
            retry_at = max(now, timezone.now()) + backoff(attempts)
            fields.update(next_attempt_at=retry_at)
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
    if retry_at is not None:
        _schedule([delivery.pk], eta=retry_at)
    return fields.get("state", DeliveryState.PENDING)


def due_ids(now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending deliveries whose time has come, of enabled destinations, not claimed by a live worker."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now, destination__enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The sweep, in this process: every due delivery gets one try. Returns how many ended in each state."""
    counts: dict[str, int] = {}
    for delivery_id in due_ids(now, limit):
        state = deliver(delivery_id, now)
        if state is not None:
            counts[state] = counts.get(state, 0) + 1
    return counts


def retry(delivery_ids: Iterable[int] | None = None, *, failed: bool = False) -> int:
    """An administrator's retry: the given deliveries (or every failed one) start a new round of tries now.
    Delivered ones are left alone. Returns how many were put back."""
    now = timezone.now()
    # Not one a worker is sending right now (its lease is live): it would be sent twice at once.
    rows = Delivery.objects.exclude(state=DeliveryState.DELIVERED).exclude(lease_until__gt=now)
    if failed:
        rows = rows.filter(state=DeliveryState.FAILED)
    if delivery_ids is not None:
        rows = rows.filter(pk__in=list(delivery_ids))
    elif not failed:
        return 0
    with transaction.atomic():
        ids = list(rows.select_for_update().values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, lease_until=None
        )
        transaction.on_commit(lambda: _schedule(ids))
    return len(ids)


def record_answer(message_id, destination_code: str, answer: dict) -> Delivery | None:
    """A partner's later answer to a message it received (e.g. a utility unit's reply); None if unknown."""
    delivery = Delivery.objects.filter(message_id=message_id, destination__code=destination_code).first()
    if delivery is None:
        return None
    now = timezone.now()
    fields = {"answered_at": now, "answer": answer}
    if delivery.state != DeliveryState.DELIVERED:  # an answer proves it arrived
        fields.update(state=DeliveryState.DELIVERED, delivered_at=delivery.delivered_at or now, lease_until=None)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    return delivery
