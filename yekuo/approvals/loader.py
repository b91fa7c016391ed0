"""Read a rule set file (TOML) or stored content, check it field by field, and build a RuleSetSpec.

Every problem is a FileFormatError naming the file, the dotted path (`criteria.excavation.max`) and what
is wrong; nothing is built from a file with any problem. The format is documented in docs/approvals.md.
"""

import math
from pathlib import Path

from yekuo.approvals.facts import FACTS, place_key
from yekuo.approvals.spec import PLACE_KINDS, CategoryLimit, Criterion, Place, RuleSetSpec
from yekuo.regulations.codes import CATEGORIES
from yekuo.regulations.loader import CODE_RE, IDENT_RE, read_toml
from yekuo.regulations.reader import Reader

FORMAT = 1


def load_file(path: str | Path) -> tuple[RuleSetSpec, str]:
    """Parse, validate and build the rule set in `path`; returns the spec and the file's checksum."""
    data, checksum = read_toml(path)
    return build_spec(data, str(path)), checksum


def build_spec(data: dict, source: str) -> RuleSetSpec:
    """Validate parsed content (from a file or from the database) and build the spec."""
    r = Reader(source)
    r.table(
        data,
        "",
        required=("format", "code", "document", "title", "effective_from", "criteria", "limits"),
        optional=("basis", "supersedes", "places"),
    )
    if type(data["format"]) is not int or data["format"] != FORMAT:
        r.fail("format", f"{data['format']!r} is not a known format; this yekuo reads format {FORMAT}")
    code = r.text(data, "code", "")
    if not CODE_RE.match(code):
        r.fail("code", f"{code!r} must be 2–64 lower-case letters, digits, '-', '_' or '.'")
    places = data.get("places", [])
    if not isinstance(places, list):
        r.fail("places", "must be a list of [[places]] tables")
    return RuleSetSpec(
        code=code,
        document=r.text(data, "document", ""),
        title=r.text(data, "title", ""),
        basis=r.text(data, "basis", "", default=""),
        effective_from=r.effective_date(data["effective_from"], "effective_from"),
        supersedes=r.text(data, "supersedes", "", default=""),
        criteria=_criteria(r, data["criteria"]),
        limits=_limits(r, data["limits"]),
        places=_places(r, places),
    )


def _criteria(r: Reader, value) -> tuple[Criterion, ...]:
    """One criterion per fact: R6 needs all of them, and a fact tested twice would be a typo."""
    items, facts = [], {}
    for code, item in r.mapping(value, "criteria").items():
        where = f"criteria.{code}"
        if not IDENT_RE.match(code):
            r.fail(where, "a criterion code is lower-case letters, digits and '_'")
        r.table(item, where, required=("fact", "name", "name_en", "clause"), optional=("max", "expect"))
        fact = r.code(item["fact"], f"{where}.fact", FACTS, "fact")
        if fact in facts:
            r.fail(f"{where}.fact", f"{fact!r} is already tested by criteria.{facts[fact]}")
        facts[fact] = code
        maximum = expect = None
        if FACTS[fact].kind == "number":
            if "expect" in item or "max" not in item:
                r.fail(where, f"{fact} is a number: give `max` (the largest value that passes), not `expect`")
            maximum = item["max"]
            if isinstance(maximum, bool) or not isinstance(maximum, int | float) or not math.isfinite(maximum):
                r.fail(f"{where}.max", f"must be a number of {FACTS[fact].unit}, not {maximum!r}")
            if maximum <= 0:
                r.fail(f"{where}.max", f"{maximum} must be more than 0")
        else:
            if "max" in item or "expect" not in item:
                r.fail(where, f"{fact} is yes or no: give `expect` (the value that passes), not `max`")
            expect = r.flag(item, "expect", where)
        items.append(
            Criterion(
                code=code,
                fact=fact,
                name=r.text(item, "name", where),
                name_en=r.text(item, "name_en", where),
                clause=r.text(item, "clause", where),
                maximum=maximum,
                expect=expect,
            )
        )
    missing = [fact for fact in FACTS if fact not in facts]
    if missing:
        r.fail("criteria", f"no criterion tests {', '.join(missing)}; R6 needs one for each of {', '.join(FACTS)}")
    return tuple(items)


def _limits(r: Reader, value) -> tuple[CategoryLimit, ...]:
    items = []
    for category, item in r.mapping(value, "limits").items():
        where = f"limits.{category}"
        r.code(category, where, CATEGORIES, "category")
        r.table(item, where, required=("low_risk", "not_low_risk", "clause"))
        items.append(
            CategoryLimit(
                category=category,
                low_risk=r.days(item["low_risk"], f"{where}.low_risk"),
                not_low_risk=r.days(item["not_low_risk"], f"{where}.not_low_risk"),
                clause=r.text(item, "clause", where),
            )
        )
    return tuple(items)


def _places(r: Reader, value: list) -> tuple[Place, ...]:
    items, seen = [], {}
    for i, item in enumerate(value):
        where = f"places[{i}]"
        r.table(item, where, required=("name", "kind", "listed_from"), optional=("aliases", "delisted_from"))
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            r.fail(f"{where}.aliases", "must be a list of non-empty names")
        place = Place(
            name=r.text(item, "name", where),
            kind=r.code(item["kind"], f"{where}.kind", PLACE_KINDS, "place kind"),
            aliases=tuple(aliases),
            listed_from=r.effective_date(item["listed_from"], f"{where}.listed_from"),
            delisted_from=(
                r.effective_date(item["delisted_from"], f"{where}.delisted_from") if "delisted_from" in item else None
            ),
        )
        if place.delisted_from is not None and place.delisted_from <= place.listed_from:
            r.fail(f"{where}.delisted_from", f"{place.delisted_from} is not after listed_from {place.listed_from}")
        # A name belongs to one entry, so a route name always means one place.
        for name in (place.name, *place.aliases):
            key = place_key(name)
            if key in seen:
                r.fail(where, f"the name {name!r} is already used by {seen[key]}")
            seen[key] = where
        items.append(place)
    return tuple(items)
