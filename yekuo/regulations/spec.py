"""A validated regulation as frozen dataclasses: RegulationSpec → CategorySpec → NodeSpec / ClockSpec.

Built only by `loader.build_spec`, which has checked everything; these classes trust their fields. A
spec turns back into the plain content it was built from (`to_content`), which is what the database
stores and what `build_spec` reads again, so a stored version and its file give the same spec.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from yekuo.common.errors import InvalidInput
from yekuo.regulations.codes import CHANNELS
from yekuo.regulations.limits import Limit


@dataclass(frozen=True)
class EventRef:
    event: str
    node: str | None = None

    def to_content(self) -> dict:
        return {"event": self.event, **({"node": self.node} if self.node else {})}


@dataclass(frozen=True)
class StartRule:
    """One way a clock starts: an event (with its node), for some channels (all when loaded without)."""

    event: str
    node: str | None
    channels: tuple[str, ...]
    meaning: str = ""

    def to_content(self) -> dict:
        data = EventRef(self.event, self.node).to_content()
        data["channels"] = list(self.channels)
        if self.meaning:
            data["meaning"] = self.meaning
        return data


@dataclass(frozen=True)
class StageSpec:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class NodeSpec:
    code: str
    name: str
    name_en: str
    stage: str
    role: str
    department: str
    predecessors: tuple[str, ...]
    parallel: bool = False
    alongside: str | None = None

    def to_content(self) -> dict:
        data = {
            "name": self.name,
            "name_en": self.name_en,
            "stage": self.stage,
            "role": self.role,
            "department": self.department,
            "predecessors": list(self.predecessors),
            "parallel": self.parallel,
        }
        if self.alongside:
            data["alongside"] = self.alongside
        return data


@dataclass(frozen=True)
class ClockSpec:
    """A clock; its code is the code of the first node it spans (I1: it may span several)."""

    code: str
    nodes: tuple[str, ...]
    limit: Limit
    rule: str
    starts: tuple[StartRule, ...]
    stop: EventRef

    def start_for(self, channel: str) -> StartRule:
        for rule in self.starts:
            if channel in rule.channels:
                return rule
        raise InvalidInput(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}", field="channel")

    def to_content(self) -> dict:
        return {
            "nodes": list(self.nodes),
            "limit": self.limit.to_content(),
            "rule": self.rule,
            "start": [rule.to_content() for rule in self.starts],
            "stop": self.stop.to_content(),
        }


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    name_en: str
    table: str
    stages: tuple[StageSpec, ...]
    nodes: tuple[NodeSpec, ...]
    clocks: tuple[ClockSpec, ...]
    critical_path: Limit
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        spans = {node: clock for clock in self.clocks for node in clock.nodes}
        object.__setattr__(
            self,
            "_index",
            {
                "node": {n.code: n for n in self.nodes},
                "clock": {c.code: c for c in self.clocks},
                "stage": {s.code: s for s in self.stages},
                "span": spans,
            },
        )

    def _get(self, kind: str, code: str):
        try:
            return self._index[kind][code]
        except KeyError:
            known = ", ".join(self._index[kind])
            raise InvalidInput(f"category {self.code} has no {kind} {code!r}; it has: {known}", field=kind) from None

    def node(self, code: str) -> NodeSpec:
        return self._get("node", code)

    def clock(self, code: str) -> ClockSpec:
        return self._get("clock", code)

    def stage(self, code: str) -> StageSpec:
        return self._get("stage", code)

    def clock_of(self, node: str) -> ClockSpec:
        """The clock that runs while `node` is worked (for a spanned node, the clock it shares)."""
        return self._get("span", node)

    def has_node(self, code: str) -> bool:
        return code in self._index["node"]

    @property
    def node_codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes)

    def successors(self, code: str) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if code in n.predecessors)

    def longest_path(self, conditions: Mapping[str, object] | None = None) -> tuple[float, tuple[str, ...]]:
        """The longest chain of utility limits from acceptance (REQUIREMENTS §4, "utility time").

        A clock's limit weighs on the first node it spans; customer-side works weigh nothing, because
        they are the customer's time. Returns the days and the nodes of the chain.
        """
        weight = {c.nodes[0]: c.limit.days(conditions) for c in self.clocks}
        memo: dict[str, tuple[float, tuple[str, ...]]] = {}

        def finish(code: str) -> tuple[float, tuple[str, ...]]:
            if code not in memo:  # the loader has refused cycles, so this recursion ends
                before = max((finish(p) for p in self.node(code).predecessors), default=(0.0, ()))
                memo[code] = (before[0] + weight.get(code, 0.0), (*before[1], code))
            return memo[code]

        return max((finish(code) for code in self.node_codes), default=(0.0, ()))

    def utility_days(self, conditions: Mapping[str, object] | None = None) -> float:
        """The utility's working days on the critical path, computed from the limits."""
        return self.longest_path(conditions)[0]

    def to_content(self) -> dict:
        return {
            "name": self.name,
            "name_en": self.name_en,
            "table": self.table,
            "critical_path": self.critical_path.to_content(),
            "stages": {s.code: {"name": s.name, "name_en": s.name_en} for s in self.stages},
            "nodes": {n.code: n.to_content() for n in self.nodes},
            "clocks": {c.code: c.to_content() for c in self.clocks},
        }


@dataclass(frozen=True)
class Interpretation:
    id: str
    text: str
    applies_to: tuple[str, ...]
    mechanism: str = ""


@dataclass(frozen=True)
class Rules:
    """How clocks count (I3, I4, I5, D1); each value is one of codes.RULE_CHOICES."""

    unit: str
    zero_limit: str
    counting: str
    suspend_on: str
    resume_on: str
    cancel_on: str
    hold_until_predecessors: bool


@dataclass(frozen=True)
class RegulationSpec:
    code: str
    document: str
    title: str
    issuer: str
    attachment: str
    effective_from: date
    supersedes: str
    roles: tuple[tuple[str, str], ...]
    departments: tuple[tuple[str, str], ...]
    rules: Rules
    interpretations: tuple[Interpretation, ...]
    categories: tuple[CategorySpec, ...]
    format: int = 1

    def category(self, code: str) -> CategorySpec:
        for category in self.categories:
            if category.code == code:
                return category
        known = ", ".join(c.code for c in self.categories)
        raise InvalidInput(f"regulation {self.code} has no category {code!r}; it has: {known}", field="category")

    def role_name(self, code: str) -> str:
        return dict(self.roles)[code]

    def department_name(self, code: str) -> str:
        return dict(self.departments)[code]

    def interpretation(self, id: str) -> Interpretation:
        for item in self.interpretations:
            if item.id == id:
                return item
        raise InvalidInput(f"regulation {self.code} has no interpretation {id!r}", field="interpretation")

    def to_content(self) -> dict:
        """The normalised content: the file's own schema with every default filled in."""
        rules = self.rules
        return {
            "format": self.format,
            "code": self.code,
            "document": self.document,
            "title": self.title,
            "issuer": self.issuer,
            "attachment": self.attachment,
            "effective_from": self.effective_from.isoformat(),
            "supersedes": self.supersedes,
            "roles": dict(self.roles),
            "departments": dict(self.departments),
            "rules": {name: getattr(rules, name) for name in Rules.__dataclass_fields__},
            "interpretations": {
                i.id: {"text": i.text, "applies_to": list(i.applies_to), "mechanism": i.mechanism}
                for i in self.interpretations
            },
            "categories": {c.code: c.to_content() for c in self.categories},
        }
