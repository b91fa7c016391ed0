"""Recompute open clocks when the calendar changes (REQUIREMENTS I7) and verify stored projections."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yekuo.orders.models import EventSource, OrderEvent, OrderStatus, WorkOrder
from yekuo.orders.services import fold, order_recompute, snapshot_of, stored_state


def open_orders_touching(years: list[int]):
    """Orders with a clock that started or is still open in, or before the end of, the changed years."""
    last = max(years)
    first = min(years)
    return (
        WorkOrder.objects.exclude(status__in=[OrderStatus.ENERGIZED, OrderStatus.CANCELLED])
        .filter(Q(clocks__started_at__year__lte=last) | Q(clocks__started_at__isnull=True))
        .filter(Q(clocks__deadline_at__isnull=True) | Q(clocks__deadline_at__year__gte=first))
        .distinct()
    )


def recompute_after_calendar_change(sender=None, years=(), **kwargs) -> int:
    """Refold every open order that may depend on `years`; record the change on those that moved."""
    if not years:
        return 0
    moved = 0
    for order in open_orders_touching(list(years)).iterator():
        if order_recompute(order):
            with transaction.atomic():
                locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
                locked.event_count += 1
                OrderEvent.objects.create(
                    order=locked,
                    seq=locked.event_count,
                    type="calendar.recomputed",
                    occurred_at=timezone.now(),
                    source=EventSource.SYSTEM,
                    payload={"years": sorted(years)},
                )
                locked.save(update_fields=["event_count"])
            moved += 1
    return moved


def verify_orders(queryset=None):
    """Yield (order, differences) for each order whose stored rows differ from its replayed log."""
    queryset = queryset if queryset is not None else WorkOrder.objects.all()
    for order in (
        queryset.select_related("branch__company").prefetch_related("nodes", "clocks").iterator(chunk_size=200)
    ):
        from yekuo.orders.store import events_of

        expected = snapshot_of(fold(order, events_of(order.pk)))
        actual = stored_state(order)
        differences = _differences(expected, actual)
        yield order, differences


def _differences(expected: dict, actual: dict, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            out += _differences(expected.get(key), actual.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += _differences(e, a, f"{path}[{i}]")
        return out
    if expected != actual:
        return [f"{path}: log says {expected!r}, stored {actual!r}"]
    return []
