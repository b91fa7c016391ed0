"""Golden deadlines across every 2026 holiday boundary (REQUIREMENTS I3, I4, I5, I7).

On the seeded calendar, through the cached work table the services use.
"""

import pytest

from yekuo.common.errors import InvalidInput, OutOfCalendar
from yekuo.workcal.engine import Threshold
from yekuo.workcal.tests.conftest import at

GOLDEN = [
    # (start, days, expected deadline, why)
    ("2026-09-30 16:00", 1, "2026-10-08 16:00", "National Day 10-01..10-07 is skipped"),
    ("2026-10-09 09:00", 1, "2026-10-10 09:00", "make-up Saturday 10-10 is a working day"),
    ("2026-10-09 17:00", 0.5, "2026-10-10 11:00", "half a day over the make-up Saturday"),
    ("2026-10-10 10:00", 1, "2026-10-12 10:00", "from a make-up day, Sunday 10-11 is off"),
    ("2026-09-18 16:00", 1, "2026-09-20 16:00", "make-up Sunday 09-20 works, Saturday 09-19 does not"),
    ("2026-09-24 16:00", 1, "2026-09-28 16:00", "Mid-Autumn 09-25..09-27"),
    ("2025-12-31 16:00", 1, "2026-01-04 16:00", "New Year 01-01..01-03, make-up Sunday 01-04"),
    (
        "2026-01-02 10:00",
        1,
        "2026-01-04 18:00",
        "started on a holiday: ends with the make-up day, not 08:30 next day",
    ),
    ("2026-02-13 14:30", 2, "2026-02-24 12:00", "make-up Saturday 02-14, then Spring Festival 02-15..02-23"),
    ("2026-02-27 18:00", 0.5, "2026-02-28 12:00", "make-up Saturday 02-28, started at closing time"),
    ("2026-04-03 17:00", 0.5, "2026-04-07 11:00", "Qingming 04-04..04-06, no make-up day"),
    ("2026-04-30 12:00", 1, "2026-05-06 12:00", "Labour Day 05-01..05-05, started in the lunch break"),
    ("2026-05-08 15:00", 1, "2026-05-09 15:00", "make-up Saturday 05-09"),
    ("2026-06-18 16:00", 1, "2026-06-22 16:00", "Dragon Boat 06-19..06-21"),
    ("2026-03-03 08:30", 0.5, "2026-03-03 12:00", "a half day ends at noon, not at 14:30"),
    ("2026-03-03 14:30", 0.5, "2026-03-03 18:00", "an afternoon half day"),
    ("2026-03-03 10:00", 0.5, "2026-03-03 16:00", "a half day across the lunch break"),
    ("2026-03-03 22:00", 0.5, "2026-03-04 12:00", "started at night: counts from 08:30 next day"),
    ("2026-03-07 10:00", 0.5, "2026-03-09 12:00", "started on a Saturday: counts from Monday"),
    ("2026-09-30 08:00", 18, "2026-10-29 18:00", "an 18-day grid-works clock across National Day"),
    # Zero limits (I3): done the working day counting starts.
    ("2026-03-03 10:00", 0, "2026-03-03 18:00", "0 days: end of that day's office hours"),
    ("2026-03-03 12:00", 0, "2026-03-03 18:00", "0 days from the lunch break"),
    ("2026-03-03 19:00", 0, "2026-03-04 18:00", "0 days started after hours: the next working day"),
    ("2026-10-03 10:00", 0, "2026-10-08 18:00", "0 days started on a holiday"),
    ("2026-10-10 09:00", 0, "2026-10-10 18:00", "0 days on a make-up day"),
]


@pytest.mark.parametrize(("start", "days", "expected", "why"), GOLDEN, ids=[g[3] for g in GOLDEN])
def test_golden_deadline(table, start, days, expected, why):
    result = table.deadline(at(start), days)
    assert result.at == at(expected), why
    assert result.provisional is False


def test_batch_agrees_with_golden(table):
    import numpy as np

    starts = np.array([int(at(g[0]).timestamp()) for g in GOLDEN])
    days = np.array([g[1] for g in GOLDEN], dtype=float)
    deadlines, provisional = table.deadlines_batch(starts, days)
    assert [table.local(int(t)) for t in deadlines] == [at(g[2]) for g in GOLDEN]
    assert not provisional.any()


def test_pause_over_national_day_is_credited_in_working_time(table):
    # 3 days from 09-29 09:00; the customer holds the order from 09-30 09:00 to 10-09 09:00.
    # Before the pause 420 minutes were used; the pause covers 840 working minutes (not 9 calendar days).
    result = table.deadline(at("2026-09-29 09:00"), 3, [(at("2026-09-30 09:00"), at("2026-10-09 09:00"))])
    assert result.at == at("2026-10-12 09:00")
    used = table.elapsed(at("2026-09-29 09:00"), result.at, [(at("2026-09-30 09:00"), at("2026-10-09 09:00"))])
    assert used.working_minutes == 3 * 420


def test_pause_entirely_within_holiday_changes_nothing(table):
    plain = table.deadline(at("2026-09-30 16:00"), 1)
    paused = table.deadline(at("2026-09-30 16:00"), 1, [(at("2026-10-02 09:00"), at("2026-10-05 17:00"))])
    assert paused.at == plain.at


def test_pause_after_the_deadline_does_not_move_it(table):
    result = table.deadline(at("2026-03-03 08:30"), 0.5, [(at("2026-03-03 14:30"), at("2026-03-05 09:00"))])
    assert result.at == at("2026-03-03 12:00")


def test_overlapping_and_unsorted_pauses_are_merged(table):
    pauses = [
        (at("2026-03-04 10:00"), at("2026-03-04 16:00")),
        (at("2026-03-04 09:00"), at("2026-03-04 11:00")),
    ]
    merged = table.deadline(at("2026-03-03 08:30"), 2, pauses)
    single = table.deadline(at("2026-03-03 08:30"), 2, [(at("2026-03-04 09:00"), at("2026-03-04 16:00"))])
    assert merged.at == single.at == at("2026-03-05 15:30")


def test_open_pause_leaves_no_deadline(table):
    result = table.deadline(at("2026-03-03 08:30"), 1, [(at("2026-03-03 10:00"), None)])
    assert result.at is None


def test_elapsed_and_remaining(table):
    used = table.elapsed(at("2026-09-30 16:00"), at("2026-10-12 09:00"))
    # 120 (09-30) + 420 (10-08) + 420 (10-09) + 420 (make-up 10-10) + 30 (10-12)
    assert used.working_minutes == 1410
    assert used.working_days == pytest.approx(1410 / 420)
    left = table.remaining(at("2026-09-30 16:00"), 1, at("2026-10-08 10:00"))
    assert left == 210 * 60  # 120 + 90 minutes used by 10-08 10:00
    overdue = table.remaining(at("2026-09-30 16:00"), 1, at("2026-10-09 08:30"))
    assert overdue == -(120 * 60)


def test_warn_at_thresholds(table):
    start = at("2026-03-02 08:30")  # Monday
    # 2 days = 840 minutes: 75 % used at 630 minutes, i.e. Tuesday noon.
    assert table.warn_at(start, 2, threshold=Threshold(used_fraction=0.75)) == at("2026-03-03 12:00")
    quarter_day_left = Threshold(used_fraction=None, remaining_seconds=105 * 60)
    assert table.warn_at(start, 2, threshold=quarter_day_left) == at("2026-03-03 16:15")
    both = Threshold(used_fraction=0.5, remaining_seconds=105 * 60)  # whichever comes first
    assert table.warn_at(start, 2, threshold=both) == at("2026-03-02 18:00")


def test_provisional_when_the_span_reaches_an_unscheduled_year(table):
    late = table.deadline(at("2026-12-28 09:00"), 5)
    assert late.provisional is True
    assert late.at.year == 2027
    early = table.deadline(at("2026-12-01 09:00"), 1)
    assert early.provisional is False
    assert table.elapsed(at("2026-12-30 09:00"), at("2027-01-04 09:00")).provisional is True


def test_provisional_year_has_rule_based_holidays_and_no_makeup(table):
    # 2027-01-01 (Friday) is New Year's Day by rule; the weekend after it is off.
    assert table.deadline(at("2026-12-31 17:00"), 0.5).at == at("2027-01-04 11:00")


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda t: t.deadline(at("2026-03-03 10:00").replace(tzinfo=None), 1), InvalidInput, "no UTC offset"),
        (lambda t: t.deadline(at("2026-03-03 10:00"), -1), InvalidInput, "zero or a positive"),
        (lambda t: t.deadline(at("2026-03-03 10:00"), 0.3), InvalidInput, "multiple of 0.5"),
        (lambda t: t.deadline(at("2026-03-03 10:00"), "abc"), InvalidInput, "not a number"),
        (lambda t: t.deadline(at("2003-06-02 10:00"), 1), OutOfCalendar, "outside the loaded calendar"),
        (lambda t: t.deadline(at("2031-06-02 10:00"), 1), OutOfCalendar, "outside the loaded calendar"),
        (lambda t: t.deadline(at("2028-12-20 10:00"), 30), OutOfCalendar, "after the last loaded"),
        (lambda t: t.elapsed(at("2026-03-03 10:00"), at("2026-03-02 10:00")), InvalidInput, "before start"),
        (
            lambda t: t.deadline(at("2026-03-03 10:00"), 1, [(at("2026-03-04 10:00"), at("2026-03-03 10:00"))]),
            InvalidInput,
            "ends before it begins",
        ),
    ],
    ids=[
        "naive",
        "negative",
        "not-half",
        "not-number",
        "before-calendar",
        "after-calendar",
        "deadline-past-end",
        "end-before-start",
        "reversed-pause",
    ],
)
def test_bad_input_is_refused_clearly(table, call, error, text):
    with pytest.raises(error, match=text):
        call(table)
