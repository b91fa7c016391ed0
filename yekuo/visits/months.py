"""A month as the monthly control counts it (REQUIREMENTS R11, R12): "YYYY-MM", cut in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from yekuo.common.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str, field: str = "month") -> tuple[int, int]:
    found = _MONTH.match(str(month or "").strip())
    if not found:
        raise InvalidInput(f"month {month!r} is not YYYY-MM", field=field)
    return int(found[1]), int(found[2])


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of the month in Asia/Shanghai, as aware datetimes (compared in UTC by the database)."""
    year, number = parse_month(month)
    start = datetime.combine(date(year, number, 1), time.min, SHANGHAI)
    following = date(year + number // 12, number % 12 + 1, 1)
    return start, datetime.combine(following, time.min, SHANGHAI)


def month_of(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")
