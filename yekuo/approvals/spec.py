"""A rule set of R6 as frozen data: criteria, the limits the decision sets (I8), important places."""

from dataclasses import dataclass
from datetime import date

from yekuo.approvals.facts import place_key

PLACE_KINDS = {"street": "重要街路", "landscape_node": "景观节点"}


@dataclass(frozen=True)
class Criterion:
    """One condition of notice §2 ¶1: a number at most `maximum`, or a yes/no fact equal to `expect`."""

    code: str
    fact: str
    name: str
    name_en: str
    clause: str
    maximum: float | None = None
    expect: bool | None = None

    def to_content(self) -> dict:
        data = {"fact": self.fact}
        data.update({"max": self.maximum} if self.maximum is not None else {"expect": self.expect})
        return {**data, "name": self.name, "name_en": self.name_en, "clause": self.clause}


@dataclass(frozen=True)
class CategoryLimit:
    """I8: the approval node's limit, in working days, for a low-risk works and for one needing approval."""

    category: str
    low_risk: float
    not_low_risk: float
    clause: str

    def days(self, low_risk: bool) -> float:
        return self.low_risk if low_risk else self.not_low_risk

    def to_content(self) -> dict:
        return {"low_risk": self.low_risk, "not_low_risk": self.not_low_risk, "clause": self.clause}


@dataclass(frozen=True)
class Place:
    """An important street or landscape node, counted from `listed_from` until `delisted_from` (excluded)."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    listed_from: date
    delisted_from: date | None = None

    def listed_on(self, on: date) -> bool:
        return self.listed_from <= on and (self.delisted_from is None or on < self.delisted_from)

    def keys(self) -> set[str]:
        return {place_key(name) for name in (self.name, *self.aliases)}

    def to_content(self) -> dict:
        data = {
            "name": self.name,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "listed_from": self.listed_from.isoformat(),
        }
        if self.delisted_from:
            data["delisted_from"] = self.delisted_from.isoformat()
        return data


@dataclass(frozen=True)
class RuleSetSpec:
    code: str
    document: str
    title: str
    basis: str
    effective_from: date
    supersedes: str
    criteria: tuple[Criterion, ...]
    limits: tuple[CategoryLimit, ...]
    places: tuple[Place, ...]
    format: int = 1

    def limit(self, category: str) -> CategoryLimit | None:
        """The category's limits, or None for a category without the approval node (lv_resident)."""
        return next((limit for limit in self.limits if limit.category == category), None)

    def to_content(self) -> dict:
        """The normalised content: the file's own schema with every default filled in."""
        return {
            "format": self.format,
            "code": self.code,
            "document": self.document,
            "title": self.title,
            "basis": self.basis,
            "effective_from": self.effective_from.isoformat(),
            "supersedes": self.supersedes,
            "criteria": {c.code: c.to_content() for c in self.criteria},
            "limits": {limit.category: limit.to_content() for limit in self.limits},
            "places": [place.to_content() for place in self.places],
        }
