"""R6 on a work order: the project manager records the facts of its grid supporting works, yekuo classifies
them under the rule set in force and records the decision as `approval.decided`, which sets the approval
clock's limit (I8, through the regulation's `low_risk` condition).

Notice §2 ¶1 (鄂电营销〔2022〕64号 二、): 对于供电电压在10千伏及以下……的简易低风险工程，免于办理行政审批，实行
告知承诺备案制管理，在施工前完成备案即可……其他业扩配套工程压缩行政审批办理时限至3个工作日内.
A manager may override the classification with a reason (`approval.override`); the override is kept on
the decision and in the event, and listed for the monthly normativity check (R12).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope
from yekuo.approvals.facts import Facts
from yekuo.approvals.models import WorksDecision
from yekuo.approvals.selectors import works_classify
from yekuo.common.errors import Conflict, Forbidden, InvalidInput
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.projection import WorkflowError
from yekuo.regulations.selectors import regulation_get


def check_actor(actor, action: str, order: WorkOrder) -> None:
    """The action's right and the order's scope (R15), as the orders services check them."""
    if actor is None:
        raise Forbidden("an action on an order needs a signed-in user")
    require(actor, action)
    if not in_scope(actor, order.branch):
        raise Forbidden(f"{actor} may not act on orders of {order.branch}")


def check_open(order: WorkOrder) -> None:
    """The works of an energized or cancelled order are no longer recorded."""
    if order.status in ("energized", "cancelled"):
        raise WorkflowError(f"order {order.number} is {order.status}: its works can no longer be recorded")


def check_time(occurred_at: datetime | None, not_before: datetime, field: str = "occurred_at") -> datetime:
    """The time of a record of the works (default now): with a UTC offset, not in the future — a submission
    dated ahead would make every real answer precede it — and not before what it follows."""
    occurred_at = occurred_at or timezone.now()
    if occurred_at.tzinfo is None:
        raise InvalidInput("the time must include a UTC offset", field=field)
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise InvalidInput("the time is in the future", field=field)
    if occurred_at < not_before:
        raise InvalidInput("the time is before what it answers", field=field)
    return occurred_at


def approval_limit(order: WorkOrder, low_risk: bool) -> float | None:
    """The approval clock's limit the decision sets (I8), from the order's regulation; None without the node."""
    category = regulation_get(order.regulation_code).category(order.category)
    if not category.has_node("approval"):
        return None
    return category.clock_of("approval").limit.days({"low_risk": low_risk})


def facts_dict(facts: Facts) -> dict:
    data = asdict(facts)
    data["route"] = list(facts.route)
    return data


def works_decide(
    order: WorkOrder,
    *,
    actor,
    facts: Facts,
    design_unit: str = "",
    route_description: str = "",
    override_low_risk: bool | None = None,
    override_reason: str = "",
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
    reason: str = "",
) -> WorksDecision:
    """Record the facts, classify (R6) and decide; an override needs `approval.override` and a reason.

    Categories with an approval node (I6: not low-voltage residential) record `approval.decided` in the
    same transaction, which sets the approval clock (I8). Once the filing is recorded or the approval
    submitted, the decision stands: withdraw them first (not offered) — the platform has been told.
    """
    check_actor(actor, "approval.decide", order)
    check_open(order)
    occurred_at = occurred_at or timezone.now()
    on = timezone.localdate(occurred_at)
    classification = works_classify(facts, on)
    low_risk = classification.low_risk
    overridden = override_low_risk is not None and override_low_risk != classification.low_risk
    override_reason = override_reason.strip()
    if overridden:
        check_actor(actor, "approval.override", order)
        if not override_reason:
            raise InvalidInput("an override of the classification needs a reason (R6)", field="override_reason")
        low_risk = override_low_risk
    elif override_reason:
        override_reason = ""  # the decision is the classification's: nothing was overridden
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        if hasattr(order, "filing"):
            raise Conflict("the filing of these works is recorded; the decision can no longer change", field="facts")
        if hasattr(order, "approval_request"):
            raise Conflict("the approval of these works was submitted; the decision can no longer change",
                           field="facts")  # fmt: skip
        limit = approval_limit(order, low_risk)
        decision = WorksDecision(
            order=order, facts=facts_dict(facts), design_unit=design_unit.strip(),
            route_description=route_description.strip(), rule_set=classification.rule_set, classified_on=on,
            classification=[r.as_dict() for r in classification.results],
            classified_low_risk=classification.low_risk, low_risk=low_risk, overridden=overridden,
            override_reason=override_reason, limit_days=limit, recorded_by=actor, recorded_at=occurred_at,
        )  # fmt: skip
        if limit is not None:
            inputs = {
                "facts": decision.facts,
                "rule_set": classification.rule_set,
                "classified_low_risk": classification.low_risk,
                "failed": [r.criterion for r in classification.results if not r.passed],
            }
            if overridden:
                inputs["override_reason"] = override_reason
            row = services.approval_decide(
                order, actor=actor, low_risk=low_risk, inputs=inputs, occurred_at=occurred_at, source=source,
                reason=reason,
            )  # fmt: skip
            decision.event_seq = row.seq
        decision.save()
    return decision


def decided(order: WorkOrder, *, low_risk: bool) -> WorksDecision:
    """The order's current decision, which must be `low_risk` (filing) or not (approval)."""
    from yekuo.approvals.selectors import current_decision

    decision = current_decision(order)
    if decision is None or decision.limit_days is None:
        raise InvalidInput("record the facts of the works and the decision first (R6)", field="decision")
    if decision.low_risk != low_risk:
        problem = "need an approval, not a filing" if low_risk else "are low-risk: they are filed, not approved"
        raise InvalidInput(f"these works {problem} (R6)", field="decision")
    return decision
