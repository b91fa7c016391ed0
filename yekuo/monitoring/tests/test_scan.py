"""The warning scan (R9): each level raised once per clock at its threshold in working time, across a
holiday and a make-up day; resolved when the node completes or the clock is suspended; idempotent."""

import pytest

from yekuo.monitoring.models import ClockWarning
from yekuo.monitoring.scan import scan
from yekuo.workcal.tests.conftest import at

from .conftest import complete, create, resume, suspend

pytestmark = pytest.mark.django_db


def levels(order, open_only=True):
    rows = ClockWarning.objects.filter(order=order)
    if open_only:
        rows = rows.filter(resolved_at__isnull=True)
    return sorted(rows.values_list("level", flat=True))


def test_levels_fall_due_at_their_share_of_the_budget(cast):
    # 0.5 working days = 3 h 30 of office hours from Mon 09:00: deadline 15:00 (09:00-12:00, 14:30-15:00).
    order = create(cast, "2026-11-02 09:00")
    # 75 % = 2 h 37 min 30 s of work: 11:37:30.
    assert scan(at("2026-11-02 11:37:29")).raised == 0
    assert levels(order) == []
    assert scan(at("2026-11-02 11:37:30")).raised == 1
    warning = ClockWarning.objects.get(order=order)
    assert (warning.level, warning.node_code, warning.due_at) == ("pre", "acceptance", at("2026-11-02 11:37:30"))
    assert warning.deadline_at == at("2026-11-02 15:00")
    assert scan(at("2026-11-02 14:59:59")).raised == 0
    assert scan(at("2026-11-02 15:00")).raised == 1
    assert levels(order) == ["overdue", "pre"]
    # Serious: overdue by the budget again, 7 h of work from the start: 6 h 30 on Monday, Tue 08:30 + 30 min.
    assert scan(at("2026-11-03 08:59:59")).raised == 0
    assert scan(at("2026-11-03 09:00")).raised == 1
    assert levels(order) == ["overdue", "pre", "serious"]


def test_a_scan_is_idempotent(cast):
    order = create(cast, "2026-11-02 09:00")
    first = scan(at("2026-11-04 09:00"))
    assert first.raised == 3
    again = scan(at("2026-11-04 09:00"))
    assert (again.raised, again.resolved) == (0, 0)
    assert scan(at("2026-11-05 09:00")).raised == 0
    assert ClockWarning.objects.filter(order=order).count() == 3


def test_across_the_national_day_holiday(cast):
    # Wed 30 Sep 16:00: 2 h that day, then nothing until Thu 8 Oct (1-7 Oct are the holiday).
    order = create(cast, "2026-09-30 16:00")
    assert scan(at("2026-10-05 10:00")).raised == 0  # a holiday: no working time passes
    assert scan(at("2026-10-08 09:07:29")).raised == 0
    assert scan(at("2026-10-08 09:07:30")).raised == 1  # 2 h + 37.5 min on the 8th
    assert scan(at("2026-10-08 10:00")).raised == 1  # deadline: 2 h + 1.5 h
    assert levels(order) == ["overdue", "pre"]


def test_across_a_make_up_working_day(cast):
    # Fri 9 Oct 14:30: the whole afternoon is the budget (deadline 18:00); Sat 10 Oct is a make-up working day,
    # so "overdue by the budget again" falls on Saturday at 12:00, not on Monday.
    order = create(cast, "2026-10-09 14:30")
    assert scan(at("2026-10-09 17:07:30")).raised == 1
    assert scan(at("2026-10-09 18:00")).raised == 1
    assert scan(at("2026-10-10 11:59:59")).raised == 0
    assert scan(at("2026-10-10 12:00")).raised == 1
    assert levels(order) == ["overdue", "pre", "serious"]


def test_resolved_when_the_node_completes(cast):
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:30"))
    assert levels(order) == ["overdue", "pre"]
    complete(cast, order, "acceptance", "2026-11-02 16:00")
    result = scan(at("2026-11-02 16:05"))
    assert result.resolved == 2 and result.resolutions == {"clock_done": 2}
    assert levels(order) == []
    assert scan(at("2026-11-02 16:05")).resolved == 0


def test_suspended_clocks_never_warn_and_resolve(cast):
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 12:00"))
    assert levels(order) == ["pre"]
    suspend(cast, order, "2026-11-02 12:30")
    result = scan(at("2026-11-20 09:00"))  # long past every threshold, but paused
    assert result.resolutions == {"suspended": 1} and levels(order) == []
    assert result.raised == 0
    # Resumed: the time already used counts, the suspension does not (I5): 3 h used by 12:00 (paused 12:30
    # in the lunch break), 30 min left from Fri 20 Nov 14:30 -> deadline 15:00; a new episode warns again.
    resume(cast, order, "2026-11-20 14:00")
    scan(at("2026-11-20 14:40"))
    assert levels(order) == ["pre"]
    warning = ClockWarning.objects.get(order=order, resolved_at__isnull=True)
    assert warning.episode == 1 and warning.deadline_at == at("2026-11-20 15:00")
    assert ClockWarning.objects.filter(order=order).count() == 2


def test_warnings_of_the_next_node_under_a_new_clock(cast):
    order = create(cast, "2026-11-02 09:00")
    complete(cast, order, "acceptance", "2026-11-02 10:00")
    scan(at("2026-11-20 09:00"))
    opened = ClockWarning.objects.filter(order=order, resolved_at__isnull=True)
    assert {w.node_code for w in opened} == {"survey_plan"}
    assert sorted(w.level for w in opened) == ["overdue", "pre", "serious"]


def test_suspended_and_resumed_between_two_scans(cast):
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 12:00"))
    assert levels(order) == ["pre"]
    suspend(cast, order, "2026-11-02 12:10")
    resume(cast, order, "2026-11-03 10:00")  # no scan saw the pause
    # 3 h used by the pause, 30 min left: the deadline moved from Mon 15:00 to Tue 10:30; a new running period.
    result = scan(at("2026-11-03 10:05"))
    assert result.resolutions == {"suspended": 1} and result.raised == 1
    opened = ClockWarning.objects.get(order=order, resolved_at__isnull=True)
    assert (opened.level, opened.episode, opened.deadline_at) == ("pre", 1, at("2026-11-03 10:30"))


def test_a_suspension_after_the_deadline_leaves_the_alarm_standing(cast):
    """Paused when already overdue, the deadline does not move (the pause is credited only before it): the
    clock is as overdue as before, and nobody is told again."""
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:00"))
    suspend(cast, order, "2026-11-02 15:10")
    resume(cast, order, "2026-11-03 10:00")
    result = scan(at("2026-11-03 10:05"))
    assert (result.resolved, result.raised) == (0, 0) and levels(order) == ["overdue", "pre"]


def test_a_deadline_moved_later_resolves_what_is_no_longer_due(cast):
    from datetime import timedelta

    from yekuo.orders.models import Clock, WorkOrder

    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:30"))
    assert levels(order) == ["overdue", "pre"]
    # As a recompute does when a day becomes a holiday: the deadline and warning time move a day later.
    clock = Clock.objects.get(order=order, state="running")
    Clock.objects.filter(pk=clock.pk).update(deadline_at=clock.deadline_at + timedelta(days=1),
                                             warn_at=clock.warn_at + timedelta(days=1))  # fmt: skip
    WorkOrder.objects.filter(pk=order.pk).update(due_at=clock.deadline_at + timedelta(days=1),
                                                 warn_at=clock.warn_at + timedelta(days=1))  # fmt: skip
    result = scan(at("2026-11-02 16:00"))
    assert result.resolutions == {"moved": 2} and levels(order) == []
