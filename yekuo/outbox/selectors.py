"""Reads of the outbox: the messages of an order with each destination's state (shown on the order page)."""

from django.utils.translation import gettext_lazy as _

from yekuo.outbox.models import Delivery, DeliveryState

# A partner's view of a delivery (R4: 已发送 / 已接收 / 已答复 / 发送失败).
PARTNER_STATES = {
    "sent": _("已发送"),
    "received": _("已接收"),
    "answered": _("已答复"),
    "failed": _("发送失败"),
}


def partner_state(delivery: Delivery) -> str:
    if delivery.answered_at:
        return "answered"
    if delivery.state == DeliveryState.DELIVERED:
        return "received"
    if delivery.state == DeliveryState.FAILED:
        return "failed"
    return "sent"


def delivery_row(delivery: Delivery) -> dict:
    state = partner_state(delivery)
    return {
        "delivery_id": delivery.pk,
        "message_id": str(delivery.message_id),
        "kind": delivery.message.kind,
        "key": delivery.message.key,
        "created_at": delivery.message.created_at,
        "destination": delivery.destination.code,
        "destination_name": delivery.destination.name or delivery.destination.code,
        "state": delivery.state,
        "state_label": delivery.get_state_display(),
        "partner_state": state,
        "partner_state_label": PARTNER_STATES[state],
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.state == DeliveryState.PENDING else None,
        "delivered_at": delivery.delivered_at,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "answered_at": delivery.answered_at,
        "answer": delivery.answer,
    }


def messages_for_order(order, kind_prefix: str | None = None) -> list[dict]:
    """One row per (message, destination) of the order, oldest first: what was sent where, and its state."""
    rows = Delivery.objects.filter(message__order=order).select_related("message", "destination")
    if kind_prefix:
        rows = rows.filter(message__kind__startswith=kind_prefix)
    return [delivery_row(d) for d in rows.order_by("message__created_at", "destination__code")]
