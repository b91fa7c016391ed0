"""The facts of a supporting works that R6 classifies, and reading them from JSON input.

The vocabulary is code, not data (like `yekuo/regulations/codes.py`): the pages, the API and the order
record the same keys, and a rule set may only name these. Reading is strict — an unknown key, a missing
fact, a wrong type or a negative length is an InvalidInput naming the key — because a silently ignored
typo (`excavation` for `excavation_m`) would turn a works that needs an approval into a low-risk one.
"""

import math
import unicodedata
from dataclasses import dataclass
from datetime import date

from yekuo.common.errors import InvalidInput


@dataclass(frozen=True)
class Fact:
    kind: str  # "number" or "flag"
    label: str
    label_en: str
    unit: str = ""
    minimum: float = 0.0
    minimum_included: bool = True


# Notice §2 ¶1, in its order. A voltage of 0 kV is no supply at all; an excavation may be 0 m.
FACTS: dict[str, Fact] = {
    "voltage_kv": Fact("number", "供电电压", "supply voltage", "kV", minimum_included=False),
    "excavation_m": Fact("number", "开挖（下穿、上跨）道路、破绿长度", "road and green-belt excavation", "m"),
    "obstacles": Fact("flag", "中间有障碍物", "an obstacle in between"),
    "single_function": Fact("flag", "功能单一", "single function"),
    "simple_technique": Fact("flag", "技术要求简单", "simple technical requirements"),
    "touches_important_street": Fact("flag", "涉及重要街路或景观节点", "touches an important street or landscape node"),
}
# The fact whose criterion also checks the route against the rule set's list of places.
PLACES_FACT = "touches_important_street"
OPTIONAL = ("route", "on")


@dataclass(frozen=True)
class Facts:
    voltage_kv: float
    excavation_m: float
    obstacles: bool
    single_function: bool
    simple_technique: bool
    touches_important_street: bool
    route: tuple[str, ...] = ()

    def value(self, fact: str):
        return getattr(self, fact)


def place_key(name: str) -> str:
    """The form two names of a place are compared in: full-width/half-width folded, no spaces, any case."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def read_facts(data) -> tuple[Facts, date | None]:
    """The facts and the optional date (`on`) from parsed JSON; fails on the first bad key."""
    if not isinstance(data, dict):
        raise InvalidInput(f"the facts must be a JSON object, not {_json_type(data)}")
    for key in data:
        if key not in FACTS and key not in OPTIONAL:
            known = ", ".join((*FACTS, *OPTIONAL))
            raise InvalidInput(f"{key}: unknown key; expected: {known}", field=key)
    values = {}
    for key, fact in FACTS.items():
        if key not in data:
            raise InvalidInput(f"{key}: missing fact ({fact.label_en})", field=key)
        values[key] = _number(key, data[key], fact) if fact.kind == "number" else _flag(key, data[key])
    route = _route(data["route"]) if "route" in data else ()
    return Facts(**values, route=route), _date(data["on"]) if "on" in data else None


def _number(key: str, value, fact: Fact) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{key}: must be a number of {fact.unit}, not {_json_type(value)}", field=key)
    if value < fact.minimum or (value == fact.minimum and not fact.minimum_included):
        bound = "0 or more" if fact.minimum_included else "more than 0"
        raise InvalidInput(f"{key}: {value:g} {fact.unit} is not possible; it must be {bound}", field=key)
    return value


def _flag(key: str, value) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{key}: must be true or false, not {_json_type(value)}", field=key)
    return value


def _route(value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise InvalidInput("route: must be a list of street or place names (non-empty strings)", field="route")
    if any("\x00" in name or len(name) > 200 for name in value):  # stored in JSON, which PostgreSQL refuses with NUL
        raise InvalidInput("route: a name has a NUL character or more than 200 characters", field="route")
    return tuple(name.strip() for name in value)


def _date(value) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"on: {value!r} is not a date like 2026-12-01", field="on")


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the string {value!r}"
    return {dict: "an object", list: "a list"}.get(type(value), repr(value))
