"""Reads of the partner services for the order page and the units' payload (R2, R4)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yekuo.outbox.selectors import messages_for_order
from yekuo.partners.models import Verification, VerificationKind, VerificationState

UNIT_LABELS = {"water": _("供水"), "gas": _("供气"), "heating": _("供热"), "telecom": _("通信")}
LICENCE_LABELS = {
    "credit_code": _("统一社会信用代码"),
    "company_name": _("企业名称"),
    "legal_representative": _("法定代表人"),
    "address": _("住所"),
    "valid_from": _("营业期限自"),
    "valid_until": _("营业期限至"),
}
IDENTITY_LABELS = {
    "reference": _("核验编号"),
    "method": _("核验方式"),
    "verifying_party": _("核验机构"),
    "result": _("核验结果"),
    "verified_at": _("核验时间"),
    "name": _("姓名"),
}
METHODS = {"face": _("刷脸"), "id_card": _("身份证读卡")}
RESULTS = {"passed": _("通过"), "failed": _("未通过")}


def _local_time(value: str) -> str:
    """An ISO 8601 time from a service, as the pages show times (Asia/Shanghai); as given if it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def shown_fields(kind: str, data: dict) -> list[tuple]:
    labels = LICENCE_LABELS if kind == VerificationKind.ELICENCE else IDENTITY_LABELS
    rows = []
    for key, label in labels.items():
        value = data.get(key)
        if key == "valid_until" and kind == VerificationKind.ELICENCE and "valid_from" in data and not value:
            value = _("长期")
        elif key == "method":
            value = METHODS.get(value, value)
        elif key == "result":
            value = RESULTS.get(value, value)
        elif key == "verified_at" and value:
            value = _local_time(value)
        if value:
            rows.append((label, value))
    return rows


def verifications_for_order(order) -> list[dict]:
    """Each question asked about the order with its answer as the service gave it, its source and time."""
    return [
        {
            "row": v,
            "kind_label": v.get_kind_display(),
            "state": v.state,
            "state_label": v.get_state_display(),
            "fields": shown_fields(v.kind, v.data),
            "waiting": v.state == VerificationState.WAITING,
        }
        for v in Verification.objects.filter(order=order).order_by("created_at")
    ]


def verified_licence(order) -> dict | None:
    v = (
        Verification.objects.filter(order=order, kind=VerificationKind.ELICENCE, state=VerificationState.VERIFIED)
        .order_by("-fetched_at")
        .first()
    )
    return v.data if v else None


def licence_locks(order) -> dict[str, str]:
    """R2 (staff never retype what the licence service returned): the order's customer name and certificate
    number, where they are the verified licence's company name and credit code, are read-only."""
    licence = verified_licence(order)
    if not licence:
        return {}
    locks = {}
    if order.customer_name == licence.get("company_name"):
        locks["customer_name"] = str(_("来自电子证照，不可修改"))
    if order.customer_id_number and order.customer_id_number.upper() == licence.get("credit_code"):
        locks["customer_id_number"] = str(_("已核验电子证照的统一社会信用代码，不可修改"))
    return locks


def application_documents(order) -> list[dict]:
    """What goes with a joint application: the verified records, each with the service and time it came from,
    and, for a platform's order, the documents of its application (R3) as the platform named them, with the
    digest and size of the copy yekuo kept (the units reach the files through the same platform)."""
    from yekuo.intake.models import ApplicationDocument, DocumentState

    records = [
        {"type": v.kind, "data": v.data, "source": v.source, "fetched_at": v.fetched_at.isoformat()}
        for v in Verification.objects.filter(order=order, state=VerificationState.VERIFIED).order_by("created_at")
    ]
    files = ApplicationDocument.objects.filter(application__order=order).order_by("position")
    return records + [
        {"type": "document", "kind": f.kind, "name": f.name, "url": f.url,
         **({"sha256": _digest(f), "size": f.size} if f.state == DocumentState.STORED else {})}
        for f in files
    ]  # fmt: skip


def _digest(document) -> str:
    if document.sha256:
        return document.sha256
    import hashlib

    with document.file.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def joint_status(order) -> dict:
    """R4 on the order page: the customer's last recorded choice, and each chosen unit's state."""
    choice = order.events.filter(type="joint.offered").order_by("-seq").first()
    units = []
    for row in messages_for_order(order, kind_prefix="joint."):
        unit = row["destination"].removeprefix("utility_")
        units.append({**row, "unit": unit, "unit_label": UNIT_LABELS.get(unit, row["destination_name"])})
    return {
        "offered": choice is not None,
        "accepted": bool(choice and choice.payload.get("accepted")),
        "chosen": [UNIT_LABELS.get(u, u) for u in (choice.payload.get("units", []) if choice else [])],
        "recorded_at": choice.occurred_at if choice else None,
        "units": units,
    }


def partner_context(order) -> dict:
    """What the order page shows of the partner services: verifications, the joint application, and every other
    message the outbox sent for the order (platform callbacks, notifications) with its state."""
    others = [row for row in messages_for_order(order) if not row["kind"].startswith("joint.")]
    return {"verifications": verifications_for_order(order), "joint": joint_status(order), "messages": others}
