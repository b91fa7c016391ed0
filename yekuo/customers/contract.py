"""The supply contract (供用电合同) signed online by the customer (R1: 一网办·掌上办, "apply, upload documents, sign
and follow progress" on a phone-width page).

Once the supply plan is answered (`SUPPLY_PLAN_NODE` done: the contract states what the plan settled) and until
energization, the customer who opened their order's progress page (a one-time code to the phone on file, or
the slip's signed link: `access`) may read the contract made from the order's facts and sign it by typing
their name and agreeing. The signed PDF is kept with its SHA-256, who signed, when and from which address
(`ContractSignature`), and the order's log records `customer.contract_signed` with the same digest, in the
same transaction: a signature is on the log or nowhere. The customer manager sees it on the order's page at
the contract node (签订合同、正式接电 / 签订合同、竣工检验, notice Attachment 1) and need not meet the customer
to sign on paper. The contract is in Chinese whatever the page's language: it is the document signed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from yekuo.common.errors import Conflict, InvalidInput
from yekuo.customers.models import ContractSignature
from yekuo.customers.slip import document_pdf
from yekuo.orders.models import OrderStatus, WorkOrder
from yekuo.regulations.codes import SUPPLY_PLAN_NODE
from yekuo.web import labels

VERSION = "2026-01"  # the version of the contract's text (templates/customers/_contract.html)
SIGNER_MAX = 50


def signature_of(order: WorkOrder) -> ContractSignature | None:
    return ContractSignature.objects.filter(order=order).first()


def refusal(order: WorkOrder) -> str | None:
    """Why the customer cannot sign now (in the active language), or None when they can."""
    if order.status == OrderStatus.CANCELLED:
        return _("该申请已撤销，无需签订合同。")
    if order.status == OrderStatus.ENERGIZED:
        return _("该申请已办结，合同已在接电时签订。")
    if signature_of(order) is not None:
        return _("供用电合同已签订。")
    if not order.nodes.filter(code=SUPPLY_PLAN_NODE, state="done").exists():
        return _("供电方案答复后即可在线签订合同。")
    return None


def context(
    order: WorkOrder, signature: ContractSignature | None = None, signer: str = "", at: datetime | None = None
) -> dict:
    """What the contract says: the parties and the order's facts, and the signature when signed."""
    with override("zh-hans"):
        return {
            "order": order,
            "version": VERSION,
            "company": order.branch.company.name,
            "branch": order.branch.name,
            "category": labels.category(order.category),
            "signer": signature.signer_name if signature else signer,
            "signed_at": signature.signed_at if signature else at,
            "phone": _masked_phone(order.customer_phone),
        }


def _masked_phone(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else ""


def render_pdf(facts: dict) -> bytes:
    """The contract as a PDF, rendered as the acceptance slip is (WeasyPrint, the bundled Noto Sans SC)."""
    return document_pdf("customers/contract_pdf.html", {"contract": facts})


def sign(
    order: WorkOrder, signer: str, agreed: bool, client_ip: str | None = None, user_agent: str = ""
) -> ContractSignature:
    """Sign the order's supply contract for its customer (see the module's docstring). InvalidInput for a
    missing name or agreement, Conflict when it is signed already or cannot be signed now; the signature row,
    its file and the order's event are written together or not at all."""
    from yekuo.customers.services import system_event

    signer = " ".join((signer or "").split())
    if not signer:
        raise InvalidInput(_("请填写签署人姓名。"), field="signer")
    if len(signer) > SIGNER_MAX:
        raise InvalidInput(_("签署人姓名最多 %(n)d 个字。") % {"n": SIGNER_MAX}, field="signer")
    if not agreed:
        raise InvalidInput(_("请阅读合同并勾选同意后再签署。"), field="agree")
    reason = refusal(order)
    if reason is not None:
        raise Conflict(reason)
    now = timezone.now()
    # Rendered before the transaction (a second or so): the order's row is locked only for the writes.
    pdf = render_pdf(context(order, signer=signer, at=now))
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        WorkOrder.objects.select_for_update(of=("self",)).filter(pk=order.pk).first()
        if signature_of(order) is not None:
            raise Conflict(_("供用电合同已签订。"))
        system_event(order, "customer.contract_signed", {"version": VERSION, "sha256": digest})
        row = ContractSignature(
            order=order,
            version=VERSION,
            signer_name=signer,
            signed_at=now,
            client_ip=client_ip or None,
            user_agent=(user_agent or "")[:200],
            sha256=digest,
        )
        row.file.save(f"contract-{order.number}.pdf", ContentFile(pdf), save=False)
        row.save()
    return row
