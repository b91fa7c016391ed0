"""What the customer's progress page and the acceptance slip show (R1), in plain words.

Where the order is, which role is on it (never a staff member's name or phone), when the next step is due (the
deadline of the clock that runs, from the clock engine), and why it is suspended. Everything comes from the
order's projection (nodes, clocks, suspensions) and its regulation version (R14); nothing is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.intake.models import ApplicationState
from yekuo.orders.models import OrderStatus, WorkOrder
from yekuo.orders.selectors import mask, time_split
from yekuo.partners.models import VerificationState
from yekuo.web import labels
from yekuo.web.presenters import node_rows, spec_of, timeline


@dataclass
class Step:
    code: str
    name: str
    role: str
    state: str  # waiting / active / done / skipped (the node's state)
    state_text: str
    completed_at: object = None
    due_at: object = None  # the deadline of the clock that runs while this node is worked, when it runs


def _due_by_node(rows) -> dict:
    due = {}
    for row in rows:
        if row.kind == "clock" and row.clock.state in ("running", "paused"):
            for code in row.clock.nodes:
                due[code] = row.clock.deadline_at
    return due


def progress(order: WorkOrder) -> dict:
    """The customer's view of `order` (see the module's docstring)."""
    rows = timeline(order)
    due = _due_by_node(rows)
    steps = [
        Step(n.node.code, n.name, n.role, n.node.state, n.state, n.node.completed_at,
             due.get(n.node.code) if n.node.state == "active" else None)
        for n in node_rows(order)
    ]  # fmt: skip
    current = [s for s in steps if s.state == "active"]
    suspension = next((r for r in rows if r.kind == "suspension" and r.suspension.ended_at is None), None)
    queued = getattr(getattr(order, "application", None), "state", None) == ApplicationState.QUEUED
    waiting = order.verifications.filter(state=VerificationState.WAITING).exists()
    if order.status == OrderStatus.ENERGIZED:
        summary = _("您的申请已办结，已正式接电。")
    elif order.status == OrderStatus.CANCELLED:
        summary = _("该申请已撤销。")
    elif queued or order.received_at is None:
        summary = _("您的申请已提交，客户服务中心正在审核并派发至所属供电分公司。")
    elif suspension is not None:
        summary = _("办理暂停计时：%(reason)s。问题解决后将继续办理，暂停期间不计入供电企业时限。") % {
            "reason": suspension.reason
        }
    elif current:
        summary = _("正在办理：%(steps)s。") % {"steps": "、".join(f"{s.name}（{s.role}）" for s in current)}
    else:
        summary = _("正在办理。")
    return {
        "order": order,
        "customer": mask(order.customer_name, 1, 1),
        "status": dict(OrderStatus.choices).get(order.status, order.status),
        "category": labels.category(order.category),
        "channel": labels.channel(order.channel),
        "summary": summary,
        "steps": steps,
        "current": current,
        "next_due": min((s.due_at for s in current if s.due_at), default=None),
        "suspension": suspension,
        "verifying": waiting,
        "time": time_split(order),
        "energized": order.status == OrderStatus.ENERGIZED,
    }


@dataclass
class SlipRow:
    nodes: str
    role: str
    limit: str
    rule: str
    deadline_at: object


def slip_rows(order: WorkOrder) -> list[SlipRow]:
    """The promised time of each node as the order's regulation sets it (R14): its limit in working days, the
    rule its clock starts by, and the deadline the clock engine computed once the clock has started."""
    spec = spec_of(order)
    clocks = {c.code: c for c in order.clocks.all()}
    rows = []
    for clock_spec in spec.clocks:
        clock = clocks.get(clock_spec.code)
        first = spec.node(clock_spec.nodes[0])
        rows.append(SlipRow(
            nodes=" → ".join(labels.node(code, spec) for code in clock_spec.nodes),
            role=labels.role(first.role),
            limit=_("%(days)s 个工作日") % {"days": clock_spec.limit.display()},
            rule=clock_spec.rule,
            deadline_at=clock.deadline_at if clock is not None and clock.started_at else None,
        ))  # fmt: skip
    return rows


def slip(order: WorkOrder) -> dict:
    spec = spec_of(order)
    return {
        "order": order,
        "category": labels.category(order.category),
        "channel": labels.channel(order.channel),
        "rows": slip_rows(order),
        "critical_path": spec.critical_path.display(),
        "company": order.branch.company.name,
        "branch": order.branch.name,
        "printed_at": timezone.now(),
        "phone": mask(order.customer_phone),
    }
