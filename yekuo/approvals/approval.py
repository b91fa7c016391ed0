"""R6: the administrative approval of works that are not simple low-risk, within 3 working days (notice §2
¶1: 其他业扩配套工程压缩行政审批办理时限至3个工作日内).

The project manager submits the application to the authorities concerned (recorded, and sent to the
construction-approval platform through the outbox), records each authority's answer, and the approval is
granted when every one of them has approved: the approval node (办理行政审批（备案）手续) is then completed at
that time, which stops the approval clock (3 days, I8) and starts the grid works'. An answer asking for
missing documents may start a suspension (I5, reason `documents_missing`) as any other suspension does.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from yekuo.approvals import platform
from yekuo.approvals.models import ApprovalRequest, AuthorityAnswer
from yekuo.approvals.works import check_actor, check_open, check_time, decided
from yekuo.common.errors import Conflict, InvalidInput
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder


def _authorities(names) -> list[str]:
    clean = []
    for name in names or ():
        name = str(name).strip()
        if name and name not in clean:
            clean.append(name[:100])
    if not clean:
        raise InvalidInput("name at least one authority the application goes to", field="authorities")
    return clean


def approval_submit(
    order: WorkOrder,
    *,
    actor,
    authorities,
    occurred_at: datetime | None = None,
    source: str = EventSource.WEB,
) -> ApprovalRequest:
    check_actor(actor, "approval.decide", order)
    names = _authorities(authorities)
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        check_open(order)  # the platform is never told of a cancelled or energized order's works
        decision = decided(order, low_risk=False)
        if ApprovalRequest.objects.filter(order=order).exists():
            raise Conflict("the approval of these works is already submitted")
        if occurred_at is not None and occurred_at < decision.recorded_at:
            raise InvalidInput("the submission cannot precede the decision", field="occurred_at")
        occurred_at = check_time(occurred_at, decision.recorded_at)
        request = ApprovalRequest.objects.create(
            order=order, decision=decision, authorities=names, submitted_at=occurred_at, submitted_by=actor
        )
        request.message_id = platform.send_about(
            "approval.submitted", order, decision, authorities=names, submitted_at=occurred_at.isoformat()
        )
        request.save(update_fields=["message_id"])
    return request


def approval_answer(
    order: WorkOrder,
    *,
    actor,
    authority: str,
    verdict: str,
    note: str = "",
    occurred_at: datetime | None = None,
    suspend: bool = False,
    source: str = EventSource.WEB,
    reason: str = "",
) -> AuthorityAnswer:
    """Record one authority's answer; the last approval completes the approval node at its time."""
    check_actor(actor, "approval.decide", order)
    if verdict not in dict(AuthorityAnswer.VERDICTS):
        raise InvalidInput(f"verdict must be one of {', '.join(dict(AuthorityAnswer.VERDICTS))}", field="verdict")
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        check_open(order)
        request = ApprovalRequest.objects.filter(order=order).first()
        if request is None:
            raise InvalidInput("the approval has not been submitted", field="authority")
        if request.approved_at is not None:
            raise Conflict("the approval is already granted")
        if authority not in request.authorities:
            raise InvalidInput(f"{authority!r} is not one of {', '.join(request.authorities)}", field="authority")
        if occurred_at is not None and occurred_at < request.submitted_at:
            raise InvalidInput("an answer cannot precede the submission", field="occurred_at")
        occurred_at = check_time(occurred_at, request.submitted_at)
        answer = AuthorityAnswer.objects.create(
            request=request, authority=authority, verdict=verdict, note=note.strip(), answered_at=occurred_at,
            recorded_by=actor,
        )  # fmt: skip
        latest = {}
        for row in request.answers.order_by("answered_at", "pk"):
            latest[row.authority] = row
        if all(name in latest and latest[name].verdict == AuthorityAnswer.APPROVED for name in request.authorities):
            request.approved_at = max(row.answered_at for row in latest.values())
            request.save(update_fields=["approved_at"])
            services.node_complete(
                order, actor=actor, node="approval", note=f"行政审批已批复（{'、'.join(request.authorities)}）",
                occurred_at=request.approved_at, source=source, reason=reason,
            )  # fmt: skip
        elif verdict == AuthorityAnswer.DOCUMENTS and suspend:
            services.order_suspend(
                order, actor=actor, reason_code="documents_missing",
                evidence_note=f"{authority}：{note.strip() or '需补正材料'}", occurred_at=occurred_at, source=source,
                reason=reason,
            )  # fmt: skip
    return answer
