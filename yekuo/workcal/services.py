"""Writes to the working calendar: seeding, official schedules, provisional years, office hours.

Every write bumps CalendarRevision in the same transaction and, on commit, sends `calendar_changed` so
that open clocks are recomputed (REQUIREMENTS I7).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yekuo.common.errors import Conflict, InvalidInput
from yekuo.workcal.models import CalendarDay, CalendarRevision, CalendarYear, DayKind, OfficeHours
from yekuo.workcal.office_hours import DEFAULT_SEASONS, parse_seasons
from yekuo.workcal.schedule_file import ScheduleFile, parse_schedule
from yekuo.workcal.signals import calendar_changed

# chinesecalendar names its holidays in English; the UI and the data speak Chinese.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass
class SeedReport:
    official_years: list[int] = field(default_factory=list)
    skipped_years: list[int] = field(default_factory=list)
    provisional_years: list[int] = field(default_factory=list)
    disagreements: list[tuple[date, bool, bool]] = field(default_factory=list)


def _bump_revision(years: list[int]) -> None:
    CalendarRevision.objects.update_or_create(id=1, defaults={"token": uuid.uuid4().hex})
    years = sorted(set(years))
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarYear, years=years))


def _day(day: date, working: bool, name: str, source: str, provisional: bool) -> CalendarDay:
    weekend = day.weekday() >= 5
    if working:
        kind = DayKind.MAKEUP if weekend else DayKind.WEEKDAY
    else:
        kind = DayKind.HOLIDAY if name else DayKind.WEEKEND
    return CalendarDay(date=day, working=working, kind=kind, holiday_name=name, source=source, provisional=provisional)


def _days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _replace_year(year: int, rows: list[CalendarDay], **year_fields) -> None:
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows, batch_size=1000)
    CalendarYear.objects.update_or_create(year=year, defaults=year_fields)


def _library_years() -> tuple[int, int]:
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def _library_source() -> str:
    import chinese_calendar

    return f"chinesecalendar {getattr(chinese_calendar, '__version__', '?')}"


def cross_check(first: date, last: date) -> list[tuple[date, bool, bool]]:
    """Days on which the `holidays` library disagrees with what we loaded: (date, ours, theirs)."""
    import holidays

    other = holidays.China(years=range(first.year, last.year + 1))
    ours = dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "working"))
    return [
        (day, working, other.is_working_day(day))
        for day, working in sorted(ours.items())
        if other.is_working_day(day) != working
    ]


@transaction.atomic
def calendar_seed(first_year: int = 2004) -> SeedReport:
    """Seed official years from chinesecalendar, cross-check them, and fill the provisional years after.

    Idempotent: a year already seeded from the same library version, or loaded from an official
    schedule file, is left alone.
    """
    import chinese_calendar

    report = SeedReport()
    lib_first, lib_last = _library_years()
    source = _library_source()
    existing = {y.year: y for y in CalendarYear.objects.all()}
    changed = []
    for year in range(max(first_year, lib_first), lib_last + 1):
        known = existing.get(year)
        if (
            known
            and not known.provisional
            and (known.source == source or not known.source.startswith("chinesecalendar"))
        ):
            report.skipped_years.append(year)
            continue
        rows = []
        for day in _days_of(year):
            on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            english = getattr(holiday, "value", holiday) if on_holiday and holiday else ""
            name = CHINESE_NAMES.get(english, english or "")
            rows.append(_day(day, chinese_calendar.is_workday(day), name, source, False))
        _replace_year(year, rows, provisional=False, source=source, document="", checksum="")
        report.official_years.append(year)
        changed.append(year)
    if report.official_years:
        report.disagreements = cross_check(
            date(report.official_years[0], 1, 1), date(report.official_years[-1], 12, 31)
        )
    report.provisional_years = _ensure_provisional()
    if not OfficeHours.objects.filter(company="default").exists():
        # The default of I4, in force from the first seeded year so that every past day has hours.
        OfficeHours.objects.create(
            company="default",
            name="默认作息 08:30–12:00, 14:30–18:00",
            effective_from=date(first_year, 1, 1),
            seasons=DEFAULT_SEASONS,
        )
    changed += report.provisional_years
    if changed:
        _bump_revision(changed)
    return report


def _ensure_provisional() -> list[int]:
    """Create rule-based years after the last official one (I7); returns the years created."""
    import holidays

    last_official = CalendarYear.objects.filter(provisional=False).aggregate(m=Max("year"))["m"]
    if last_official is None:
        return []
    through = max(last_official + settings.YEKUO_PROVISIONAL_YEARS, timezone.localdate().year + 1)
    have = set(CalendarYear.objects.filter(year__gt=last_official).values_list("year", flat=True))
    created = []
    for year in range(last_official + 1, through + 1):
        if year in have:
            continue
        rules = holidays.China(years=year, observed=False, language="zh_CN")
        source = f"provisional: rule-based holidays (holidays {holidays.__version__}), no make-up days"
        rows = [
            _day(day, day.weekday() < 5 and day not in rules, rules.get(day, ""), source, True)
            for day in _days_of(year)
        ]
        _replace_year(year, rows, provisional=True, source=source, document="", checksum="")
        created.append(year)
    return created


@transaction.atomic
def calendar_extend() -> list[int]:
    """I7: keep YEKUO_PROVISIONAL_YEARS provisional years ahead of the last official one and of next year,
    so that a clock started in December finds working days in January. Run daily by the worker."""
    created = _ensure_provisional()
    if created:
        _bump_revision(created)
    return created


@dataclass
class LoadResult:
    year: int
    replaced: str  # what the year was before: "provisional", "official", "absent" or "unchanged"
    holidays: int
    workdays: int


def calendar_load(path: str | Path, force: bool = False) -> LoadResult:
    """Load one year's official State Council schedule from a file (REQUIREMENTS I7).

    Replaces a provisional year; an official year is replaced only with force=True. The file is
    parsed and checked completely before anything is written, and the write is one transaction.
    """
    schedule = parse_schedule(path)
    return calendar_apply(schedule, force=force)


@transaction.atomic
def calendar_apply(schedule: ScheduleFile, force: bool = False) -> LoadResult:
    year = schedule.year
    known = CalendarYear.objects.select_for_update().filter(year=year).first()
    if known and not known.provisional:
        if known.checksum == schedule.checksum:
            return LoadResult(year, "unchanged", len(schedule.holidays), len(schedule.workdays))
        if not force:
            raise Conflict(
                f"{year} already has an official schedule ({known.document or known.source}); "
                "pass --force to replace it with this file"
            )
    before = "absent" if not known else ("provisional" if known.provisional else "official")
    source = f"{schedule.document} ({Path(schedule.path).name})"
    rows = []
    for day in _days_of(year):
        if day in schedule.workdays:
            rows.append(_day(day, True, "", source, False))
        elif day in schedule.holidays:
            rows.append(_day(day, False, schedule.holidays[day], source, False))
        else:
            rows.append(_day(day, day.weekday() < 5, "", source, False))
    _replace_year(year, rows, provisional=False, source=source, document=schedule.document, checksum=schedule.checksum)
    # Entries reaching back into December of the year before update those days where they exist.
    for day, name in schedule.holidays.items():
        if day.year < year:
            CalendarDay.objects.filter(date=day).update(
                working=False, kind=DayKind.HOLIDAY, holiday_name=name, source=source
            )
    for day in schedule.workdays:
        if day.year < year:
            CalendarDay.objects.filter(date=day).update(
                working=True, kind=DayKind.MAKEUP, holiday_name="", source=source
            )
    changed = [year, *{d.year for d in (*schedule.holidays, *schedule.workdays) if d.year < year}]
    changed += _ensure_provisional()
    _bump_revision(changed)
    return LoadResult(year, before, len(schedule.holidays), len(schedule.workdays))


@transaction.atomic
def office_hours_create(
    *, company: str = "default", name: str, effective_from: date, seasons, today: date | None = None
) -> OfficeHours:
    """A new office-hours schedule from a future date on (I4). Past results never change, so a
    schedule can only start after today, and an existing one is never edited."""
    today = today or timezone.localdate()
    if effective_from <= today:
        raise InvalidInput(
            f"effective_from {effective_from} must be after today ({today}): a new schedule may not "
            "change working time that has already been counted",
            field="effective_from",
        )
    parse_seasons(seasons)
    if OfficeHours.objects.filter(company=company, effective_from=effective_from).exists():
        raise Conflict(f"{company} already has office hours starting {effective_from}")
    hours = OfficeHours.objects.create(company=company, name=name, effective_from=effective_from, seasons=seasons)
    years = CalendarYear.objects.filter(year__gte=effective_from.year).values_list("year", flat=True)
    _bump_revision(list(years))
    return hours
