"""R6: the notification-and-commitment filing (告知承诺备案) of simple low-risk works, before construction
(notice §2 ¶1: 免于办理行政审批，实行告知承诺备案制管理，在施工前完成备案即可).

Recording the filing writes its commitment letter's number, queues the filing to the construction-approval
platform through the outbox, and completes the approval node (办理行政审批（备案）手续) at the filing's time,
which stops the approval clock and starts the grid works' (Attachment 1: 从备案手续办结后开始计算).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from yekuo.approvals import platform
from yekuo.approvals.models import Filing
from yekuo.approvals.works import check_actor, decided
from yekuo.common.errors import Conflict
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder


def letter_number(order: WorkOrder) -> str:
    return f"BA{order.number}"


def filing_record(
    order: WorkOrder,
    *,
    actor,
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
    reason: str = "",
) -> Filing:
    """Record the filing of the order's low-risk works (the decision must say low-risk)."""
    check_actor(actor, "approval.decide", order)
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        decision = decided(order, low_risk=True)
        if Filing.objects.filter(order=order).exists():
            raise Conflict("the filing of these works is already recorded")
        filing = Filing.objects.create(
            order=order, decision=decision, letter_number=letter_number(order), filed_at=occurred_at,
            filed_by=actor,
        )  # fmt: skip
        filing.message_id = platform.send_about(
            "approval.filed", order, decision, letter_number=filing.letter_number, filed_at=occurred_at.isoformat()
        )
        filing.save(update_fields=["message_id"])
        services.node_complete(
            order, actor=actor, node="approval", note=f"告知承诺备案 {filing.letter_number}",
            occurred_at=occurred_at, source=source, reason=reason,
        )  # fmt: skip
    return filing
