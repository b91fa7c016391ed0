"""Warning rules as data (R9; notice §3 「发布时限超期预警」): levels, thresholds and who is told.

The rules file (bundled: data/warnings.toml; another with YEKUO_MONITOR_RULES) names the levels in rising
order and, per rule, when each level falls due and whom it reaches. A clock takes the rule `default`, or
`zero_day` when its limit is 0 days (I3: the budget is the rest of the day's office hours, so "overdue by
the budget again" would be minutes; docs/monitoring.md), with the fields of
`regulations.<code>.clocks.<clock>` and then `regulations.<code>.categories.<category>.clocks.<clock>`
laid over it.

A level's threshold is working time counted by the clock engine (yekuo.workcal): a share of the budget
used, working minutes left, or working days past the deadline, the first reached. No level falls due
before the clock's own `warn_at` (the engine's threshold, which the order lists show as 预警): a rule that
asks for earlier is clamped to it, so the lists and the warnings never disagree, and the scan can find
its candidates by the indexed `warn_at`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from yekuo.common.errors import FileFormatError
from yekuo.regulations.reader import Reader

BUNDLED = Path(__file__).parent / "data" / "warnings.toml"
TIERS = ("responsible", "branch_manager", "department", "service_center")
TIER_NAMES = {
    "responsible": "责任人",
    "branch_manager": "分公司经理",
    "department": "归口部门",
    "service_center": "客户服务中心",
}
THRESHOLD_FIELDS = ("used", "remaining_minutes", "over_days")


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    name_en: str
    rank: int
    alarm: bool  # sent in quiet hours too


@dataclass(frozen=True)
class Threshold:
    """When a level falls due, in working seconds of the clock's budget (the first reached)."""

    used: float | None = None
    remaining_minutes: float | None = None
    over_days: float | None = None

    def target(self, budget: int, day_seconds: int) -> int:
        """Working seconds of use at which the level falls due, for a clock of this budget."""
        candidates = []
        if self.used is not None:
            candidates.append(int(budget * self.used))
        if self.remaining_minutes is not None:
            candidates.append(budget - int(self.remaining_minutes * 60))
        if self.over_days is not None:
            candidates.append(budget + int(self.over_days * day_seconds))
        return max(0, min(candidates))


@dataclass(frozen=True)
class LevelRule:
    level: Level
    threshold: Threshold
    notify: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """The levels of one clock under one regulation, in rising order."""

    name: str
    levels: tuple[LevelRule, ...]

    def level(self, code: str) -> LevelRule:
        return next(rule for rule in self.levels if rule.level.code == code)


@dataclass(frozen=True, eq=False)  # hashed by identity: the lru_cache of _rule_for keys on it
class RuleBook:
    source: str
    levels: dict[str, Level]
    rules: dict[str, dict]
    overrides: dict[str, dict]

    def rule_for(self, regulation: str, category: str, clock: str, zero_day: bool) -> Rule:
        return _rule_for(self, regulation, category, clock, zero_day)

    def level(self, code: str) -> Level | None:
        return self.levels.get(code)


def _threshold(read: Reader, value, where: str) -> Threshold:
    data = read.table(value, where, optional=THRESHOLD_FIELDS)
    if not data:
        read.fail(where, f"give at least one of: {', '.join(THRESHOLD_FIELDS)}")
    numbers = {}
    for key, number in data.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            read.fail(f"{where}.{key}", "must be a number, zero or more")
        numbers[key] = float(number)
    return Threshold(**numbers)


def _rule_fields(read: Reader, value, where: str, levels: dict[str, Level]) -> dict:
    data = read.table(value, where, optional=(*levels, "notify"))
    fields: dict = {}
    for code in levels:
        if code in data:
            fields[code] = _threshold(read, data[code], f"{where}.{code}")
    if "notify" in data:
        notify = read.table(data["notify"], f"{where}.notify", optional=tuple(levels))
        fields["notify"] = {
            code: read.codes(tiers, f"{where}.notify.{code}", TIERS, "notification tier")
            for code, tiers in notify.items()
        }
    return fields


def parse(text: str, source: str) -> RuleBook:
    """Read and check a rules file; every problem names the file and the field (FileFormatError)."""
    read = Reader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FileFormatError(source, "(top)", f"not valid TOML: {error}") from None
    read.table(data, "", required=("format", "levels", "rules"), optional=("regulations",))
    if data["format"] != 1:
        read.fail("format", "must be 1")
    levels: dict[str, Level] = {}
    for code, value in read.mapping(data["levels"], "levels").items():
        where = f"levels.{code}"
        item = read.table(value, where, required=("name", "rank"), optional=("name_en", "alarm"))
        if not isinstance(item["rank"], int) or isinstance(item["rank"], bool):
            read.fail(f"{where}.rank", "must be a whole number")
        levels[code] = Level(
            code, read.text(item, "name", where), read.text(item, "name_en", where, ""), item["rank"],
            read.flag(item, "alarm", where, False),
        )  # fmt: skip
    if not levels:
        read.fail("levels", "name at least one level")
    if len({level.rank for level in levels.values()}) != len(levels):
        read.fail("levels", "every level needs its own rank")
    levels = dict(sorted(levels.items(), key=lambda item: item[1].rank))
    rules = {
        name: _rule_fields(read, value, f"rules.{name}", levels)
        for name, value in read.mapping(data["rules"], "rules").items()
    }
    if "default" not in rules:
        read.fail("rules.default", "missing required rule")
    missing = [code for code in levels if code not in rules["default"]]
    if missing:
        read.fail("rules.default", f"give a threshold for every level; missing: {', '.join(missing)}")
    overrides: dict[str, dict] = {}
    for code, value in read.mapping(data.get("regulations", {}), "regulations").items():
        where = f"regulations.{code}"
        item = read.table(value, where, optional=("clocks", "categories"))
        clocks = {
            clock: _rule_fields(read, fields, f"{where}.clocks.{clock}", levels)
            for clock, fields in read.mapping(item.get("clocks", {}), f"{where}.clocks").items()
        }
        categories = {}
        for category, cat_value in read.mapping(item.get("categories", {}), f"{where}.categories").items():
            cat_where = f"{where}.categories.{category}"
            cat_item = read.table(cat_value, cat_where, optional=("clocks",))
            categories[category] = {
                clock: _rule_fields(read, fields, f"{cat_where}.clocks.{clock}", levels)
                for clock, fields in read.mapping(cat_item.get("clocks", {}), f"{cat_where}.clocks").items()
            }
        overrides[code] = {"clocks": clocks, "categories": categories}
    return RuleBook(source, levels, rules, overrides)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> RuleBook:
    return parse(Path(path).read_text(encoding="utf-8"), path)


def rule_book() -> RuleBook:
    """The rules in force: YEKUO_MONITOR_RULES or the bundled file (read again when it changes)."""
    path = Path(settings.YEKUO_MONITOR_RULES or BUNDLED)
    return _load(str(path), path.stat().st_mtime)


@lru_cache(maxsize=1024)
def _rule_for(book: RuleBook, regulation: str, category: str, clock: str, zero_day: bool) -> Rule:
    fields = dict(book.rules["default"])
    fields["notify"] = dict(fields.get("notify", {}))
    layers = []
    if zero_day and "zero_day" in book.rules:
        layers.append(("zero_day", book.rules["zero_day"]))
    override = book.overrides.get(regulation, {})
    if clock in override.get("clocks", {}):
        layers.append((f"{regulation}.{clock}", override["clocks"][clock]))
    if clock in override.get("categories", {}).get(category, {}):
        layers.append((f"{regulation}.{category}.{clock}", override["categories"][category][clock]))
    name = "default"
    for layer_name, layer in layers:
        name = layer_name
        for key, value in layer.items():
            if key == "notify":
                fields["notify"].update(value)
            else:
                fields[key] = value
    levels = tuple(
        LevelRule(level, fields[code], tuple(fields["notify"].get(code, ("responsible",))))
        for code, level in book.levels.items()
    )
    return Rule(name, levels)
