"""Read a regulation file (TOML) or stored content, check it field by field, and build a RegulationSpec.

Every problem is a FileFormatError naming the file, the path inside it
(`categories.hv10_single.clocks.approval.limit`) and what is wrong; nothing is built from a file with
any problem. The checks that need the whole process graph (cycles, reachability, clock feasibility,
critical path) live in `checks.py`. The format is documented in docs/regulations.md.
"""

import hashlib
import re
import tomllib
from pathlib import Path

from yekuo.common.errors import FileFormatError
from yekuo.common.files import read_text
from yekuo.regulations import checks
from yekuo.regulations.codes import (
    CATEGORIES,
    CHANNELS,
    DEPARTMENTS,
    NODES,
    ROLES,
    RULE_CHOICES,
)
from yekuo.regulations.reader import Reader
from yekuo.regulations.spec import (
    CategorySpec,
    ClockSpec,
    EventRef,
    Interpretation,
    NodeSpec,
    RegulationSpec,
    Rules,
    StageSpec,
    StartRule,
)

FORMAT = 1
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
IDENT_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
INTERPRETATION_RE = re.compile(r"^[A-Z][0-9]{1,3}$")
TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def read_toml(path: str | Path) -> tuple[dict, str]:
    """The parsed file and the sha256 of its bytes; syntax errors name the line and column."""
    path = str(path)
    raw, text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = TOML_POSITION.search(message)
        where = "end"
        if found and found.group(1):
            where = f"line {found.group(1)}, column {found.group(2)}"
        problem = TOML_POSITION.sub("", message)
        raise FileFormatError(path, where, f"TOML syntax error: {problem}") from None
    return data, hashlib.sha256(raw).hexdigest()


def load_file(path: str | Path) -> tuple[RegulationSpec, str]:
    """Parse, validate and build the regulation in `path`; returns the spec and the file's checksum."""
    data, checksum = read_toml(path)
    return build_spec(data, str(path)), checksum


def build_spec(data: dict, source: str) -> RegulationSpec:
    """Validate parsed content (from a file or from the database) and build the spec."""
    r = Reader(source)
    r.table(
        data,
        "",
        required=(
            "format",
            "code",
            "document",
            "title",
            "effective_from",
            "roles",
            "departments",
            "rules",
            "categories",
        ),
        optional=("issuer", "attachment", "supersedes", "interpretations"),
    )
    if type(data["format"]) is not int or data["format"] != FORMAT:
        r.fail("format", f"{data['format']!r} is not a known format; this yekuo reads format {FORMAT}")
    code = r.text(data, "code", "")
    if not CODE_RE.match(code):
        r.fail("code", f"{code!r} must be 2–64 lower-case letters, digits, '-', '_' or '.'")
    roles = _names(r, data["roles"], "roles", ROLES, "role")
    departments = _names(r, data["departments"], "departments", DEPARTMENTS, "department")
    categories = r.mapping(data["categories"], "categories")
    if not categories:
        r.fail("categories", "a regulation needs at least one category")
    spec = RegulationSpec(
        code=code,
        document=r.text(data, "document", ""),
        title=r.text(data, "title", ""),
        issuer=r.text(data, "issuer", "", default=""),
        attachment=r.text(data, "attachment", "", default=""),
        effective_from=r.effective_date(data["effective_from"], "effective_from"),
        supersedes=r.text(data, "supersedes", "", default=""),
        roles=roles,
        departments=departments,
        rules=_rules(r, data["rules"]),
        interpretations=_interpretations(r, data.get("interpretations", {})),
        categories=tuple(_category(r, key, value, dict(roles), dict(departments)) for key, value in categories.items()),
    )
    checks.check_applies_to(r, data, spec)
    return spec


def _names(r: Reader, value, where: str, known: dict, what: str) -> tuple[tuple[str, str], ...]:
    table = r.mapping(value, where)
    for key in table:
        r.code(key, f"{where}.{key}", known, what)
        r.text(table, key, where)
    return tuple(table.items())


def _rules(r: Reader, value) -> Rules:
    table = r.table(value, "rules", required=(*RULE_CHOICES, "hold_until_predecessors"))
    chosen = {}
    for key, choices in RULE_CHOICES.items():
        if table[key] not in choices:
            r.fail(f"rules.{key}", f"{table[key]!r} is not supported; expected: {', '.join(choices)}")
        chosen[key] = table[key]
    return Rules(**chosen, hold_until_predecessors=r.flag(table, "hold_until_predecessors", "rules"))


def _interpretations(r: Reader, value) -> tuple[Interpretation, ...]:
    items = []
    for key, item in r.mapping(value, "interpretations").items():
        where = f"interpretations.{key}"
        if not INTERPRETATION_RE.match(key):
            r.fail(where, "an interpretation id is a capital letter and a number, like I1 or D2")
        r.table(item, where, required=("text",), optional=("applies_to", "mechanism"))
        applies = item.get("applies_to", [])
        if not isinstance(applies, list) or not all(isinstance(p, str) for p in applies):
            r.fail(f"{where}.applies_to", "must be a list of paths in this file, like rules.zero_limit")
        items.append(
            Interpretation(key, r.text(item, "text", where), tuple(applies), r.text(item, "mechanism", where, ""))
        )
    return tuple(items)


def _category(r: Reader, code: str, value, roles: dict, departments: dict) -> CategorySpec:
    where = f"categories.{code}"
    r.code(code, where, CATEGORIES, "category")
    data = r.table(
        value,
        where,
        required=("name", "stages", "nodes", "clocks", "critical_path"),
        optional=("name_en", "table"),
    )
    stages = []
    for key, stage in r.mapping(data["stages"], f"{where}.stages").items():
        if not IDENT_RE.match(key):
            r.fail(f"{where}.stages.{key}", "a stage code is lower-case letters, digits and '_'")
        r.table(stage, f"{where}.stages.{key}", required=("name",), optional=("name_en",))
        stages.append(
            StageSpec(
                key,
                r.text(stage, "name", f"{where}.stages.{key}"),
                r.text(stage, "name_en", f"{where}.stages.{key}", ""),
            )
        )
    if not stages:
        r.fail(f"{where}.stages", "a category needs at least one stage")
    nodes_raw = r.mapping(data["nodes"], f"{where}.nodes")
    node_codes = tuple(nodes_raw)
    nodes = tuple(
        _node(r, f"{where}.nodes.{key}", key, item, [s.code for s in stages], node_codes, roles, departments)
        for key, item in nodes_raw.items()
    )
    clocks_raw = r.mapping(data["clocks"], f"{where}.clocks")
    clocks = tuple(_clock(r, f"{where}.clocks.{key}", key, item, node_codes) for key, item in clocks_raw.items())
    category = CategorySpec(
        code=code,
        name=r.text(data, "name", where),
        name_en=r.text(data, "name_en", where, ""),
        table=r.text(data, "table", where, ""),
        stages=tuple(stages),
        nodes=nodes,
        clocks=clocks,
        critical_path=r.limit(data["critical_path"], f"{where}.critical_path"),
    )
    checks.check_category(r, where, category)
    return category


def _node(r: Reader, where, code, value, stages, node_codes, roles, departments) -> NodeSpec:
    r.code(code, where, NODES, "node")
    data = r.table(
        value,
        where,
        required=("name", "stage", "role", "department", "predecessors"),
        optional=("name_en", "parallel", "alongside"),
    )
    alongside = data.get("alongside")
    if alongside is not None:
        r.code(
            alongside,
            f"{where}.alongside",
            [c for c in node_codes if c != code],
            "node",
            " (of this category)",
        )
    return NodeSpec(
        code=code,
        name=r.text(data, "name", where),
        name_en=r.text(data, "name_en", where, ""),
        stage=r.code(data["stage"], f"{where}.stage", stages, "stage"),
        role=r.code(data["role"], f"{where}.role", roles, "role", " (declared in [roles])"),
        department=r.code(
            data["department"],
            f"{where}.department",
            departments,
            "department",
            " (declared in [departments])",
        ),
        predecessors=r.codes(data["predecessors"], f"{where}.predecessors", node_codes, "node"),
        parallel=r.flag(data, "parallel", where, False),
        alongside=alongside,
    )


def _clock(r: Reader, where, code, value, node_codes) -> ClockSpec:
    data = r.table(value, where, required=("nodes", "limit", "start", "stop"), optional=("rule",))
    starts = data["start"]
    if not isinstance(starts, list) or not starts:
        r.fail(f"{where}.start", "must be a non-empty list of start rules")
    rules = []
    for i, item in enumerate(starts):
        at = f"{where}.start[{i}]"
        r.table(item, at, required=("event",), optional=("node", "channels", "meaning"))
        channels = (
            r.codes(item["channels"], f"{at}.channels", CHANNELS, "channel") if "channels" in item else tuple(CHANNELS)
        )
        rules.append(StartRule(item["event"], item.get("node"), channels, r.text(item, "meaning", at, "")))
    stop = r.table(data["stop"], f"{where}.stop", required=("event",), optional=("node",))
    return ClockSpec(
        code=code,
        nodes=r.codes(data["nodes"], f"{where}.nodes", node_codes, "node"),
        limit=r.limit(data["limit"], f"{where}.limit"),
        rule=r.text(data, "rule", where, ""),
        starts=tuple(rules),
        stop=EventRef(stop["event"], stop.get("node")),
    )
