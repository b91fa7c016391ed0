"""R7: the route consultation of the grid supporting works (notice §2 ¶2: 设计单位在路径选择时应主动征询沿线
管线权属单位意见，……避免施工中与其他管线发生冲突): for each pipeline owner along the design unit's route (water,
gas, telecom, heating, …) the request, the answer, the conflicts found and how each was resolved.

A consultation is open until answered and every conflict it found is resolved; while one is open the grid
works cannot be completed (`approvals.gate`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from yekuo.approvals.models import Consultation, RouteConflict
from yekuo.approvals.works import check_actor, check_open, check_time
from yekuo.common.errors import Conflict, InvalidInput
from yekuo.orders.models import WorkOrder

KINDS = dict(Consultation.OWNER_KINDS)


def _required_text(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{what} is required", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character", field=field)
    return value


def consultation_request(
    order: WorkOrder, *, actor, owner_kind: str, owner_name: str, request: str, occurred_at: datetime | None = None
) -> Consultation:
    check_actor(actor, "approval.decide", order)
    check_open(order)
    if owner_kind not in KINDS:
        raise InvalidInput(f"owner_kind must be one of {', '.join(KINDS)}", field="owner_kind")
    return Consultation.objects.create(
        order=order,
        owner_kind=owner_kind,
        owner_name=_required_text(owner_name, "owner_name", "the pipeline owner")[:200],
        request=_required_text(request, "request", "the request"),
        requested_at=check_time(occurred_at, order.created_at),
        recorded_by=actor,
    )  # fmt: skip


def consultation_answer(
    consultation: Consultation,
    *,
    actor,
    answer: str,
    conflicts=(),
    occurred_at: datetime | None = None,
) -> Consultation:
    """The owner's answer, with the conflicts it names (each open until resolved)."""
    check_actor(actor, "approval.decide", consultation.order)
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.answered_at is not None:
            raise Conflict("this consultation is already answered; record a further conflict instead")
        consultation.answer = _required_text(answer, "answer", "the answer")
        consultation.answered_at = check_time(occurred_at, consultation.requested_at)
        consultation.save(update_fields=["answer", "answered_at"])
        for description in conflicts or ():
            if str(description).strip():
                conflict_add(consultation, actor=actor, description=description, occurred_at=consultation.answered_at)
    return consultation


def conflict_add(consultation: Consultation, *, actor, description: str, occurred_at=None) -> RouteConflict:
    check_actor(actor, "approval.decide", consultation.order)
    return RouteConflict.objects.create(
        consultation=consultation,
        description=_required_text(description, "description", "the conflict"),
        found_at=check_time(occurred_at, consultation.requested_at),
    )


def conflict_resolve(conflict: RouteConflict, *, actor, resolution: str, occurred_at=None) -> RouteConflict:
    check_actor(actor, "approval.decide", conflict.consultation.order)
    with transaction.atomic():
        conflict = RouteConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.resolved_at is not None:
            raise Conflict("this conflict is already resolved")
        conflict.resolution = _required_text(resolution, "resolution", "the resolution")
        conflict.resolved_at = check_time(occurred_at, conflict.found_at)
        conflict.save(update_fields=["resolution", "resolved_at"])
    return conflict
