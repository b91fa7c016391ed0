"""The assessment scheme (绩效考核评分细则, R13) as versioned data, and the score of a month.

A scheme file (TOML, `data/`; format in docs/bulletin.md) names the indicators (a measured figure of the
bulletin, its target, direction and weight in points) and the deductions (a counted figure, points per
item and a cap). It is checked field by field on load (errors name the file and the dotted path) and
published into `ScoringScheme` rows, immutable, each in force from its effective date.

`score(snapshot, scheme)` is pure: a branch's points on an indicator are weight × achievement, where
achievement = actual ÷ target (`higher`) or target ÷ actual (`lower`), capped at 1; a day-mean measure may
have a target per category, then its achievement is the mean of the categories' achievements weighted by
the orders energized in each. A branch with nothing to measure gets `missing` × weight. Deductions are
min(cap, per × count). The total is full marks' share of the points minus the deductions, never below 0,
rounded to 0.01; ranks are competition ranks (equal scores share a rank).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from yekuo.bulletin.figures import DAY_MEANS, branch_figures, competition_ranks
from yekuo.regulations.codes import CATEGORIES
from yekuo.regulations.loader import CODE_RE, IDENT_RE, read_toml
from yekuo.regulations.reader import Reader

FORMAT = 1
BUNDLED_DIR = Path(__file__).parent / "data"

# What an indicator may measure: the figures of `figures.branch_figures` that are rates, means or scores.
MEASURES = {
    "on_time_rate": "按期完成率",
    "online_rate": "线上报装服务率",
    "mengsuban_rate": "蒙速办使用率",
    "utility_days_mean": "供电企业用时（工作日）",
    "customer_days_mean": "客户用时（工作日）",
    "calendar_days_mean": "办电总时长（日历日）",
    "reach_rate": "回访成功率",
    "satisfaction_mean": "回访满意度",
}
# What a deduction may count.
COUNTS = {
    "overdue_orders": "超期工单数",
    "normativity_findings": "业务规范性问题数",
    "time_disagreements": "回访时间偏差数",
    "visit_problems": "回访发现问题数",
}
DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True)
class Indicator:
    code: str
    measure: str
    direction: str
    weight: float
    name: str
    name_en: str
    clause: str
    target: float | None = None
    targets: dict | None = None
    missing: float = 1.0


@dataclass(frozen=True)
class Deduction:
    code: str
    measure: str
    per: float
    cap: float
    name: str
    name_en: str
    clause: str


@dataclass(frozen=True)
class Scheme:
    code: str
    document: str
    title: str
    effective_from: date
    full_marks: float
    indicators: tuple[Indicator, ...]
    deductions: tuple[Deduction, ...]

    def to_content(self) -> dict:
        data = asdict(self)
        data["effective_from"] = self.effective_from.isoformat()
        data["format"] = FORMAT
        data["indicators"] = {i.pop("code"): _drop_none(i) for i in data["indicators"]}
        data["deductions"] = {d.pop("code"): d for d in data["deductions"]}
        return data


def _drop_none(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None}


def load_file(path: str | Path) -> tuple[Scheme, str]:
    data, checksum = read_toml(path)
    return build_scheme(data, str(path)), checksum


def from_content(text: str, source: str = "stored scheme") -> Scheme:
    return build_scheme(json.loads(text), source)


def _number(r: Reader, value, where: str, minimum: float = 0.0, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        r.fail(where, f"must be a number, not {value!r}")
    if value < minimum or (positive and value <= 0):
        r.fail(where, f"{value} must be {'more than' if positive else 'at least'} {minimum}")
    return float(value)


def build_scheme(data: dict, source: str) -> Scheme:
    r = Reader(source)
    r.table(
        data,
        "",
        required=("format", "code", "document", "title", "effective_from", "full_marks", "indicators"),
        optional=("deductions",),
    )
    if type(data["format"]) is not int or data["format"] != FORMAT:
        r.fail("format", f"{data['format']!r} is not a known format; this yekuo reads format {FORMAT}")
    code = r.text(data, "code", "")
    if not CODE_RE.match(code):
        r.fail("code", f"{code!r} must be 2–64 lower-case letters, digits, '-', '_' or '.'")
    full_marks = _number(r, data["full_marks"], "full_marks", positive=True)
    indicators = []
    for key, item in r.mapping(data["indicators"], "indicators").items():
        where = f"indicators.{key}"
        if not IDENT_RE.match(key):
            r.fail(where, "an indicator code is lower-case letters, digits and '_'")
        r.table(
            item,
            where,
            required=("measure", "direction", "weight", "name", "name_en", "clause"),
            optional=("target", "targets", "missing"),
        )
        measure = r.code(item["measure"], f"{where}.measure", MEASURES, "measure")
        target = targets = None
        if ("target" in item) == ("targets" in item):
            r.fail(where, "give either `target` (one number) or `targets` (a number per category)")
        if "target" in item:
            target = _number(r, item["target"], f"{where}.target", positive=True)
        else:
            if measure not in DAY_MEANS:
                r.fail(f"{where}.targets", f"a target per category is for {', '.join(DAY_MEANS)} only")
            targets = {}
            for category, value in r.mapping(item["targets"], f"{where}.targets").items():
                r.code(category, f"{where}.targets.{category}", CATEGORIES, "category")
                targets[category] = _number(r, value, f"{where}.targets.{category}", positive=True)
        missing = _number(r, item.get("missing", 1.0), f"{where}.missing")
        if missing > 1:
            r.fail(f"{where}.missing", "is a share of the weight, from 0 to 1")
        indicators.append(
            Indicator(
                code=key,
                measure=measure,
                direction=r.code(item["direction"], f"{where}.direction", DIRECTIONS, "direction"),
                weight=_number(r, item["weight"], f"{where}.weight", positive=True),
                name=r.text(item, "name", where),
                name_en=r.text(item, "name_en", where),
                clause=r.text(item, "clause", where),
                target=target,
                targets=targets,
                missing=missing,
            )
        )
    if not indicators:
        r.fail("indicators", "give at least one indicator")
    total = sum(i.weight for i in indicators)
    if abs(total - full_marks) > 1e-9:
        r.fail("indicators", f"the weights add up to {total:g}, not full_marks {full_marks:g}")
    deductions = []
    for key, item in r.mapping(data.get("deductions", {}), "deductions").items():
        where = f"deductions.{key}"
        if not IDENT_RE.match(key):
            r.fail(where, "a deduction code is lower-case letters, digits and '_'")
        r.table(item, where, required=("measure", "per", "cap", "name", "name_en", "clause"))
        deductions.append(
            Deduction(
                code=key,
                measure=r.code(item["measure"], f"{where}.measure", COUNTS, "count"),
                per=_number(r, item["per"], f"{where}.per", positive=True),
                cap=_number(r, item["cap"], f"{where}.cap", positive=True),
                name=r.text(item, "name", where),
                name_en=r.text(item, "name_en", where),
                clause=r.text(item, "clause", where),
            )
        )
    return Scheme(
        code=code,
        document=r.text(data, "document", ""),
        title=r.text(data, "title", ""),
        effective_from=r.effective_date(data["effective_from"], "effective_from"),
        full_marks=full_marks,
        indicators=tuple(indicators),
        deductions=tuple(deductions),
    )


def _achievement(actual: float, target: float, direction: str) -> float:
    if direction == "higher":
        return min(1.0, actual / target)
    return 1.0 if actual <= 0 else min(1.0, target / actual)


def score_indicator(indicator: Indicator, figures: dict) -> dict:
    """One indicator's line of a branch's breakdown."""
    line = {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "measure": indicator.measure,
        "direction": indicator.direction,
        "weight": indicator.weight,
        "actual": figures.get(indicator.measure),
        "target": indicator.target if indicator.targets is None else indicator.targets,
    }
    if indicator.targets is not None:
        parts = [
            (_achievement(mean, indicator.targets[category], indicator.direction), energized)
            for category, (mean, energized) in figures[f"{indicator.measure}_by_category"].items()
            if category in indicator.targets
        ]
        weight = sum(n for _, n in parts)
        achievement = sum(a * n for a, n in parts) / weight if weight else None
    elif isinstance(line["actual"], int | float):
        achievement = _achievement(line["actual"], indicator.target, indicator.direction)
    else:
        achievement = None
    line["measured"] = achievement is not None
    line["achievement"] = round(indicator.missing if achievement is None else achievement, 4)
    line["points"] = round(indicator.weight * line["achievement"], 2)
    return line


def score_deduction(deduction: Deduction, figures: dict) -> dict:
    count = figures.get(deduction.measure) or 0
    return {
        "code": deduction.code,
        "name": deduction.name,
        "name_en": deduction.name_en,
        "measure": deduction.measure,
        "count": count,
        "per": deduction.per,
        "cap": deduction.cap,
        "points": round(min(deduction.cap, deduction.per * count), 2),
    }


def score(snapshot: dict, scheme: Scheme) -> list[dict]:
    """Every branch's score of the snapshot's month, with its breakdown and rank, best first."""
    results = []
    for code, figures in branch_figures(snapshot).items():
        lines = [score_indicator(indicator, figures) for indicator in scheme.indicators]
        deductions = [score_deduction(deduction, figures) for deduction in scheme.deductions]
        earned = round(sum(line["points"] for line in lines), 2)
        deducted = round(sum(d["points"] for d in deductions), 2)
        results.append(
            {
                "branch": code,
                "branch_name": figures["branch_name"],
                "score": max(0.0, round(earned - deducted, 2)),
                "breakdown": {"indicators": lines, "deductions": deductions, "earned": earned, "deducted": deducted},
            }
        )
    ranks = competition_ranks([(r["branch"], r["score"]) for r in results])
    for result in results:
        result["rank"] = ranks[result["branch"]]
    return sorted(results, key=lambda r: (r["rank"], r["branch"]))
