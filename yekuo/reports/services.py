"""Writes of the monthly analysis: the fees the customer paid (R12, cost to the customer; §3 of the notice).

A fee is recorded by those who take the customer's data (`order.edit`: the clerk, the customer manager, the
customer service center's dispatcher) within their scope, and never changed: a correction is a further row
with a negative amount and a note saying what it corrects.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope
from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders.validation import clean_text
from yekuo.reports.models import CustomerFee, FeeItem

MAX_AMOUNT = Decimal("9999999999.99")


def fee_record(order, *, actor, item: str, amount, charged_at: datetime, note: str = "") -> CustomerFee:
    require(actor, "order.edit")
    if not in_scope(actor, order.branch):
        raise Forbidden(f"{actor.username} may not record fees of {order.number}")
    if item not in FeeItem.values:
        raise InvalidInput(f"unknown fee item {item!r}; known: {', '.join(FeeItem.values)}", field="item")
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"amount must be a number of yuan, got {amount!r}", field="amount") from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise InvalidInput(f"amount out of range: {amount!r}", field="amount")
    if value < 0 and not note.strip():
        raise InvalidInput("a negative amount corrects an earlier fee: say which in the note", field="note")
    if timezone.is_naive(charged_at):
        raise InvalidInput("charged_at needs a time zone", field="charged_at")
    if charged_at < order.created_at or charged_at > timezone.now():
        raise InvalidInput("charged_at must lie between the application and now", field="charged_at")
    with transaction.atomic():
        return CustomerFee.objects.create(
            order=order, item=item, amount=value, charged_at=charged_at, note=clean_text(note, field="note"),
            recorded_by=actor,
        )  # fmt: skip
