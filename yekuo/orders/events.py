"""The event types of a work order's log (REQUIREMENTS R16, §5): one registry, read by the services, the API,
the control layer's ingest, replay and the pages.

For each type: who may send it (the permission a staff member needs, `accounts.permissions`; None for
the events only yekuo itself writes), its label (a Chinese msgid; English in yekuo/locale), the check of
its payload, whether the control layer may send it (`POST /api/v1/events`, `yekuo orders ingest`), and
whether a regulation file may name it (`regulations.codes.EVENTS`, derived from here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yekuo.common.errors import InvalidInput
from yekuo.orders.validation import check_approval_inputs


def _text(key: str, field: str, message: str) -> Callable[[dict], None]:
    def check(payload: dict) -> None:
        value = payload.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(message, field=field)

    return check


def _changes(payload: dict) -> None:
    changes = payload.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("order.edited needs changes: {field: {from, to}} (O8)", field="changes")


def _approval(payload: dict) -> None:
    if not isinstance(payload.get("low_risk"), bool):
        raise InvalidInput("approval.decided needs low_risk: true or false (R6)", field="low_risk")
    if "inputs" in payload:  # the R6 facts it was decided on, checked like the rest of the payload (O8)
        check_approval_inputs(payload["inputs"])


_NODE = _text("node", "node", "the node is required")

# R4: the units a joint application may go to (水电气暖讯联合报装).
JOINT_UNITS = ("water", "gas", "heating", "telecom")


def _joint(payload: dict) -> None:
    """R4: the customer's answer to the offer of joint application, and the units chosen when taken."""
    accepted, units = payload.get("accepted"), payload.get("units", [])
    if not isinstance(accepted, bool):
        raise InvalidInput("joint.offered needs accepted: true or false (R4)", field="accepted")
    if not isinstance(units, list) or any(u not in JOINT_UNITS for u in units) or len(set(units)) != len(units):
        raise InvalidInput(f"units must be distinct codes of: {', '.join(JOINT_UNITS)}", field="units")
    if accepted and not units:
        raise InvalidInput("a joint application taken needs at least one unit (R4)", field="units")
    if not accepted and units:
        raise InvalidInput("a joint application declined has no units", field="units")


def _rating(payload: dict) -> None:
    """R1: the customer's rating of the service once energized: {"score": 1–5, "comment": str} (read as is by
    the return visits)."""
    score, comment = payload.get("score"), payload.get("comment")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("customer.rated needs score: an integer from 1 to 5", field="score")
    if not isinstance(comment, str) or len(comment) > 500:
        raise InvalidInput("customer.rated needs comment: a text of at most 500 characters", field="comment")
    if set(payload) - {"score", "comment"}:
        raise InvalidInput("customer.rated has only score and comment", field="payload")


def _contract(payload: dict) -> None:
    """R1: the supply contract signed online: {"version": the contract text's version, "sha256": the signed
    PDF's digest} (who signed, and the file, are kept by customers.ContractSignature)."""
    version, digest = payload.get("version"), payload.get("sha256")
    if not isinstance(version, str) or not version.strip():
        raise InvalidInput("customer.contract_signed needs version: the contract text's version", field="version")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput("customer.contract_signed needs sha256: 64 lowercase hex digits", field="sha256")
    if set(payload) - {"version", "sha256"}:
        raise InvalidInput("customer.contract_signed has only version and sha256", field="payload")


@dataclass(frozen=True)
class EventType:
    code: str
    label: Promise
    permission: str | None  # what a staff member needs to send it; None: written by yekuo itself
    ingest: bool = False  # the control layer may send it
    customer: bool = False  # something the customer did, recorded on their behalf
    regulation: bool = False  # a regulation file may name it: to start or stop a clock, decide a condition, in [rules]
    check: Callable[[dict], None] | None = None  # raises InvalidInput when the payload lacks what the type needs

    def check_payload(self, payload: dict) -> None:
        if self.check is not None:
            self.check(payload)


EVENT_TYPES: dict[str, EventType] = {
    t.code: t
    for t in (
        EventType("order.created", _("创建工单"), "order.create", ingest=True),
        EventType("order.received", _("接收工单"), "order.receive", ingest=True, regulation=True),
        # O8: a correction of the order's data, checked by the data rules of a new order (services.order_edit).
        EventType("order.edited", _("修改工单信息"), "order.edit", check=_changes),
        EventType("order.assigned", _("指派责任人"), "order.assign", check=_NODE),
        EventType("node.completed", _("完成节点"), "node.complete", ingest=True, regulation=True,
                  check=_NODE),
        EventType("approval.decided", _("认定审批方式"), "approval.decide", ingest=True, regulation=True,
                  check=_approval),
        EventType("customer.design_submitted", _("客户提交设计文件"), "customer.record", ingest=True, customer=True,
                  regulation=True),
        EventType("customer.inspection_requested", _("客户申请中间检查"), "customer.record", ingest=True,
                  customer=True, regulation=True),
        EventType("customer.works_completed", _("客户侧工程完工"), "customer.record", ingest=True, customer=True,
                  regulation=True),
        # I5: the reason is one of the configured SuspensionReason rows; the services check it against them.
        EventType("suspension.started", _("暂停计时"), "order.suspend", ingest=True, regulation=True,
                  check=_text("reason", "reason_code", "a suspension needs a reason code (I5)")),
        EventType("suspension.ended", _("恢复计时"), "order.resume", ingest=True, regulation=True),
        # I5: a reviewer approves or rejects a flagged suspension, or confirms a back-dated entry.
        # I5: written by yekuo's periodic task when an open suspension passes YEKUO_SUSPENSION_REVIEW_DAYS.
        EventType("suspension.flagged", _("暂停时间过长，转审核"), None),
        EventType("suspension.approved", _("同意暂停计时"), "suspension.review"),
        EventType("suspension.rejected", _("驳回暂停计时"), "suspension.review"),
        EventType("entry.reviewed", _("核实补录"), "suspension.review"),
        EventType("order.cancelled", _("撤销工单"), "order.cancel", ingest=True, regulation=True,
                  check=_text("reason", "cancel_reason", "cancelling an order needs a reason")),
        EventType("order.reopened", _("重新开启工单"), "order.reopen", ingest=True,
                  check=_text("reason", "reopen_reason", "reopening an order needs a reason")),
        # R4: offered at acceptance; the customer's choice (taken with units, or declined).
        EventType("joint.offered", _("联合报装意愿"), "order.create", check=_joint),
        # R3 (审核派单): the customer service center moves an order to another branch (its clocks run on), or
        # answers a platform's application without taking it: returned for correction, or rejected.
        EventType("order.transferred", _("转派分公司"), "order.assign",
                  check=_text("reason", "transfer_reason", "moving an order to another branch needs a reason")),
        EventType("order.returned", _("退回平台"), "order.assign",
                  check=_text("reason", "return_reason", "returning an application needs a reason")),
        EventType("order.rejected", _("驳回申请"), "order.assign",
                  check=_text("reason", "reject_reason", "rejecting an application needs a reason")),
        # I7: written by the calendar recompute job, in the same transaction as the order's new clocks.
        EventType("calendar.recomputed", _("日历变更重算"), None),
        # R1: the customer rates the service after energization on their own progress page (customers.services).
        EventType("customer.rated", _("客户评价"), None, check=_rating),
        # R1: the customer signs the supply contract on their own progress page (customers.contract).
        EventType("customer.contract_signed", _("客户在线签订供用电合同"), None, check=_contract),
    )
}  # fmt: skip

CUSTOMER_EVENTS = tuple(code for code, t in EVENT_TYPES.items() if t.customer)
INGEST_TYPES = tuple(code for code, t in EVENT_TYPES.items() if t.ingest)
REGULATION_TYPES = frozenset(code for code, t in EVENT_TYPES.items() if t.regulation)
# What a person (or a replayed history) may record on an existing order: not its creation, not yekuo's own.
ACTION_TYPES = tuple(code for code, t in EVENT_TYPES.items() if t.permission and code != "order.created")


def event_type(code: str, field: str = "type") -> EventType:
    """The registered type of `code`; InvalidInput naming the known ones otherwise."""
    found = EVENT_TYPES.get(code)
    if found is None:
        raise InvalidInput(f"type {code!r} is not one of: {', '.join(EVENT_TYPES)}", field=field)
    return found


def label(code: str) -> str:
    """The type's name in the active language; the code itself for an unknown type."""
    found = EVENT_TYPES.get(code)
    return str(found.label) if found else code
