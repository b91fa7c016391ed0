"""Which actions a user may take on an order, and how each one calls its service (O5).

A form is offered when the user's roles grant the action (`permissions.can`) and the order's state makes
it meaningful; the services still check role, scope and state themselves, and whatever they refuse is
shown on the form. Nothing here changes an order except through `yekuo.orders.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yekuo.accounts.permissions import can
from yekuo.accounts.selectors import users_with_role
from yekuo.intake.selectors import waits_for_dispatch
from yekuo.orders import services
from yekuo.orders.events import CUSTOMER_EVENTS
from yekuo.orders.models import WorkOrder
from yekuo.web import action_forms as f
from yekuo.web import labels
from yekuo.web.presenters import node_rows, spec_of

OPEN = ("created", "in_transit", "suspended")


@dataclass(frozen=True)
class Action:
    key: str
    title: Any
    form: type
    permission: str
    style: str = "primary"


ACTIONS = {
    a.key: a
    for a in (
        Action("receive", gettext_lazy("接收工单"), f.ReceiveForm, "order.receive"),
        Action("complete", gettext_lazy("完成节点"), f.CompleteForm, "node.complete", "success"),
        Action("customer", gettext_lazy("登记客户事项"), f.CustomerEventForm, "customer.record"),
        Action("suspend", gettext_lazy("暂停计时"), f.SuspendForm, "order.suspend", "warning"),
        Action("resume", gettext_lazy("恢复计时"), f.ResumeForm, "order.resume", "success"),
        Action("assign", gettext_lazy("指派责任人"), f.AssignForm, "order.assign", "secondary"),
        Action("cancel", gettext_lazy("撤销工单"), f.CancelForm, "order.cancel", "danger"),
        Action("reopen", gettext_lazy("重新开启"), f.ReopenForm, "order.reopen", "secondary"),
        Action("edit", gettext_lazy("修改工单信息"), f.EditForm, "order.edit", "secondary"),
        Action("joint", gettext_lazy("水电气暖讯联合报装"), f.JointForm, "order.create", "secondary"),
    )
}


def _works(user, role: str) -> bool:
    """May the user complete a node of this role (the services' own rule, shown before they refuse)."""
    return user.is_superuser or role in user.role_codes or bool(user.role_codes & services.NODE_OVERRIDE_ROLES)


def _form_kwargs(key: str, user, order: WorkOrder) -> dict:
    """The choices each form offers on this order."""
    if key == "complete":
        return {"nodes": [r for r in node_rows(order) if r.node.state == "active" and _works(user, r.node.role)]}
    if key == "customer":
        spec = spec_of(order)
        waiting = {c.code for c in order.clocks.all() if c.requested_at is None}
        begun = {n.code for n in order.nodes.all() if n.state != "waiting"}

        def reachable(clock) -> bool:  # the fold's rule (projection._check_customer_reach), offered before it refuses
            return all(p in begun for p in spec.node(clock.nodes[0]).predecessors)

        events = [
            e
            for e in CUSTOMER_EVENTS
            if any(c.start_for(order.channel).event == e and c.code in waiting and reachable(c) for c in spec.clocks)
        ]
        return {"events": events}
    if key == "edit":
        return {"order": order}
    if key == "assign":
        groups = []
        for row in node_rows(order):
            if row.node.state == "done":
                continue
            people = [(f"{row.node.code}:{u.pk}", str(u)) for u in users_with_role(row.node.role, order.branch)]
            if people:
                groups.append((f"{row.name}（{row.role}）", people))
        return {"targets": groups}
    return {}


def _meaningful(key: str, order: WorkOrder, kwargs: dict) -> bool:
    status = order.status
    match key:
        case "receive":
            # A platform's order waiting in the dispatch queue is received by dispatching it (R3, /intake/).
            return status == "created" and not waits_for_dispatch(order)
        case "complete":
            return status == "in_transit" and bool(kwargs["nodes"])
        case "customer":
            return status == "in_transit" and bool(kwargs["events"])
        case "suspend":
            return status == "in_transit"
        case "resume":
            return status == "suspended"
        case "assign":
            return status in OPEN and bool(kwargs["targets"])
        case "cancel":
            return status in OPEN
        case "reopen":
            return status == "cancelled"
        case "edit":
            return status in OPEN
        case "joint":  # R4: offered once, at acceptance (while the order is open and the choice not recorded)
            return status in OPEN and not order.events.filter(type="joint.offered").exists()
    return False


def permitted(user, key: str) -> bool:
    return key in ACTIONS and can(user, ACTIONS[key].permission)


def make_form(key: str, user, order: WorkOrder, data=None, files=None):
    return ACTIONS[key].form(data, files, prefix=key, **_form_kwargs(key, user, order))


def offered(user, order: WorkOrder, failed: tuple[str, Any] | None = None) -> list[tuple[Action, Any]]:
    """(action, form) for every action the user may take on the order now; `failed` is a bound form
    (key, form) that the page shows again with its errors."""
    found = []
    for key, action in ACTIONS.items():
        if not permitted(user, key):
            continue
        if failed and failed[0] == key:
            found.append((action, failed[1]))
            continue
        kwargs = _form_kwargs(key, user, order)
        if _meaningful(key, order, kwargs):
            found.append((action, action.form(prefix=key, **kwargs)))
    return found


def run(key: str, form, user, order: WorkOrder) -> str:
    """Call the action's service with the form's data; return the success message."""
    data, common = form.cleaned_data, form.service_kwargs()
    match key:
        case "receive":
            services.order_receive(order, actor=user, **common)
            return _("工单已接收")
        case "complete":
            services.node_complete(order, actor=user, node=data["node"], note=data["note"], **common)
            return _("已完成节点：%(node)s") % {"node": labels.node(data["node"], spec_of(order))}
        case "customer":
            services.customer_event(order, data["type"], actor=user, **common)
            return _("已登记：%(event)s") % {"event": labels.event(data["type"])}
        case "suspend":
            services.order_suspend(
                order,
                actor=user,
                reason_code=data["reason_code"].code,
                evidence_note=data["evidence_note"],
                evidence_file=data["evidence_file"],
                **common,
            )
            return _("已暂停计时：%(reason)s") % {"reason": labels.reason(data["reason_code"])}
        case "resume":
            services.order_resume(order, actor=user, **common)
            return _("已恢复计时")
        case "assign":
            node, assignee = form.node_and_user()
            services.order_assign(order, actor=user, node=node, assignee=assignee)
            return _("已指派责任人")
        case "cancel":
            services.order_cancel(order, actor=user, cancel_reason=data["cancel_reason"], **common)
            return _("工单已撤销")
        case "reopen":
            services.order_reopen(order, actor=user, reopen_reason=data["reopen_reason"], **common)
            return _("工单已重新开启")
        case "edit":
            services.order_edit(order, actor=user, changes=form.changes(), note=data["note"])
            return _("工单信息已修改")
        case "joint":
            from yekuo.partners.services import joint_choice_record

            joint_choice_record(order, actor=user, accepted=data["accepted"], units=data["units"], **common)
            return _("已登记联合报装，正在推送至所选单位") if data["accepted"] else _("已登记：客户不需要联合报装")
    raise ValueError(key)
