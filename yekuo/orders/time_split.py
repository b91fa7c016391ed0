"""Whose time an order's time was: the utility's or the customer's (REQUIREMENTS I9, I5, R12).

I9: the utility's time is the working time during which at least one of the order's clocks runs (started,
not paused, not yet stopped); the customer's time is the rest of the working time from receipt to
energization: the suspensions (I5), and the waits for the customer's own events when no clock runs (the
design documents, the inspection request, the customer-side works: on a 10 kV order nothing of the
utility's runs between the grid works' completion and `customer.works_completed`). An order not closed yet
is measured up to `now`, and says so (`ongoing`); a cancelled one up to its cancellation.

One pure function, `split_time`, over the clocks and suspensions of either the projection
(`yekuo.orders.projection.OrderState`, see `split_state`) or the stored rows (`selectors.time_split`), in
working seconds of the clock engine (`WorkTable.w`); the order page, the API, the Excel export and the
monthly indicators all read it from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from yekuo.workcal.engine import WorkTable, to_epoch

Span = tuple[int, int]


@dataclass(frozen=True)
class TimeSplit:
    """An order's working time from receipt to energization (or `until`), split by who held it (I9)."""

    utility_seconds: int
    customer_seconds: int  # suspended_seconds + the waits for the customer's events
    suspended_seconds: int
    day_seconds: int  # of the working day where counting starts: the unit of the *_days figures
    calendar_seconds: int  # wall-clock time from the application (order creation) to `until`
    until: datetime  # energization, cancellation, or the instant measured at while the order is open
    ongoing: bool  # the order is still open: the figures are "so far"

    @property
    def waiting_seconds(self) -> int:
        """Customer time outside suspensions: no clock ran while the utility waited for the customer."""
        return self.customer_seconds - self.suspended_seconds

    def _days(self, seconds: int) -> float:
        return round(seconds / self.day_seconds, 2)

    @property
    def utility_days(self) -> float:
        return self._days(self.utility_seconds)

    @property
    def customer_days(self) -> float:
        return self._days(self.customer_seconds)

    @property
    def suspended_days(self) -> float:
        return self._days(self.suspended_seconds)

    @property
    def waiting_days(self) -> float:
        return self._days(self.waiting_seconds)

    @property
    def calendar_days(self) -> float:
        """Calendar (natural) days from the application, to two decimals: 1.5 is a day and twelve hours."""
        return round(self.calendar_seconds / 86400, 2)


def _instant(value: datetime | str | int | None) -> int | None:
    """Epoch seconds of a projection's datetime or a stored row's ISO string (Clock.pauses is JSON), or epoch
    seconds already (the monthly indicators read them so from the database)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_epoch(value)


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for begin, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _working(table: WorkTable, spans: Iterable[Span]) -> int:
    return sum(table.w(end) - table.w(begin) for begin, end in _merge(spans))


def running_spans(clock, begin: int, end: int) -> list[Span]:
    """When one clock ran, within [begin, end]: from its start to its stop (or `end`), less its pauses.
    A cancelled clock is held by a pause left open at the cancellation, so it stops there too."""
    start = _instant(clock.started_at)
    if start is None:
        return []
    stop = _instant(clock.completed_at)
    cursor, last = max(start, begin), min(end if stop is None else stop, end)
    spans = []
    for pause_begin, pause_end in sorted((_instant(b), _instant(e)) for b, e in clock.pauses):
        pause_end = last if pause_end is None else min(pause_end, last)
        if pause_begin > cursor:
            spans.append((cursor, min(pause_begin, last)))
        cursor = max(cursor, pause_end)
        if cursor >= last:
            break
    spans.append((cursor, last))
    return [s for s in spans if s[1] > s[0]]


def split_time(
    *,
    applied_at: datetime,
    received_at: datetime | None,
    closed_at: datetime | None,
    clocks: Iterable,
    suspensions: Iterable,
    table: WorkTable,
    now: datetime,
) -> TimeSplit:
    """The split of I9. `clocks`: objects with started_at, completed_at and pauses ([begin, end | None],
    datetimes or ISO strings); `suspensions`: objects with started_at and ended_at. `now`: the instant an
    open order is measured at (ignored once it is closed)."""
    until = closed_at or now
    end = _instant(until)
    calendar = max(0, end - _instant(applied_at))
    if received_at is None:  # nobody's time yet: the clocks count from receipt
        return TimeSplit(0, 0, 0, table.day_seconds_at(_instant(applied_at)), calendar, until, closed_at is None)
    begin = _instant(received_at)
    end = max(begin, end)
    total = table.w(end) - table.w(begin)
    utility = _working(table, (span for clock in clocks for span in running_spans(clock, begin, end)))
    suspended = _working(
        table,
        (
            (max(begin, _instant(s.started_at)), min(end, _instant(s.ended_at) if s.ended_at else end))
            for s in suspensions
            # One awaiting review, or rejected, paused no clock (I5): the utility's time, not the customer's.
            if getattr(s, "review", "") in ("", "approved")
        ),
    )
    return TimeSplit(
        utility_seconds=utility,
        customer_seconds=total - utility,
        suspended_seconds=suspended,
        day_seconds=table.day_seconds_at(begin),
        calendar_seconds=calendar,
        until=until,
        ongoing=closed_at is None,
    )


def split_state(state, applied_at: datetime, table: WorkTable, now: datetime | None = None) -> TimeSplit:
    """The split of a projected `OrderState` (replay, what-ifs): measured at `now`, default its last event."""
    return split_time(
        applied_at=applied_at,
        received_at=state.received_at,
        closed_at=state.closed_at,
        clocks=state.clocks.values(),
        suspensions=state.suspensions,
        table=table,
        now=now or state.last_event_at or applied_at,
    )
