"""Properties of the clock engine (hypothesis), against an independent day-by-day oracle.

The table here is built straight from chinesecalendar, without the database, so the engine is checked
as the pure function it is.
"""

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.baselines import chinese_is_working, day_loop_deadline, day_loop_elapsed
from yekuo.workcal.engine import SHANGHAI, DaySpec, WorkTable

FIRST, LAST = date(2023, 1, 1), date(2026, 12, 31)
is_working = chinese_is_working()


def _table() -> WorkTable:
    days, day = [], FIRST
    while day <= LAST:
        days.append(DaySpec(day, is_working(day)))
        day += timedelta(days=1)
    return WorkTable(days)


TABLE = _table()
T0 = int(datetime(2023, 1, 1, tzinfo=SHANGHAI).timestamp())
T1 = int(datetime(2026, 9, 1, tzinfo=SHANGHAI).timestamp())  # leaves room for the longest budgets

instants = st.integers(min_value=T0, max_value=T1)
budgets = st.integers(min_value=0, max_value=60).map(lambda half_days: half_days / 2)
relaxed = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pauses_after(start: int):
    """Up to three closed pauses after start, sorted and not overlapping."""
    return st.lists(st.integers(min_value=0, max_value=30 * 86400), min_size=0, max_size=6).map(
        lambda offsets: [
            (start + a, start + b) for a, b in zip(sorted(offsets)[::2], sorted(offsets)[1::2], strict=False)
        ]
    )


@relaxed
@given(start=instants, days=budgets)
def test_deadline_matches_the_day_loop(start, days):
    budget = TABLE.budget_for(start, days)
    expected = day_loop_deadline(start, int(days * 420 * 60), is_working)
    assert TABLE.deadline_ts(start, budget) == expected


@relaxed
@given(start=instants, end_offset=st.integers(min_value=0, max_value=40 * 86400))
def test_elapsed_matches_the_day_loop(start, end_offset):
    assert TABLE.elapsed_ts(start, start + end_offset) == day_loop_elapsed(start, start + end_offset, is_working)


@relaxed
@given(
    start=instants,
    days=budgets,
    later=st.integers(min_value=0, max_value=10 * 86400),
    more=st.integers(0, 10),
)
def test_deadline_is_monotone_in_start_and_budget(start, days, later, more):
    base = TABLE.deadline_ts(start, TABLE.budget_for(start, days))
    assert TABLE.deadline_ts(start + later, TABLE.budget_for(start + later, days)) >= base
    if days > 0:
        assert TABLE.deadline_ts(start, TABLE.budget_for(start, days + more / 2)) >= base
    else:
        # A 0-day limit (I3) means "by the end of that working day", which can be later than half a
        # day from a morning start, but never later than a whole day.
        assert TABLE.deadline_ts(start, TABLE.budget_for(start, 1 + more / 2)) >= base


@relaxed
@given(data=st.data(), start=instants, days=budgets.filter(lambda d: d > 0))
def test_elapsed_until_the_deadline_is_the_budget(data, start, days):
    pauses = data.draw(pauses_after(start))
    budget = TABLE.budget_for(start, days)
    end = TABLE.deadline_ts(start, budget, pauses)
    assert TABLE.elapsed_ts(start, end, pauses) == budget
    # ... and one second earlier it was not yet used up (the deadline is the earliest such instant).
    assert TABLE.elapsed_ts(start, end - 1, pauses) < budget


@relaxed
@given(data=st.data(), start=instants, days=budgets)
def test_inlined_scalar_path_equals_the_composed_one(data, start, days):
    pauses = data.draw(pauses_after(start))
    composed = TABLE.deadline_ts(start, TABLE.budget_for(start, days), TABLE.normalize_pauses(start, pauses))
    assert TABLE.deadline_days_ts(start, days, pauses) == composed


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_scalar_equals_batch(seed):
    rng = np.random.default_rng(seed)
    n = 200
    starts = rng.integers(T0, T1, n)
    days = rng.integers(0, 61, n) / 2
    ps = np.sort(rng.integers(0, 20 * 86400, (n, 2)), axis=1) + starts[:, None]
    pe = ps + rng.integers(0, 3 * 86400, (n, 2))
    pe[:, 0] = np.minimum(pe[:, 0], ps[:, 1])
    # Some rows without pauses, padded with zero-length ones as the batch path expects.
    none = rng.random(n) < 0.4
    ps[none] = starts[none, None]
    pe[none] = starts[none, None]
    deadlines, provisional = TABLE.deadlines_batch(starts, days, ps, pe)
    for i in range(n):
        pauses = [(int(ps[i, k]), int(pe[i, k])) for k in range(2)]
        s = int(starts[i])
        assert TABLE.deadline_days_ts(s, float(days[i]), pauses) == deadlines[i]
        assert TABLE.is_provisional(s, int(deadlines[i])) == provisional[i]


def test_bucket_index_fallback_equals_searchsorted():
    from yekuo.workcal.engine import _BucketIndex

    values = np.cumsum(np.random.default_rng(0).integers(100, 5000, 1000)).astype(np.int64)
    fast = _BucketIndex(values, 0, 100)
    slow = _BucketIndex(values, 0, 10)  # too narrow: falls back to searchsorted
    assert fast.enabled and not slow.enabled
    x = np.random.default_rng(1).integers(-50, int(values[-1]), 10000)
    assert (fast.last_le(x) == np.searchsorted(values, x, side="right") - 1).all()
    assert (fast.first_ge(x) == np.searchsorted(values, x, side="left")).all()
    assert (slow.last_le(x) == fast.last_le(x)).all()


@pytest.mark.parametrize("blocks_minutes", [420, 480])
def test_budget_follows_the_schedule_day_length(blocks_minutes):
    from datetime import time

    blocks = ((time(8, 0), time(12, 0)), (time(13, 0), time(16, 0) if blocks_minutes == 420 else time(17, 0)))
    days = [
        DaySpec(date(2026, 3, 2) + timedelta(days=i), i % 7 < 5, False, blocks, blocks_minutes * 60) for i in range(14)
    ]
    table = WorkTable(days)
    start = int(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI).timestamp())
    assert table.budget_for(start, 1) == blocks_minutes * 60
    end = table.deadline_ts(start, table.budget_for(start, 1))
    assert table.local(end) == datetime(2026, 3, 2, 16 if blocks_minutes == 420 else 17, 0, tzinfo=SHANGHAI)


def test_day_seconds_batch_equals_the_scalar_one_and_follows_the_schedule():
    from datetime import time

    rng = np.random.default_rng(2)
    x = np.concatenate([rng.integers(T0 - 86400, T1, 5000), TABLE.a_ends[:50], TABLE.a_starts[:50]])
    assert TABLE.day_seconds_batch(x).tolist() == [TABLE.day_seconds_at(int(t)) for t in x]
    # Two schedules of different lengths: each instant takes the one where counting from it starts.
    short = ((time(8, 0), time(12, 0)), (time(13, 0), time(16, 0)))
    days = [DaySpec(date(2026, 3, 2) + timedelta(days=i), i % 7 < 5, False, short, 420 * 60) for i in range(7)]
    long = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0)))
    days += [DaySpec(date(2026, 3, 9) + timedelta(days=i), i % 7 < 5, False, long, 480 * 60) for i in range(7)]
    table = WorkTable(days)
    friday_evening = int(datetime(2026, 3, 6, 18, 0, tzinfo=SHANGHAI).timestamp())
    monday = int(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI).timestamp())
    assert table.day_seconds_batch(np.array([monday, friday_evening])).tolist() == [
        table.day_seconds_at(monday),
        table.day_seconds_at(friday_evening),
    ]
    assert (table.day_seconds_at(monday), table.day_seconds_at(friday_evening)) == (420 * 60, 480 * 60)
