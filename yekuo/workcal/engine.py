"""The clock engine: working time over the official calendar. Pure functions, no database.

Implements REQUIREMENTS I3 (a limit of 0 ends with the office hours of the day counting starts), I4
(clocks count working minutes of office hours; a start outside them counts from the next working minute;
N working days = N x the day's working minutes) and I7 (a result that touches a provisional day says so),
and the pause crediting of I5 (a suspension is credited in working time, never wall-clock time).

Time is a running total of working seconds. A `WorkTable` holds one segment per office-hours block of
every working day; W(t) is the working seconds from the table's origin to instant t (piecewise linear,
found by binary search) and W⁻¹(x) is the earliest instant at which W reaches x. Then

    deadline(start, budget, pauses) = W⁻¹(W(start) + budget + credited pauses)
    elapsed(start, end, pauses)     = W(end) − W(start) − credited pauses

Instants are integer epoch seconds inside the engine, so the scalar path (bisect over lists) and the batch
path (numpy searchsorted) do the same integer arithmetic and always agree exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np

from yekuo.common.errors import InvalidInput, OutOfCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_BLOCKS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))


@dataclass(frozen=True)
class DaySpec:
    """One calendar day as the engine sees it."""

    date: date
    working: bool
    provisional: bool = False
    blocks: tuple[tuple[time, time], ...] = DEFAULT_BLOCKS
    # Nominal working seconds of a working day under the schedule in force (a budget of N days is
    # N x this). Equal to the blocks' total on working days; kept separately so that a non-working
    # day still knows the schedule's nominal day.
    day_seconds: int = 420 * 60


@dataclass(frozen=True)
class Deadline:
    at: datetime | None  # None while an open pause holds the clock
    provisional: bool
    budget_seconds: int

    @property
    def budget_minutes(self) -> float:
        return self.budget_seconds / 60


@dataclass(frozen=True)
class Elapsed:
    working_seconds: int
    day_seconds: int
    provisional: bool

    @property
    def working_minutes(self) -> float:
        return self.working_seconds / 60

    @property
    def working_days(self) -> float:
        return self.working_seconds / self.day_seconds


@dataclass(frozen=True)
class Threshold:
    """When to warn (R9): after a fraction of the budget is used, or when little is left.

    With both set, the warning comes at whichever is reached first.
    """

    used_fraction: float | None = 0.75
    remaining_seconds: int | None = None

    def warn_budget(self, budget: int) -> int:
        candidates = [budget]
        if self.used_fraction is not None:
            candidates.append(int(budget * self.used_fraction))
        if self.remaining_seconds is not None:
            candidates.append(budget - self.remaining_seconds)
        return max(0, min(candidates))


Pause = tuple[datetime, datetime | None]


def to_epoch(value: datetime, name: str = "time") -> int:
    """Aware datetime → epoch seconds; a naive time is refused, never guessed."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, got {type(value).__name__}", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} {value.isoformat()} has no UTC offset; give one, e.g. +08:00", field=name)
    return int(value.timestamp() // 1)


def budget_seconds(days: float | int | Decimal | str, day_seconds: int) -> int:
    """A limit in working days (0.5 precision, REQUIREMENTS R8) → working seconds of budget."""
    try:
        value = Decimal(str(days))
    except ArithmeticError:
        raise InvalidInput(f"limit {days!r} is not a number", field="days") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"limit {days} must be zero or a positive number of working days", field="days")
    if (value * 2) % 1 != 0:
        raise InvalidInput(f"limit {days} must be a multiple of 0.5 working days", field="days")
    return int(value * 2) * day_seconds // 2


class WorkTable:
    """Working segments of a contiguous run of calendar days, and the operations over them."""

    def __init__(self, days: Iterable[DaySpec], tz: ZoneInfo = SHANGHAI):
        days = sorted(days, key=lambda d: d.date)
        if not days:
            raise InvalidInput("a work table needs at least one calendar day")
        for before, after in pairwise(days):
            if after.date != before.date + timedelta(days=1):
                raise InvalidInput(f"calendar days must be contiguous: {before.date} is followed by {after.date}")
        self.tz = tz
        self.first_date = days[0].date
        self.last_date = days[-1].date

        starts, ends, cum, day_end, day_secs = [], [], [], [], []
        day_starts, prov_prefix = [], [0]
        total = 0
        for day in days:
            midnight = int(datetime.combine(day.date, time(0), tz).timestamp())
            day_starts.append(midnight)
            prov_prefix.append(prov_prefix[-1] + (1 if day.provisional else 0))
            if not day.working:
                continue
            first_segment = len(starts)
            for begin, end in day.blocks:
                s = int(datetime.combine(day.date, begin, tz).timestamp())
                e = int(datetime.combine(day.date, end, tz).timestamp()) if end != time(0) else midnight + 86400
                if e <= s:
                    raise InvalidInput(f"office hours block {begin}-{end} on {day.date} is empty or reversed")
                if starts and s < ends[-1]:
                    raise InvalidInput(f"office hours blocks overlap on {day.date}")
                starts.append(s)
                ends.append(e)
                cum.append(total)
                total += e - s
                day_secs.append(day.day_seconds)
            day_end.extend([ends[-1]] * (len(starts) - first_segment))
        if not starts:
            raise InvalidInput("the calendar has no working time at all")
        self.t_min = day_starts[0]
        self.t_max = int(datetime.combine(self.last_date + timedelta(days=1), time(0), tz).timestamp())
        day_starts_after = [*day_starts, self.t_max]

        # Lists for the scalar path (bisect on lists beats numpy for one value at a time) ...
        self._starts, self._ends, self._cum = starts, ends, cum
        self._cum_end = [c + (e - s) for c, s, e in zip(cum, starts, ends, strict=True)]
        self._day_end, self._day_secs = day_end, day_secs
        self._day_starts, self._prov = day_starts_after, prov_prefix
        self._default_day_seconds = days[0].day_seconds
        # ... and the same numbers as arrays for the batch path.
        self.a_starts = np.array(starts, dtype=np.int64)
        self.a_ends = np.array(ends, dtype=np.int64)
        self.a_cum = np.array(cum, dtype=np.int64)
        self.a_len = self.a_ends - self.a_starts
        self.a_cum_end = np.array(self._cum_end, dtype=np.int64)
        self.a_day_end = np.array(day_end, dtype=np.int64)
        self.a_day_secs = np.array(day_secs, dtype=np.int64)
        self.a_day_starts = np.array(day_starts_after, dtype=np.int64)
        self.a_prov = np.array(prov_prefix, dtype=np.int64)
        width = int(self.a_len.min())
        self._ix_starts = _BucketIndex(self.a_starts, self.t_min, width)
        self._ix_ends = _BucketIndex(self.a_ends, self.t_min, width)
        self._ix_cum_end = _BucketIndex(self.a_cum_end, 0, width)
        self._ix_days = _BucketIndex(self.a_day_starts, self.t_min, 23 * 3600)

    # ----------------------------------------------------------------------------- scalar, epoch seconds
    def _check(self, t: int, what: str = "time") -> None:
        if t < self.t_min or t >= self.t_max:
            raise OutOfCalendar(
                f"{what} {self.local(t).isoformat()} is outside the loaded calendar "
                f"({self.first_date} to {self.last_date}); load that year's schedule first",
                field=what,
            )

    def w(self, t: int) -> int:
        """Working seconds from the table's origin to instant t."""
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0
        s, e = self._starts[i], self._ends[i]
        return self._cum[i] + (t - s if t < e else e - s)

    def w_inv(self, x: int) -> int:
        """The earliest instant at which W reaches x (so a budget used up at 12:00 ends at 12:00)."""
        j = bisect_left(self._cum_end, x)
        if j >= len(self._starts):
            raise OutOfCalendar(
                f"the deadline falls after the last loaded calendar day {self.last_date}; "
                "load the next year's schedule or provisional calendar",
                field="deadline",
            )
        return self._starts[j] + x - self._cum[j]

    def _first_segment(self, t: int) -> int:
        """Index of the segment in which counting from t starts: the next working minute (I4)."""
        j = bisect_right(self._ends, t)
        if j >= len(self._starts):
            raise OutOfCalendar(f"no working time after {self.local(t).isoformat()} in the loaded calendar")
        return j

    def day_seconds_at(self, t: int) -> int:
        """Nominal working seconds of a day, under the schedule in force where counting from t starts."""
        return self._day_secs[self._first_segment(t)]

    def budget_for(self, start: int, days) -> int:
        """Working seconds of a limit of `days` counted from start; 0 means 'done the same day' (I3)."""
        j = self._first_segment(start)
        budget = budget_seconds(days, self._day_secs[j])
        if budget == 0:
            return self.w(self._day_end[j]) - self.w(start)
        return budget

    def is_provisional(self, a: int, b: int) -> bool:
        da = bisect_right(self._day_starts, a) - 1
        db = bisect_right(self._day_starts, b) - 1
        return self._prov[min(db, len(self._prov) - 2) + 1] - self._prov[max(da, 0)] > 0

    def normalize_pauses(self, start: int, pauses: Iterable[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
        """Sort, clip to the clock's start, and merge overlapping pauses; an open pause ends the list."""
        spans = []
        for ps, pe in pauses:
            if pe is not None and pe < ps:
                raise InvalidInput("a pause ends before it begins", field="paused")
            self._check(ps, "pause start")
            if pe is not None:
                self._check(pe, "pause end")
            spans.append((max(ps, start), None if pe is None else max(pe, start)))
        spans.sort(key=lambda span: span[0])
        merged: list[tuple[int, int | None]] = []
        for ps, pe in spans:
            if merged and (merged[-1][1] is None or ps <= merged[-1][1]):
                last_s, last_e = merged[-1]
                merged[-1] = (last_s, None if last_e is None or pe is None else max(last_e, pe))
            else:
                merged.append((ps, pe))
        return merged

    def deadline_ts(self, start: int, budget: int, pauses: Sequence[tuple[int, int | None]] = ()) -> int | None:
        """Deadline for a budget in working seconds; pauses must be normalised. None while paused open."""
        target = self.w(start) + budget
        for ps, pe in pauses:
            wps = self.w(ps)
            if wps >= target:
                break  # the budget was used up before this pause began
            if pe is None:
                return None
            target += self.w(pe) - wps
        return self.w_inv(target)

    def deadline_days_ts(self, start: int, days, pauses: Sequence[tuple[int, int | None]] = ()) -> int | None:
        """deadline_ts(start, budget_for(start, days), normalize_pauses(start, pauses)), inlined.

        This is the scalar hot path (one clock recomputed on every order event), so the look-ups are
        written out instead of calling w(); tests hold it equal to the composed form and to the batch.
        """
        if not self.t_min <= start < self.t_max:
            self._check(start, "start")
        starts, ends, cum = self._starts, self._ends, self._cum
        j = bisect_right(ends, start)
        if j >= len(starts):
            self._first_segment(start)  # raises OutOfCalendar
        if type(days) is float or type(days) is int:
            doubled = days * 2
            if days < 0 or doubled != int(doubled):
                budget_seconds(days, 1)  # raises the right InvalidInput
            budget = int(doubled) * self._day_secs[j] // 2
        else:
            budget = budget_seconds(days, self._day_secs[j])
        # j is the first segment ending after start; start is inside it or in the gap before it.
        w_start = cum[j] + (start - starts[j] if start > starts[j] else 0)
        if budget == 0:
            budget = self.w(self._day_end[j]) - w_start
        target = w_start + budget
        if pauses:
            last_end = start
            for ps, pe in pauses:
                if ps < last_end or (pe is not None and pe < ps):
                    # Unsorted, overlapping or reversed: take the careful path.
                    return self.deadline_ts(start, budget, self.normalize_pauses(start, pauses))
                if not self.t_min <= ps < self.t_max or (pe is not None and not self.t_min <= pe < self.t_max):
                    self.normalize_pauses(start, pauses)  # raises OutOfCalendar
                i = bisect_right(starts, ps) - 1
                wps = 0 if i < 0 else cum[i] + min(ps - starts[i], ends[i] - starts[i])
                if wps >= target:
                    break
                if pe is None:
                    return None
                i = bisect_right(starts, pe) - 1
                target += (0 if i < 0 else cum[i] + min(pe - starts[i], ends[i] - starts[i])) - wps
                last_end = pe
        k = bisect_left(self._cum_end, target)
        if k >= len(starts):
            return self.w_inv(target)  # raises OutOfCalendar
        return starts[k] + target - cum[k]

    def elapsed_ts(self, start: int, end: int, pauses: Sequence[tuple[int, int | None]] = ()) -> int:
        """Working seconds between start and end, less the working time of the pauses."""
        used = self.w(end) - self.w(start)
        for ps, pe in pauses:
            if ps >= end:
                break
            used -= self.w(end if pe is None or pe > end else pe) - self.w(ps)
        return used

    # ----------------------------------------------------------------------------- scalar, datetimes
    def local(self, t: int) -> datetime:
        return datetime.fromtimestamp(t, self.tz)

    def _pauses(self, start: int, paused: Iterable[Pause]) -> list[tuple[int, int | None]]:
        return self.normalize_pauses(
            start,
            [(to_epoch(ps, "pause start"), None if pe is None else to_epoch(pe, "pause end")) for ps, pe in paused],
        )

    def deadline(self, start: datetime, days, paused: Iterable[Pause] = ()) -> Deadline:
        s = to_epoch(start, "start")
        self._check(s, "start")
        budget = self.budget_for(s, days)
        pauses = self._pauses(s, paused)
        end = self.deadline_ts(s, budget, pauses)
        if end is None:
            last = max(ps for ps, _ in pauses)
            return Deadline(None, self.is_provisional(s, last), budget)
        return Deadline(self.local(end), self.is_provisional(s, end), budget)

    def warn_at(self, start: datetime, days, paused: Iterable[Pause] = (), threshold: Threshold = Threshold()):
        """When the warning of R9 falls due: the deadline of the threshold's share of the budget."""
        s = to_epoch(start, "start")
        self._check(s, "start")
        budget = threshold.warn_budget(self.budget_for(s, days))
        end = self.deadline_ts(s, budget, self._pauses(s, paused))
        return None if end is None else self.local(end)

    def elapsed(self, start: datetime, end: datetime, paused: Iterable[Pause] = ()) -> Elapsed:
        s, e = to_epoch(start, "start"), to_epoch(end, "end")
        if e < s:
            raise InvalidInput(f"end {end.isoformat()} is before start {start.isoformat()}", field="end")
        self._check(s, "start")
        self._check(e, "end")
        used = self.elapsed_ts(s, e, self._pauses(s, paused))
        return Elapsed(used, self.day_seconds_at(s), self.is_provisional(s, e))

    def remaining(self, start: datetime, days, now: datetime, paused: Iterable[Pause] = ()) -> int:
        """Working seconds left at `now` (negative once overdue)."""
        s, n = to_epoch(start, "start"), to_epoch(now, "now")
        self._check(s, "start")
        self._check(n, "now")
        return self.budget_for(s, days) - self.elapsed_ts(s, max(s, n), self._pauses(s, paused))

    # ----------------------------------------------------------------------------- batch, numpy
    def w_batch(self, t: np.ndarray) -> np.ndarray:
        i = self._ix_starts.last_le(t)
        ic = np.maximum(i, 0)
        inside = np.minimum(t - self.a_starts[ic], self.a_len[ic])
        return np.where(i < 0, 0, self.a_cum[ic] + inside)

    def day_seconds_batch(self, t: np.ndarray) -> np.ndarray:
        """`day_seconds_at` of many instants (the same bisection, by numpy)."""
        j = np.searchsorted(self.a_ends, t, side="right")
        if j.size and j.max() >= len(self._starts):
            raise OutOfCalendar("no working time after an instant in the loaded calendar")
        return self.a_day_secs[j]

    def w_inv_batch(self, x: np.ndarray) -> np.ndarray:
        if x.size and x.max() > self.a_cum_end[-1]:
            raise OutOfCalendar(f"a deadline falls after the last loaded calendar day {self.last_date}")
        j = self._ix_cum_end.first_ge(x)
        return self.a_starts[j] + (x - self.a_cum[j])

    def deadlines_batch(
        self,
        starts: np.ndarray,
        days: np.ndarray,
        pause_starts: np.ndarray | None = None,
        pause_ends: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Deadlines (epoch seconds) and provisional flags for many clocks at once.

        `pause_starts`/`pause_ends` are (n, k) arrays of closed pauses, each row sorted and
        non-overlapping; pad unused columns with a zero-length pause (start == end).
        """
        starts = np.asarray(starts, dtype=np.int64)
        days = np.asarray(days, dtype=np.float64)
        if starts.size == 0:
            return starts.copy(), np.zeros(0, dtype=bool)
        if starts.min() < self.t_min or starts.max() >= self.t_max:
            raise OutOfCalendar("a start is outside the loaded calendar")
        doubled = days * 2
        if np.any(days < 0) or np.any(doubled != np.floor(doubled)):
            raise InvalidInput("limits must be zero or positive multiples of 0.5 working days", field="days")
        j = self._ix_ends.last_le(starts) + 1
        if j.max() >= len(self._starts):
            raise OutOfCalendar("no working time after a start in the loaded calendar")
        w_start = self.w_batch(starts)
        budget = doubled.astype(np.int64) * self.a_day_secs[j] // 2
        zero = budget == 0
        if zero.any():  # I3: a 0-day limit ends with that day's office hours
            budget = np.where(zero, self.w_batch(self.a_day_end[j]) - w_start, budget)
        target = w_start + budget
        if pause_starts is not None:
            ps = np.maximum(np.asarray(pause_starts, dtype=np.int64), starts[:, None])
            pe = np.maximum(np.asarray(pause_ends, dtype=np.int64), ps)
            wps, wpe = self.w_batch(ps), self.w_batch(pe)
            for k in range(ps.shape[1]):
                target += np.where(wps[:, k] < target, wpe[:, k] - wps[:, k], 0)
        deadline = self.w_inv_batch(target)
        da = self._ix_days.last_le(starts)
        db = self._ix_days.last_le(deadline)
        provisional = self.a_prov[db + 1] - self.a_prov[da] > 0
        return deadline, provisional


class _BucketIndex:
    """searchsorted over a strictly increasing array in O(1), for the batch path.

    Random needles make numpy's binary search miss the cache on every step; it was 70 % of the batch
    time. When consecutive values are at least `width` apart, a bucket of that width holds at most one
    value, so the answer is the bucket's precomputed candidate or the one after it. Falls back to
    searchsorted when the buckets would not fit in a few megabytes (very short office-hours blocks).
    """

    MAX_BUCKETS = 4_000_000

    def __init__(self, values: np.ndarray, origin: int, width: int):
        self.values, self.origin, self.width = values, origin, max(int(width), 1)
        span = int(values[-1]) - origin if len(values) else 0
        self.enabled = len(values) > 0 and 0 <= span // self.width < self.MAX_BUCKETS and width >= 60
        if not self.enabled:
            return
        edges = origin + np.arange(span // self.width + 2, dtype=np.int64) * self.width
        self._le = np.searchsorted(values, edges, side="right") - 1
        self._ge = np.searchsorted(values, edges, side="left")
        self._pad = np.append(values, np.iinfo(np.int64).max)
        self._last = len(edges) - 1

    def _bucket(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum((x - self.origin) // self.width, 0), self._last)

    def last_le(self, x: np.ndarray) -> np.ndarray:
        """Index of the last value <= x (-1 when none): searchsorted(side="right") - 1."""
        if not self.enabled:
            return np.searchsorted(self.values, x, side="right") - 1
        i0 = self._le[self._bucket(x)]
        return i0 + (self._pad[i0 + 1] <= x)

    def first_ge(self, x: np.ndarray) -> np.ndarray:
        """Index of the first value >= x: searchsorted(side="left")."""
        if not self.enabled:
            return np.searchsorted(self.values, x, side="left")
        j0 = self._ge[self._bucket(x)]
        return j0 + (self._pad[j0] < x)
