"""The order's log as people read it (O5): what was written with each entry is shown with it.

A correction of the order's data (what changed, from → to), the note of a completed node (办理意见), the
approval decision and the limit it set (R6, I2/I8), the reason of a cancellation or reopening, of a
suspension (its reason, evidence and review) and of a review. The back-dated reason is the event's own
`reason`, shown by the template beside its 补录 badge.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yekuo.accounts.models import ServiceArea
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


# The fields an order.edited event may name (services.order_edit), as the counter form labels them.
EDITED_FIELDS = {
    "customer_name": _lazy("客户名称"),
    "customer_id_number": _lazy("证件号码"),
    "customer_phone": _lazy("联系电话"),
    "customer_notice": _lazy("告知方式"),
    "site_address": _lazy("用电地址"),
    "service_area": _lazy("营业区"),
    "capacity_kva": _lazy("申请容量(kVA)"),
    "voltage": _lazy("供电电压"),
}


def _edit_lines(payload: dict) -> list[str]:
    lines = []
    for field, change in (payload.get("changes") or {}).items():
        before, after = (change or {}).get("from") or "—", (change or {}).get("to") or "—"
        if field == "service_area":
            names = dict(ServiceArea.objects.filter(code__in=[before, after]).values_list("code", "name"))
            before, after = names.get(before, before), names.get(after, after)
        name = EDITED_FIELDS.get(field, field)
        lines.append(_("%(field)s：%(before)s → %(after)s") % {"field": name, "before": before, "after": after})
    if payload.get("note"):
        lines.append(_("修改说明：%(note)s") % {"note": payload["note"]})
    return lines


def _review_reasons(payload: dict) -> str:
    reasons = payload.get("review_reasons") or []
    return labels.join(labels.REVIEW_REASONS.get(r, r) for r in reasons)


def _branch_names(order_id, *codes) -> dict[str, str]:
    """The names of the branches (codes) of the order's company."""
    from django.db.models import Subquery

    from yekuo.accounts.models import Branch
    from yekuo.orders.models import WorkOrder

    company = Subquery(WorkOrder.objects.filter(pk=order_id).values("branch__company_id")[:1])
    branches = Branch.objects.filter(company_id=company, code__in=[c for c in codes if c])
    return dict(branches.values_list("code", "name"))


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
        case "order.edited":
            lines.extend(_edit_lines(payload))
        case "order.received" if payload.get("branch"):
            # R3: dispatched from the queue, to the proposed branch or another.
            names = _branch_names(event.order_id, payload.get("branch"), payload.get("proposed_branch"))
            lines.append(_("派单至：%(branch)s") % {"branch": names.get(payload["branch"], payload["branch"])})
            if payload.get("proposed_branch") and payload["proposed_branch"] != payload["branch"]:
                proposed = payload["proposed_branch"]
                lines.append(_("系统建议：%(branch)s") % {"branch": names.get(proposed, proposed)})
        case "order.transferred":
            names = _branch_names(event.order_id, payload.get("from"), payload.get("to"))
            lines.append(_("由 %(source)s 转派至 %(target)s") % {
                "source": names.get(payload.get("from"), payload.get("from")),
                "target": names.get(payload.get("to"), payload.get("to"))})  # fmt: skip
            lines.append(_("原因：%(reason)s") % {"reason": payload.get("reason", "")})
        case "order.cancelled" | "order.reopened" | "order.returned" | "order.rejected":
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
        case "suspension.flagged":
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
