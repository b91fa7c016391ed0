"""Reads of the R6 rule sets (by code, in force on a date, the list) and the classification under them.

Specs are parsed once per process, keyed by code and checksum (a published version never changes; a
database rebuilt with other content under the same code is never served an old spec).
"""

import json
from datetime import date

from django.utils import timezone

from yekuo.approvals.classifier import Classification, classify
from yekuo.approvals.facts import Facts
from yekuo.approvals.loader import build_spec
from yekuo.approvals.models import RuleSet
from yekuo.approvals.spec import RuleSetSpec
from yekuo.common.errors import YekuoError

_specs: dict[tuple[str, str], RuleSetSpec] = {}


def _spec(code: str, checksum: str) -> RuleSetSpec:
    key = (code, checksum)
    spec = _specs.get(key)
    if spec is None:
        content = RuleSet.objects.values_list("content", flat=True).get(code=code)
        spec = _specs[key] = build_spec(json.loads(content), f"rule set {code} (stored)")
    return spec


def rule_set_get(code: str) -> RuleSetSpec:
    checksum = RuleSet.objects.filter(code=code).values_list("checksum", flat=True).first()
    if checksum is None:
        raise YekuoError(f"no rule set {code!r} is loaded; see `yekuo approvals list`", code="not_found")
    return _spec(code, checksum)


def rule_set_effective(on: date) -> RuleSetSpec:
    """The version in force on `on`: the latest whose effective_from is on or before it."""
    row = RuleSet.objects.filter(effective_from__lte=on).order_by("-effective_from").values_list("code", "checksum")
    row = row.first()
    if row is None:
        first = RuleSet.objects.order_by("effective_from").values_list("code", "effective_from").first()
        if first is None:
            problem = "no rule set is loaded; run `yekuo approvals load-bundled`"
        else:
            problem = f"the earliest loaded rule set, {first[0]}, takes effect on {first[1]}"
        raise YekuoError(f"no low-risk rule set is in force on {on}: {problem}", code="no_rule_set", field="on")
    return _spec(*row)


def works_classify(facts: Facts, on: date | None = None) -> Classification:
    """R6 under the rule set in force on `on` (default: today in Asia/Shanghai)."""
    on = on or timezone.localdate()
    return classify(facts, rule_set_effective(on), on)


def rule_set_list() -> list[dict]:
    rows = RuleSet.objects.order_by("effective_from").values(
        "code", "document", "title", "effective_from", "checksum", "loaded_at"
    )
    return [
        {**row, "effective_from": row["effective_from"].isoformat(), "loaded_at": row["loaded_at"].isoformat()}
        for row in rows
    ]


def current_decision(order):
    """The order's latest R6 decision (WorksDecision), or None."""
    from yekuo.approvals.models import WorksDecision

    return WorksDecision.objects.filter(order=order).order_by("-recorded_at", "-pk").first()


def overrides(queryset=None):
    """Decisions that overrode the classification (R6), for the monthly normativity check (R12)."""
    from yekuo.approvals.models import WorksDecision

    rows = queryset if queryset is not None else WorksDecision.objects.all()
    return rows.filter(overridden=True).select_related("order", "recorded_by").order_by("recorded_at")
