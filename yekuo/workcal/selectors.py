"""Reads of the working calendar, and the work table the clock engine runs on."""

import threading
from datetime import date

from yekuo.common.errors import InvalidInput
from yekuo.common.memo import remembered
from yekuo.workcal.engine import DaySpec, WorkTable
from yekuo.workcal.models import CalendarDay, CalendarRevision, CalendarYear, OfficeHours
from yekuo.workcal.office_hours import DEFAULT_SEASONS, parse_seasons, season_for

_tables: dict[str, tuple[str, WorkTable]] = {}
_lock = threading.Lock()


@remembered
def calendar_revision() -> str:
    return CalendarRevision.objects.filter(id=1).values_list("token", flat=True).first() or ""


def _schedules(company: str) -> list[tuple[date, list]]:
    rows = list(OfficeHours.objects.filter(company=company).order_by("effective_from"))
    if not rows and company != "default":
        rows = list(OfficeHours.objects.filter(company="default").order_by("effective_from"))
    parsed = [(row.effective_from, parse_seasons(row.seasons)) for row in rows]
    if not parsed or parsed[0][0] > date(1990, 1, 1):
        parsed.insert(0, (date(1990, 1, 1), parse_seasons(DEFAULT_SEASONS)))
    return parsed


def build_work_table(company: str = "default") -> WorkTable:
    days = list(CalendarDay.objects.order_by("date").values_list("date", "working", "provisional"))
    if not days:
        raise InvalidInput("the working calendar is empty; run `yekuo calendar seed` first", code="calendar_empty")
    schedules = _schedules(company)
    specs = []
    k = 0
    cache: dict = {}
    for day, working, provisional in days:
        while k + 1 < len(schedules) and schedules[k + 1][0] <= day:
            k += 1
        season = season_for(schedules[k][1], day)
        key = (k, season.name)
        if key not in cache:
            cache[key] = (season.blocks, season.seconds)
        blocks, seconds = cache[key]
        specs.append(DaySpec(day, working, provisional, blocks, seconds))
    return WorkTable(specs)


def work_table(company: str = "default", revision: str | None = None) -> WorkTable:
    """The cached work table of a company, rebuilt when the calendar revision moves.

    `revision`: the calendar revision token when the caller has read it already (with the order it locks).
    """
    revision = calendar_revision() if revision is None else revision
    cached = _tables.get(company)
    if cached and cached[0] == revision:
        return cached[1]
    with _lock:
        cached = _tables.get(company)
        if cached and cached[0] == revision:
            return cached[1]
        table = build_work_table(company)
        _tables[company] = (revision, table)
        return table


def year_summary(year: int) -> dict:
    """A year's holidays (grouped into periods) and make-up days, as `yekuo calendar show` prints them."""
    info = CalendarYear.objects.filter(year=year).first()
    if info is None:
        loaded = list(CalendarYear.objects.values_list("year", flat=True))
        span = f"{loaded[0]}–{loaded[-1]}" if loaded else "none"
        raise InvalidInput(
            f"{year} is not in the calendar (loaded years: {span})", code="out_of_calendar", field="year"
        )
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    periods: list[dict] = []
    makeup = []
    previous = None
    for day in days:
        if day.kind == "holiday":
            if periods and previous and previous.kind == "holiday" and periods[-1]["name"] == day.holiday_name:
                periods[-1]["to"] = day.date.isoformat()
                periods[-1]["days"] += 1
            else:
                periods.append(
                    {
                        "name": day.holiday_name,
                        "from": day.date.isoformat(),
                        "to": day.date.isoformat(),
                        "days": 1,
                    }
                )
        elif day.kind == "makeup":
            makeup.append({"date": day.date.isoformat(), "weekday": day.date.strftime("%A")})
        previous = day
    working = sum(1 for d in days if d.working)
    return {
        "year": year,
        "provisional": info.provisional,
        "source": info.source,
        "document": info.document,
        "working_days": working,
        "holidays": periods,
        "makeup_days": makeup,
    }
