"""Office hours and their seasons.

REQUIREMENTS I4: default 08:30–12:00 and 14:30–18:00, configurable per company and per season.
"""

from dataclasses import dataclass
from datetime import date, time

from yekuo.common.errors import InvalidInput

DEFAULT_SEASONS = [{"name": "全年", "from": "01-01", "to": "12-31", "blocks": [["08:30", "12:00"], ["14:30", "18:00"]]}]


@dataclass(frozen=True)
class Season:
    name: str
    start: tuple[int, int]  # (month, day), inclusive
    end: tuple[int, int]  # inclusive; may be earlier than start for a season across the new year
    blocks: tuple[tuple[time, time], ...]

    @property
    def seconds(self) -> int:
        return sum(_seconds(e) - _seconds(b) for b, e in self.blocks)

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


def _seconds(t: time) -> int:
    # 24:00 is written as 00:00 at the end of a block.
    return 86400 if t == time(0) else t.hour * 3600 + t.minute * 60


def _parse_time(value, where: str) -> time:
    text = str(value)
    if text == "24:00":
        return time(0)
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a time like 08:30", field=where) from None


def _parse_month_day(value, where: str) -> tuple[int, int]:
    try:
        mm, dd = str(value).split("-")
        date(2024, int(mm), int(dd))  # 2024 is a leap year, so 02-29 is accepted
        return int(mm), int(dd)
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a month-day like 05-01", field=where) from None


def parse_seasons(seasons) -> list[Season]:
    """Validate a seasons list; errors name the path inside it, e.g. seasons[1].blocks[0]."""
    if not isinstance(seasons, list) or not seasons:
        raise InvalidInput("seasons must be a non-empty list", field="seasons")
    parsed = []
    for i, raw in enumerate(seasons):
        where = f"seasons[{i}]"
        if not isinstance(raw, dict):
            raise InvalidInput(f"{where} must be an object with name, from, to and blocks", field=where)
        missing = {"from", "to", "blocks"} - raw.keys()
        if missing:
            raise InvalidInput(f"{where} is missing {', '.join(sorted(missing))}", field=where)
        blocks = []
        if not isinstance(raw["blocks"], list) or not raw["blocks"]:
            raise InvalidInput(f"{where}.blocks must be a non-empty list of [start, end]", field=f"{where}.blocks")
        for k, block in enumerate(raw["blocks"]):
            bw = f"{where}.blocks[{k}]"
            if not isinstance(block, list | tuple) or len(block) != 2:
                raise InvalidInput(f"{bw} must be [start, end]", field=bw)
            b, e = _parse_time(block[0], bw), _parse_time(block[1], bw)
            if _seconds(e) <= _seconds(b):
                raise InvalidInput(f"{bw}: {block[1]} is not after {block[0]}", field=bw)
            if blocks and _seconds(b) < _seconds(blocks[-1][1]):
                raise InvalidInput(f"{bw} overlaps or precedes the block before it", field=bw)
            blocks.append((b, e))
        parsed.append(
            Season(
                name=str(raw.get("name") or f"season {i + 1}"),
                start=_parse_month_day(raw["from"], f"{where}.from"),
                end=_parse_month_day(raw["to"], f"{where}.to"),
                blocks=tuple(blocks),
            )
        )
    day = date(2024, 1, 1)
    while day.year == 2024:
        owners = [s.name for s in parsed if s.contains(day)]
        if len(owners) != 1:
            problem = "is in no season" if not owners else f"is in several seasons ({', '.join(owners)})"
            raise InvalidInput(f"seasons: {day:%m-%d} {problem}; seasons must cover the year once", field="seasons")
        day = date.fromordinal(day.toordinal() + 1)
    lengths = {s.seconds for s in parsed}
    if len(lengths) > 1:
        raise InvalidInput(
            "seasons: every season must have the same working minutes per day "
            f"(found {sorted(x // 60 for x in lengths)}), so that a limit in working days means one budget",
            field="seasons",
        )
    return parsed


def season_for(seasons: list[Season], day: date) -> Season:
    for season in seasons:
        if season.contains(day):
            return season
    raise InvalidInput(f"no season covers {day}")  # parse_seasons makes this unreachable
