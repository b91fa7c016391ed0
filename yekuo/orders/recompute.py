"""Recompute open clocks when the calendar changes (REQUIREMENTS I7), and verify stored projections.

A calendar change (an official schedule loaded, a provisional year added, office hours changed) sends
`calendar_changed` on commit; `start_recompute` then records a job (CalendarRecompute, one per calendar
revision) and queues it for the background worker (Huey, `yekuo serve`). `run_recompute` takes the open
orders that may depend on the changed years in id order, each in its own transaction with the job's
progress (services.order_recompute), so a run that stops part-way leaves every order recomputed with its
`calendar.recomputed` event or untouched, and the next run resumes after the last order done.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from yekuo.orders.models import CalendarRecompute, OrderStatus, WorkOrder
from yekuo.orders.services import fold, order_recompute, snapshot_of, stored_state
from yekuo.orders.store import events_of
from yekuo.workcal.models import CalendarRevision


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


def start_recompute(sender=None, years=(), **kwargs) -> CalendarRecompute | None:
    """Receiver of `calendar_changed`: the job of the current calendar revision, queued for the worker."""
    if not years:
        return None
    from yekuo.orders.tasks import recompute_calendar

    token = CalendarRevision.objects.filter(id=1).values_list("token", flat=True).first() or ""
    job, _ = CalendarRecompute.objects.get_or_create(token=token, defaults={"years": sorted(years)})
    recompute_calendar(job.pk)  # runs at once where tasks are immediate (tests, YEKUO_TASKS_IMMEDIATE)
    return job


def run_recompute(job_id: int, progress: Callable[[CalendarRecompute], None] | None = None) -> CalendarRecompute:
    """Run (or resume) a recompute job to its end; `progress` is called with the job after each order.

    An error stops the run with the error recorded on the job and raised; the orders done so far stay
    done, and running the job again goes on after them."""
    job = CalendarRecompute.objects.get(pk=job_id)
    if job.finished_at is not None:
        return job
    pending = open_orders_touching(job.years).filter(pk__gt=job.last_order_id).order_by("pk")
    job.total = job.done + pending.count()
    job.started_at, job.error = timezone.now(), ""
    job.save(update_fields=["total", "started_at", "error"])
    try:
        for order_id in pending.values_list("pk", flat=True).iterator():
            order_recompute(order_id, job)
            if progress is not None:
                job.refresh_from_db()
                progress(job)
    except Exception as exc:
        CalendarRecompute.objects.filter(pk=job.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    CalendarRecompute.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    job.refresh_from_db()
    return job


def progress_line(job: CalendarRecompute) -> str:
    """How far a job got, as the commands print it."""
    return f"recomputing open clocks: {job.done}/{job.total} orders done, {job.moved} moved"


def wait_for_recompute(
    job: CalendarRecompute, report: Callable[[CalendarRecompute], None], *, start_within: float = 10, poll: float = 0.5
) -> CalendarRecompute:
    """Wait for a queued job to finish, reporting its progress as it changes. When no worker has started
    it within `start_within` seconds (no `yekuo serve` running), run it here: a job is safe to resume."""
    waited, last = 0.0, None
    while True:
        job.refresh_from_db()
        if job.error:
            raise RuntimeError(f"the recompute stopped: {job.error}")
        if (job.done, job.total) != last:
            last = (job.done, job.total)
            report(job)
        if job.finished_at is not None:
            return job
        if job.started_at is None and waited >= start_within:
            return run_recompute(job.pk, progress=report)
        time.sleep(poll)
        waited += poll


def verify_orders(queryset=None):
    """Yield (order, differences) for each order whose stored rows differ from its replayed log."""
    queryset = queryset if queryset is not None else WorkOrder.objects.all()
    for order in (
        queryset.select_related("branch__company").prefetch_related("nodes", "clocks").iterator(chunk_size=200)
    ):
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
