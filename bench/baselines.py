"""Baselines the clock engine is measured against, and an independent oracle for its tests.

`day_loop_deadline` is what a deadline computation usually looks like in practice: walk forward day by
day, asking the calendar whether each day is a working day and spending the budget block by block. It
shares no code with the engine (no running totals, no binary search), which is what makes it a useful
oracle in the property tests.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
BLOCKS = ((8 * 3600 + 30 * 60, 12 * 3600), (14 * 3600 + 30 * 60, 18 * 3600))
DAY_SECONDS = sum(e - b for b, e in BLOCKS)


def day_loop_deadline(start: int, budget: int, is_working, tz=SHANGHAI) -> int:
    """Earliest instant (epoch seconds) at which `budget` working seconds counted from `start` are used.

    A budget of 0 means: the end of office hours of the working day in which counting starts (I3).
    """
    local = datetime.fromtimestamp(start, tz)
    day = local.date()
    zero = budget == 0
    while True:
        if is_working(day):
            midnight = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
            for begin, end in BLOCKS:
                b, e = midnight + begin, midnight + end
                if e <= start:
                    continue
                s = max(b, start)
                if zero:
                    return midnight + BLOCKS[-1][1]
                if e - s >= budget:
                    return s + budget
                budget -= e - s
        day += timedelta(days=1)


def day_loop_elapsed(start: int, end: int, is_working, tz=SHANGHAI) -> int:
    """Working seconds between two instants, day by day."""
    total = 0
    day = datetime.fromtimestamp(start, tz).date()
    last = datetime.fromtimestamp(end, tz).date()
    while day <= last:
        if is_working(day):
            midnight = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
            for begin, stop in BLOCKS:
                s, e = max(midnight + begin, start), min(midnight + stop, end)
                if e > s:
                    total += e - s
        day += timedelta(days=1)
    return total


def chinese_is_working():
    """is_working(day) straight from the chinesecalendar library (official years only)."""
    import chinese_calendar

    cache: dict[date, bool] = {}

    def is_working(day: date) -> bool:
        if day not in cache:
            cache[day] = chinese_calendar.is_workday(day)
        return cache[day]

    return is_working
