"""The scan's next-due rows (R9): a scan that skips the clocks whose next level is ahead raises and resolves
exactly what a scan reading every alarmed clock does, on a book with holidays, a make-up day, completions,
suspensions (before and after the deadline) and a moved deadline; and a resolution brings its clock back."""

from datetime import timedelta

import pytest
from django.db import transaction

from yekuo.monitoring.models import ClockNextDue, ClockWarning
from yekuo.monitoring.scan import scan
from yekuo.orders.models import Clock, WorkOrder
from yekuo.workcal.tests.conftest import at

from .conftest import complete, create, resume, suspend

pytestmark = pytest.mark.django_db

SCANS = [
    "2026-09-30 17:00", "2026-10-05 10:00", "2026-10-08 09:07:30", "2026-10-08 10:00", "2026-10-09 09:00",
    "2026-10-10 11:00", "2026-10-12 09:00", "2026-11-02 11:00", "2026-11-02 11:37:30", "2026-11-02 12:00",
    "2026-11-02 15:00", "2026-11-02 15:30", "2026-11-02 16:00", "2026-11-03 09:00", "2026-11-03 10:05",
    "2026-11-03 11:00", "2026-11-04 09:00", "2026-11-05 09:00", "2026-11-20 09:00",
]  # fmt: skip


class Rollback(Exception):
    pass


def play(cast, keep: bool) -> tuple[list, list]:
    """The scenario's scans: (raised, resolved, reasons) of each, and every warning at the end. With keep
    False, the next-due rows are removed before each scan, so every alarmed clock is read (the old scan)."""
    orders = {
        "holiday": create(cast, "2026-09-30 16:00"),  # across the national day holiday
        "makeup": create(cast, "2026-10-09 16:00"),  # across the make-up Saturday 10 Oct
        "plain": create(cast, "2026-11-02 09:00"),
        "done": create(cast, "2026-11-02 09:30"),
        "paused": create(cast, "2026-11-02 09:00"),
        "late_pause": create(cast, "2026-11-02 09:00"),
        "moved": create(cast, "2026-11-02 10:00"),
        "next_node": create(cast, "2026-11-02 08:30"),
    }
    events = {
        "2026-11-02 12:00": [lambda: complete(cast, orders["next_node"], "acceptance", "2026-11-02 11:50")],
        "2026-11-02 15:00": [lambda: suspend(cast, orders["paused"], "2026-11-02 12:10")],
        "2026-11-02 15:30": [
            lambda: suspend(cast, orders["late_pause"], "2026-11-02 15:10"),
            lambda: complete(cast, orders["done"], "acceptance", "2026-11-02 15:20"),
        ],
        "2026-11-02 16:00": [lambda: move(orders["moved"])],
        "2026-11-03 10:05": [
            lambda: resume(cast, orders["paused"], "2026-11-03 10:00"),
            lambda: resume(cast, orders["late_pause"], "2026-11-03 10:00"),
        ],
    }
    results = []
    for when in SCANS:
        for event in events.get(when, []):
            event()
        if not keep:
            ClockNextDue.objects.all().delete()
        result = scan(at(when), notify=False)
        results.append((when, result.raised, result.resolved, sorted(result.resolutions.items())))
    name = {order.pk: key for key, order in orders.items()}
    warnings = sorted(
        (name[row[0]], *row[1:])
        for row in ClockWarning.objects.values_list(
            "order_id", "node_code", "level", "episode", "due_at", "deadline_at", "raised_at", "resolved_at",
            "resolution",
        )
    )  # fmt: skip
    return results, warnings


def move(order):
    """As a calendar recompute does when a day becomes a holiday: the deadline and warning time a day later."""
    clock = Clock.objects.get(order=order, state="running")
    later = {"deadline_at": clock.deadline_at + timedelta(days=1), "warn_at": clock.warn_at + timedelta(days=1)}
    Clock.objects.filter(pk=clock.pk).update(**later)
    WorkOrder.objects.filter(pk=order.pk).update(due_at=later["deadline_at"], warn_at=later["warn_at"])


def run_apart(cast, keep):
    try:
        with transaction.atomic():
            found = play(cast, keep)
            raise Rollback
    except Rollback:
        return found


def test_the_next_due_rows_change_nothing_raised_or_resolved(cast):
    kept, kept_warnings = run_apart(cast, keep=True)
    every, every_warnings = run_apart(cast, keep=False)
    assert kept == every
    assert kept_warnings == every_warnings
    assert sum(raised for _w, raised, _r, _why in kept) >= 15
    reasons = {why for *_rest, whys in kept for why, _n in whys}
    assert {"clock_done", "suspended", "moved"} <= reasons


def test_a_steady_scan_reads_only_clocks_with_a_level_due(cast):
    for hour in ("09:00", "09:30", "10:00"):
        create(cast, f"2026-11-02 {hour}")
    first = scan(at("2026-11-02 15:10"), notify=False)  # 3 pre-warnings, the 09:00 order's deadline
    assert (first.candidates, first.raised) == (3, 4)
    assert ClockNextDue.objects.count() == 3
    assert scan(at("2026-11-02 15:20"), notify=False).candidates == 0  # every next level ahead
    at_deadline = scan(at("2026-11-02 15:30"), notify=False)
    assert (at_deadline.candidates, at_deadline.raised) == (1, 1)  # the 09:30 order's deadline


def test_a_resolution_brings_the_clock_back(cast):
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:30"), notify=False)
    assert ClockNextDue.objects.filter(clock__order=order).exists()
    complete(cast, order, "acceptance", "2026-11-02 15:40")  # its clock stops
    result = scan(at("2026-11-02 15:50"), notify=False)
    assert result.resolutions == {"clock_done": 2}
    assert not ClockNextDue.objects.filter(clock__state="done", clock__order=order).exists()
