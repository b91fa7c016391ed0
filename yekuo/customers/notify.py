"""The customer hears of their online application by SMS (R1): the callbacks the intake sends to the `online`
platform (application.accepted / returned / rejected, order.node_completed, order.energized; intake.callbacks)
are delivered by the transport `customer_notice`, which turns each into a short message to the phone on file and
sends it to the SMS gateway as the `sms` transport does (monitoring.transports.send_sms: same body, same
answer rules). The outbox retries it like any delivery. A message with nothing to tell (no phone on file, a kind
not listed) is delivered as nothing."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import override

from yekuo.outbox.transports import Result


def notice_text(kind: str, payload: dict, order) -> str | None:
    from yekuo.web import labels
    from yekuo.web.presenters import spec_of

    number = payload.get("order") or order.number
    with override("zh-hans"):
        if kind == "application.accepted":
            return _("【供电公司】您的用电申请 %(number)s 已受理，由%(branch)s办理。") % {
                "number": number, "branch": payload.get("branch_name", "")}  # fmt: skip
        if kind == "application.returned":
            return _("【供电公司】您的用电申请 %(number)s 需补正：%(reason)s") % {
                "number": number, "reason": payload.get("reason", "")}  # fmt: skip
        if kind == "application.rejected":
            return _("【供电公司】您的用电申请 %(number)s 未予受理：%(reason)s") % {
                "number": number, "reason": payload.get("reason", "")}  # fmt: skip
        if kind == "order.node_completed":
            node = labels.node(payload.get("node", ""), spec_of(order))
            return _("【供电公司】您的用电申请 %(number)s 已完成“%(node)s”。") % {"number": number, "node": node}
        if kind == "order.energized":
            return _("【供电公司】您的用电申请 %(number)s 已正式接电，欢迎在办电进度页为我们的服务评价。") % {
                "number": number}  # fmt: skip
    return None


def send_notice(destination, message) -> Result:
    from yekuo.monitoring.transports import send_sms

    order = message.order
    text = notice_text(message.kind, message.payload, order) if order is not None else None
    if not text or not (order.customer_phone or "").strip():
        return Result(True, response_excerpt="nothing to tell the customer")
    sms = SimpleNamespace(id=message.id, payload={
        "phone": order.customer_phone, "text": text, "template": message.kind, "params": {"order": order.number},
    })  # fmt: skip
    return send_sms(destination, sms)
