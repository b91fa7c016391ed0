"""What the customer's own pages keep (R1, R2): the online application's choices, its documents, and the one-time
codes that open an order's progress page.

- `OnlineApplication`: what the customer chose on /c/apply that the order itself does not hold: resident or
  enterprise, the supply terms accepted (their version and time), the joint utility application's units (R4).
  The order is the intake's (`intake.Application`, channel `online`); the licence and identity answers are the
  partners' (`partners.Verification`).
- `CustomerDocument`: a document the customer uploaded, stored under MEDIA_ROOT (outside the web root, served
  only to staff of the order's scope through `common.uploads.file_response`), its type checked by content.
- `OneTimeCode`: a code sent by SMS to the phone on file of an order; only its HMAC is stored. It expires,
  and is dead once used or once a newer one is sent.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    RESIDENT = "resident", _("居民客户")
    BUSINESS = "business", _("企业客户")


class OnlineApplication(models.Model):
    order = models.OneToOneField("orders.WorkOrder", models.CASCADE, related_name="online_application")
    kind = models.CharField(_("客户类型"), max_length=10, choices=ApplicantKind.choices)
    terms_version = models.CharField(_("供用电须知版本"), max_length=20)
    terms_accepted_at = models.DateTimeField(_("同意时间"))
    joint_units = models.JSONField(_("联合报装单位"), default=list, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线上申请")
        verbose_name_plural = _("线上申请")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("身份证明")
    PROPERTY = "property", _("用电地址产权证明")
    LICENCE = "licence", _("营业执照或其他主体资格证明")
    OTHER = "other", _("其他资料")


class CustomerDocument(models.Model):
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="customer_documents")
    kind = models.CharField(_("资料类型"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(upload_to="customer/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("客户上传资料")
        verbose_name_plural = _("客户上传资料")

    def __str__(self) -> str:
        return self.original_name


class OneTimeCode(models.Model):
    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)  # HMAC-SHA256 of the code, keyed by SECRET_KEY and the order
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["order", "-created_at"], name="customers_code_latest")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.created_at:%Y-%m-%d %H:%M}"


class ContractSignature(models.Model):
    """R1 (掌上办): the supply contract (供用电合同) signed by the customer on their own progress page, once
    per order: who signed, when, from where, the contract's version and the signed PDF with its SHA-256 (the
    order event `customer.contract_signed` carries the same digest, so the file can be checked against the
    log). The signer proved the phone on file with a one-time code or the slip's signed link (`access`)."""

    order = models.OneToOneField("orders.WorkOrder", models.CASCADE, related_name="contract_signature")
    version = models.CharField(_("合同文本版本"), max_length=20)
    signer_name = models.CharField(_("签署人"), max_length=50)
    signed_at = models.DateTimeField(_("签署时间"))
    client_ip = models.GenericIPAddressField(_("签署地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    file = models.FileField(upload_to="contracts/%Y/%m/")
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("在线签订的供用电合同")
        verbose_name_plural = _("在线签订的供用电合同")

    def __str__(self) -> str:
        return f"{self.order_id} {self.signer_name}"
