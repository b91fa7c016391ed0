"""The state of an order's grid supporting works as the page, the API and the letter read it (R6, R7):
the current decision with each criterion, what it set, the filing, the approval and its answers, the route
consultations with their conflicts, and what is still open (the gate)."""

from __future__ import annotations

from django.utils import timezone

from yekuo.approvals.gate import open_items
from yekuo.approvals.models import ApprovalRequest, Consultation, Filing, WorksDecision
from yekuo.approvals.works import approval_limit
from yekuo.regulations.limits import number


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def decision_dict(decision: WorksDecision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "low_risk": decision.low_risk,
        "classified_low_risk": decision.classified_low_risk,
        "overridden": decision.overridden,
        "override_reason": decision.override_reason,
        "rule_set": decision.rule_set,
        "classified_on": decision.classified_on.isoformat(),
        "facts": decision.facts,
        "design_unit": decision.design_unit,
        "route_description": decision.route_description,
        "reasons": decision.classification,
        "approval_limit_days": None if decision.limit_days is None else number(decision.limit_days),
        "recorded_by": str(decision.recorded_by),
        "recorded_at": _iso(decision.recorded_at),
        "event_seq": decision.event_seq,
    }


def works_state(order) -> dict:
    """Everything recorded about the order's works, in the API's JSON shape (times in Asia/Shanghai)."""
    decision = WorksDecision.objects.filter(order=order).order_by("-recorded_at", "-pk").select_related("recorded_by")
    decisions = list(decision)
    filing = Filing.objects.filter(order=order).select_related("filed_by").first()
    request = ApprovalRequest.objects.filter(order=order).prefetch_related("answers").first()
    consultations = Consultation.objects.filter(order=order).prefetch_related("conflicts")
    return {
        "order": order.number,
        "category": order.category,
        "limits": {"low_risk": _limit(order, True), "not_low_risk": _limit(order, False)},
        "decision": decision_dict(decisions[0] if decisions else None),
        "history": [decision_dict(d) for d in decisions[1:]],
        "filing": None
        if filing is None
        else {
            "letter_number": filing.letter_number,
            "filed_at": _iso(filing.filed_at),
            "filed_by": str(filing.filed_by),
            "platform_message": filing.message_id or None,
        },
        "approval": None
        if request is None
        else {
            "authorities": request.authorities,
            "submitted_at": _iso(request.submitted_at),
            "approved_at": _iso(request.approved_at),
            "platform_message": request.message_id or None,
            "answers": [
                {"authority": a.authority, "verdict": a.verdict, "note": a.note, "answered_at": _iso(a.answered_at)}
                for a in request.answers.all()
            ],
        },
        "consultations": [
            {
                "id": c.pk,
                "owner_kind": c.owner_kind,
                "owner_name": c.owner_name,
                "request": c.request,
                "requested_at": _iso(c.requested_at),
                "answer": c.answer,
                "answered_at": _iso(c.answered_at),
                "conflicts": [
                    {
                        "id": x.pk,
                        "description": x.description,
                        "found_at": _iso(x.found_at),
                        "resolution": x.resolution,
                        "resolved_at": _iso(x.resolved_at),
                    }
                    for x in c.conflicts.all()
                ],
            }
            for c in consultations
        ],
        "open": [{"kind": kind, "message": text} for kind, text in open_items(order)],
        "platform": _platform(order),
    }


def _platform(order) -> list[dict]:
    """What was sent to the construction-approval platform about the works, and each delivery's state."""
    from django.apps import apps

    if not apps.is_installed("yekuo.outbox"):
        return []
    from yekuo.outbox.selectors import messages_for_order

    return [
        {"kind": r["kind"], "message_id": r["message_id"], "destination": r["destination"], "state": r["state"],
         "state_label": str(r["state_label"]), "attempts": r["attempts"], "delivered_at": _iso(r["delivered_at"])}
        for r in messages_for_order(order, "approval.")
    ]  # fmt: skip


def _limit(order, low_risk: bool):
    days = approval_limit(order, low_risk)
    return None if days is None else number(days)
