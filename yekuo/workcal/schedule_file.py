"""The official-schedule file: one year's State Council holiday arrangement (REQUIREMENTS I7).

Format (UTF-8 text, one entry a line, fields separated by spaces, `#` starts a comment):

    year 2027
    document 国办发明电〔2026〕N号
    source 国务院办公厅关于2027年部分节假日安排的通知
    holiday 2027-01-01 元旦
    holiday 2027-02-05..2027-02-13 春节
    workday 2027-02-20 春节调休

`holiday` lists days off (a date or an inclusive range `FROM..TO`, then the holiday's name);
`workday` lists make-up working days (调休上班), which must be a Saturday or a Sunday. Dates belong to the
year, or to December of the year before (a New Year arrangement sometimes reaches back). Every error
names the line and the field; nothing is loaded from a file with any error. See docs/calendar-file.md.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from yekuo.common.errors import FileFormatError
from yekuo.common.files import read_text

KEYWORDS = ("year", "document", "source", "holiday", "workday")
MAX_RANGE_DAYS = 15


@dataclass
class ScheduleFile:
    path: str
    year: int
    document: str
    source: str
    checksum: str
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)


def _date(text: str, path: str, line: int, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FileFormatError(path, f"{line}", f"field '{name}': {text!r} is not a date like 2027-01-01") from None


def parse_schedule(path: str | Path) -> ScheduleFile:
    path = str(path)
    raw, text = read_text(path)

    header: dict[str, tuple[str, int]] = {}
    entries: list[tuple[int, str, date, date, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        keyword, _, rest = content.partition(" ")
        rest = rest.strip()
        if keyword not in KEYWORDS:
            raise FileFormatError(
                path, f"{number}", f"field 'keyword': {keyword!r} is not one of {', '.join(KEYWORDS)}"
            )
        if keyword in ("year", "document", "source"):
            if keyword in header:
                raise FileFormatError(
                    path, f"{number}", f"field '{keyword}': given twice (first on line {header[keyword][1]})"
                )
            if not rest:
                raise FileFormatError(path, f"{number}", f"field '{keyword}': missing value")
            header[keyword] = (rest, number)
            continue
        when, _, name = rest.partition(" ")
        name = name.strip()
        if not when:
            raise FileFormatError(path, f"{number}", "field 'date': missing")
        first_text, dots, last_text = when.partition("..")
        first = _date(first_text, path, number, "date")
        last = _date(last_text, path, number, "date") if dots else first
        if last < first:
            raise FileFormatError(path, f"{number}", f"field 'date': range {when} ends before it starts")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise FileFormatError(path, f"{number}", f"field 'date': range {when} is longer than {MAX_RANGE_DAYS} days")
        if not name:
            raise FileFormatError(path, f"{number}", "field 'name': missing (e.g. 春节 or 春节调休)")
        entries.append((number, keyword, first, last, name))

    if "year" not in header:
        raise FileFormatError(path, "0", "field 'year': missing; the file must say which year it schedules")
    year_text, year_line = header["year"]
    if not year_text.isdigit() or not 1990 <= int(year_text) <= 2200:
        raise FileFormatError(path, f"{year_line}", f"field 'year': {year_text!r} is not a year")
    year = int(year_text)
    if "document" not in header:
        raise FileFormatError(
            path, "0", "field 'document': missing; name the official notice, e.g. 国办发明电〔2025〕7号"
        )

    schedule = ScheduleFile(
        path=path,
        year=year,
        document=header["document"][0],
        source=header.get("source", (f"official schedule file {Path(path).name}", 0))[0],
        checksum=hashlib.sha256(raw).hexdigest(),
    )
    earliest = date(year - 1, 12, 1)
    seen: dict[date, int] = {}
    for number, keyword, first, last, name in entries:
        day = first
        while day <= last:
            if not earliest <= day <= date(year, 12, 31):
                raise FileFormatError(
                    path,
                    f"{number}",
                    f"field 'date': {day} is outside {year} (only December {year - 1} may be given too)",
                )
            if day in seen:
                raise FileFormatError(path, f"{number}", f"field 'date': {day} is already given on line {seen[day]}")
            seen[day] = number
            if keyword == "workday":
                if day.weekday() < 5:
                    raise FileFormatError(
                        path,
                        f"{number}",
                        f"field 'date': {day} is a {day:%A}; a make-up working day is a Saturday or Sunday",
                    )
                schedule.workdays[day] = name
            else:
                schedule.holidays[day] = name
            day += timedelta(days=1)
    if not schedule.holidays:
        raise FileFormatError(path, "0", "field 'holiday': the file lists no holiday")
    return schedule
