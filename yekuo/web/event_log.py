"""The order's log as people read it (O5): what was written with each entry is shown with it.

The note of a completed node (办理意见), the approval decision and the limit it set (R6, I2/I8), the reason
of a cancellation or reopening, of a suspension (its reason, evidence and review) and of a review. The
back-dated reason is the event's own `reason`, shown by the template beside its 补录 badge.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from yekuo.orders.models import SuspensionReason
from yekuo.regulations.limits import number
from yekuo.web import labels


def _approval_text(payload: dict, spec) -> str:
    low_risk = payload.get("low_risk")
    text = _("简易低风险：是（告知承诺备案）") if low_risk else _("简易低风险：否（需行政审批）")
    if spec.has_node("approval"):
        days = spec.clock_of("approval").limit.days({"low_risk": low_risk})
        text += " · " + _("办理行政审批（备案）手续时限 %(days)s 工作日") % {"days": number(days)}
    inputs = payload.get("inputs") if isinstance(payload.get("inputs"), dict) else {}
    if inputs.get("override_reason"):  # R6: a manager's override, flagged for the normativity check
        text += " · " + _("管理人员调整判定：%(reason)s") % {"reason": inputs["override_reason"]}
    return text


def _review_reasons(payload: dict) -> str:
    reasons = payload.get("review_reasons") or []
    return "、".join(str(labels.REVIEW_REASONS.get(r, r)) for r in reasons)


def details(event, spec, reasons: dict, users: dict) -> list[str]:
    """The lines written with one event, in the page's language."""
    payload, lines = event.payload or {}, []
    match event.type:
        case "node.completed":
            if payload.get("note"):
                lines.append(_("办理意见：%(note)s") % {"note": payload["note"]})
        case "approval.decided":
            lines.append(_approval_text(payload, spec))
        case "order.assigned":
            lines.append(_("责任人：%(user)s") % {"user": users.get(payload.get("assignee"), payload.get("assignee"))})
        case "order.cancelled" | "order.reopened":
            if payload.get("reason"):
                lines.append(_("原因：%(reason)s") % {"reason": payload["reason"]})
        case "suspension.started":
            reason = reasons.get(payload.get("reason"))
            name = labels.reason(reason) if reason else payload.get("reason")
            lines.append(_("暂停原因：%(reason)s") % {"reason": name})
            if payload.get("evidence"):
                lines.append(_("证明：%(note)s") % {"note": payload["evidence"]})
            if payload.get("review") == "pending":
                lines.append(_("须审核：%(why)s；审核通过前计时照常") % {"why": _review_reasons(payload)})
        case "suspension.ended":
            if payload.get("review") == "pending":
                lines.append(_("须审核：%(why)s；审核通过前不计暂停") % {"why": _review_reasons(payload)})
        case "entry.reviewed":
            verdict = _("已核实") if payload.get("approved") else _("有异议")
            lines.append(_("第 %(seq)s 项补录：%(verdict)s") % {"seq": payload.get("seq"), "verdict": verdict})
            if payload.get("note"):
                lines.append(_("审核意见：%(note)s") % {"note": payload["note"]})
        case "suspension.approved" | "suspension.rejected":
            lines.append(_("第 %(n)s 次暂停") % {"n": int(payload.get("suspension", 0)) + 1})
            if payload.get("note"):
                lines.append(_("审核意见：%(note)s") % {"note": payload["note"]})
    return lines


def event_rows(events, spec) -> list[dict]:
    """Each event with its label, its node's name and the lines written with it."""
    events = list(events)
    reasons = {r.code: r for r in SuspensionReason.objects.all()}
    assignees = {e.payload.get("assignee") for e in events if e.type == "order.assigned"}
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=[a for a in assignees if a])}
    rows = []
    for e in events:
        code = (e.payload or {}).get("node")
        rows.append(
            {
                "event": e,
                "label": labels.event(e.type),
                "node": labels.node(code, spec) if code else "",
                "details": details(e, spec, reasons, users),
            }
        )
    return rows


def completed_by(events) -> dict:
    """node code → the person who recorded its completion."""
    return {e.payload.get("node"): e.actor for e in events if e.type == "node.completed"}
