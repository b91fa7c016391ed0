"""R6: classify a supporting works as simple low-risk or not, from its facts, under one rule set.

Pure: no database, no clock. The works is low-risk when every criterion passes (notice §2 ¶1: 供电电压在
10千伏及以下，所需开发（下穿、上跨）道路、破绿长度不超过500米且中间没有障碍物，功能单一，技术要求简单，不在
重要街路和景观节点); each criterion gives its value, threshold and a reason in Chinese and English, so the
decision shows why. The limit it sets per category is the rule set's I8 table.
"""

from dataclasses import dataclass
from datetime import date

from yekuo.approvals.facts import FACTS, PLACES_FACT, Facts, place_key
from yekuo.approvals.spec import PLACE_KINDS, Criterion, Place, RuleSetSpec


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    name: str
    name_en: str
    fact: str
    value: object
    threshold: object
    passed: bool
    reason: str
    reason_en: str
    clause: str
    places: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        data = {
            "criterion": self.criterion,
            "name": self.name,
            "name_en": self.name_en,
            "fact": self.fact,
            "value": self.value,
            "threshold": self.threshold,
            "passed": self.passed,
            "reason": self.reason,
            "reason_en": self.reason_en,
            "clause": self.clause,
        }
        if self.fact == PLACES_FACT:
            data["places"] = list(self.places)
        return data


@dataclass(frozen=True)
class Classification:
    low_risk: bool
    rule_set: str
    on: date
    results: tuple[CriterionResult, ...]
    limits: dict[str, float]  # I8: category → the approval node's limit in working days

    def as_dict(self) -> dict:
        """What `yekuo approvals classify` prints."""
        return {
            "low_risk": self.low_risk,
            "reasons": [result.as_dict() for result in self.results],
            "rule_set": self.rule_set,
        }


def classify(facts: Facts, rule_set: RuleSetSpec, on: date) -> Classification:
    """Apply every criterion of `rule_set` to `facts`; `on` selects the important places listed that day."""
    results = tuple(_judge(criterion, facts, rule_set.places, on) for criterion in rule_set.criteria)
    low_risk = all(result.passed for result in results)
    return Classification(
        low_risk=low_risk,
        rule_set=rule_set.code,
        on=on,
        results=results,
        limits={limit.category: limit.days(low_risk) for limit in rule_set.limits},
    )


def _judge(criterion: Criterion, facts: Facts, places: tuple[Place, ...], on: date) -> CriterionResult:
    fact = FACTS[criterion.fact]
    value = facts.value(criterion.fact)
    common = {
        "criterion": criterion.code,
        "name": criterion.name,
        "name_en": criterion.name_en,
        "fact": criterion.fact,
        "clause": criterion.clause,
    }
    if criterion.maximum is not None:
        passed = value <= criterion.maximum
        shown, limit = f"{value:g} {fact.unit}", f"{criterion.maximum:g} {fact.unit}"
        return CriterionResult(
            **common,
            value=value,
            threshold=criterion.maximum,
            passed=passed,
            reason=f"{criterion.name}：{_met(passed)}（{shown}，{'不超过' if passed else '超过'} {limit}）",
            reason_en=f"{criterion.name_en}: {_met_en(passed)} ({shown} {'≤' if passed else '>'} {limit})",
        )
    stated = f"申报“{fact.label}”：{'是' if value else '否'}"
    stated_en = f"stated “{fact.label_en}”: {'yes' if value else 'no'}"
    if criterion.fact != PLACES_FACT:
        passed = value == criterion.expect
        return CriterionResult(
            **common,
            value=value,
            threshold=criterion.expect,
            passed=passed,
            reason=f"{criterion.name}：{_met(passed)}（{stated}）",
            reason_en=f"{criterion.name_en}: {_met_en(passed)} ({stated_en})",
        )
    # The statement and the route must both keep off the places listed on the decision's date.
    hits, later = _places_on_route(facts.route, places, on)
    touches = value or bool(hits)
    passed = touches == criterion.expect
    notes, notes_en = [stated], [stated_en]
    if facts.route:
        if hits:
            names = "、".join(f"{h['kind_name']}{h['name']}（{h['listed_from']}起列入）" for h in hits)
            names_en = ", ".join(f"{h['name']} ({h['kind']}, listed from {h['listed_from']})" for h in hits)
            notes.append(f"路径经过{names}")
            notes_en.append(f"the route passes {names_en}")
        else:
            notes.append("路径不经过在册重要街路或景观节点")
            notes_en.append("the route passes no listed important street or landscape node")
        for h in later:
            if h["listed_from"] > on.isoformat():
                notes.append(f"{h['name']}自{h['listed_from']}起列入，{on}不计")
                notes_en.append(f"{h['name']} is listed only from {h['listed_from']}, not on {on}")
            else:
                notes.append(f"{h['name']}自{h['delisted_from']}起不再列入")
                notes_en.append(f"{h['name']} is no longer listed from {h['delisted_from']}")
    return CriterionResult(
        **common,
        value=touches,
        threshold=criterion.expect,
        passed=passed,
        reason=f"{criterion.name}：{_met(passed)}（{'；'.join(notes)}）",
        reason_en=f"{criterion.name_en}: {_met_en(passed)} ({'; '.join(notes_en)})",
        places=tuple(_public(h) for h in hits),
    )


def _places_on_route(route: tuple[str, ...], places: tuple[Place, ...], on: date) -> tuple[list, list]:
    """The listed places the route names on `on`, and those it names that are not (yet, or any more)
    listed that day — shown so a reader sees why a known street did not count."""
    keys = {place_key(name): name for name in route}
    hits, other = [], []
    for place in places:
        named = [keys[key] for key in place.keys() if key in keys]
        if not named:
            continue
        entry = {
            "name": place.name,
            "kind": place.kind,
            "kind_name": PLACE_KINDS[place.kind],
            "route_name": named[0],
            "listed_from": place.listed_from.isoformat(),
            "delisted_from": place.delisted_from.isoformat() if place.delisted_from else None,
        }
        (hits if place.listed_on(on) else other).append(entry)
    return hits, other


def _public(hit: dict) -> dict:
    return {key: hit[key] for key in ("name", "kind", "route_name", "listed_from")}


def _met(passed: bool) -> str:
    return "符合" if passed else "不符合"


def _met_en(passed: bool) -> str:
    return "met" if passed else "not met"
