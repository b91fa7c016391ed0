"""Partner platforms, their credentials and nonces, and the applications they push (R1, R3).

- `Platform`: one government (or the utility's own) platform that pushes applications: its channel
  (REQUIREMENTS §5), the company whose orders they become, and its route (R3: through the customer service
  center's queue, or straight to the branch of the service area). Data, editable in the admin.
- `PlatformKey`: a credential. The database keeps only the SHA-256 of the secret (`intake.signing` derives
  the secret from YEKUO_PLATFORM_KEY and the key id, so a copy of the database cannot sign a request).
  Rotation issues a new key and lets the old one live on until `expires_at` (two live keys).
- `PlatformNonce`: the nonces seen within the clock-skew window (without Redis); unique per key.
- `Application`: one pushed application, unique by the platform's own application id: the idempotency
  record (its first answer is kept and returned to every repeat) and the dispatch queue's row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yekuo.regulations.codes import CHANNELS


class Route(models.TextChoices):
    QUEUE = "queue", _("客户服务中心审核派单")
    BRANCH = "branch", _("直接派至营业区所属分公司")
    RESERVE = "reserve", _("储备库（项目信息，不建工单）")


class Platform(models.Model):
    """A platform that pushes applications (notice §1; R1, R3)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(
        _("受理渠道"), max_length=20, blank=True, choices=list(CHANNELS.items()),
        help_text=_("工单记录的渠道（R1）；投资在线监审平台推送储备项目，不建工单，留空"),
    )  # fmt: skip
    company = models.ForeignKey("accounts.Company", models.PROTECT, related_name="+", verbose_name=_("供电公司"))
    route = models.CharField(_("派单方式"), max_length=10, choices=Route.choices, default=Route.QUEUE)
    # The account its orders are created by (the integration role, company scope): the order's log names it.
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("接口账号"))
    enabled = models.BooleanField(_("启用"), default=True)
    # Where yekuo may fetch its applications' documents from (the platform's file servers): a document elsewhere
    # is not fetched (its link stays shown). Empty: any host.
    document_hosts = models.CharField(
        _("资料下载主机"), max_length=500, blank=True,
        help_text=_("平台资料文件所在的主机名，以逗号分隔；为空时不限"),
    )  # fmt: skip

    scope_branch_field = None
    scope_company_field = "company"

    class Meta:
        ordering = ["code"]
        verbose_name = _("推送平台")
        verbose_name_plural = _("推送平台")

    def __str__(self) -> str:
        """Its name in the page's language: the known platforms' names are in the catalogue (web.vocabulary);
        a name an administrator gave is shown as given."""
        return gettext(self.name) if self.name else self.code


class PlatformKey(models.Model):
    """A credential of a platform: its public id and the SHA-256 of its secret (never the secret)."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="keys", verbose_name=_("推送平台"))
    key_id = models.CharField(_("密钥编号"), max_length=40, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True, help_text=_("轮换时旧密钥的过渡期截止时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    scope_branch_field = None
    scope_company_field = "platform__company"

    class Meta:
        ordering = ["platform", "-created_at"]
        verbose_name = _("平台密钥")
        verbose_name_plural = _("平台密钥")

    def __str__(self) -> str:
        return self.key_id


class PlatformNonce(models.Model):
    """A nonce already used by a key, kept for twice the clock-skew window (then a request carrying it is
    refused anyway as stale). Unique per key: the database refuses the second use, also when two copies
    of a request arrive at once on two web workers."""

    key_id = models.CharField(max_length=40)
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_id", "nonce"], name="nonce_unique_per_key")]

    def __str__(self) -> str:
        return f"{self.key_id}:{self.nonce}"


class ApplicationState(models.TextChoices):
    QUEUED = "queued", _("待审核派单")
    DISPATCHED = "dispatched", _("已派单")
    RETURNED = "returned", _("已退回平台")
    REJECTED = "rejected", _("已驳回")
    RESERVE = "reserve", _("已入储备库")


class Application(models.Model):
    """One application pushed by a platform (R3): unique by the platform's own id; its work order (made when
    it arrives), its documents, and where it stands in the dispatch queue."""

    platform = models.ForeignKey(Platform, models.PROTECT, related_name="applications", verbose_name=_("推送平台"))
    external_id = models.CharField(_("平台申请编号"), max_length=64)
    request_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the first push's body")
    company = models.ForeignKey("accounts.Company", models.PROTECT, related_name="+", verbose_name=_("供电公司"))
    order = models.OneToOneField(
        "orders.WorkOrder",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("业扩工单"),
    )
    state = models.CharField(_("状态"), max_length=12, choices=ApplicationState.choices)
    route = models.CharField(_("派单方式"), max_length=10, choices=Route.choices)
    payload = models.JSONField(_("申请内容"), default=dict)
    documents = models.JSONField(_("申请资料"), default=list)
    submitted_at = models.DateTimeField(_("平台提交时间"))
    received_at = models.DateTimeField(_("推送接收时间"), db_index=True)
    proposed_branch = models.ForeignKey(
        "accounts.Branch", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("建议分公司")
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("处理人")
    )
    reason = models.TextField(_("退回/驳回原因"), blank=True)
    response = models.JSONField(default=dict, help_text="the first answer, returned to every repeat of the push")

    # Before dispatch the application belongs to the company (the customer service center's queue); after,
    # to its order's branch.
    scope_branch_field = "order__branch"
    scope_company_field = "company"

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("平台申请")
        verbose_name_plural = _("平台申请")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="application_unique_external_id")
        ]
        indexes = [models.Index(fields=["company", "state", "received_at"], name="application_queue")]

    def __str__(self) -> str:
        return f"{self.platform.code}:{self.external_id}"

    @property
    def queue_seconds(self) -> float | None:
        """Seconds it waited in the queue (to its dispatch, return or rejection); None while it waits."""
        if self.decided_at is None:
            return None
        return (self.decided_at - self.received_at).total_seconds()


class RelayCursor(models.Model):
    """How far `callbacks.relay_progress` has read the order event log (the last OrderEvent id relayed)."""

    name = models.CharField(max_length=30, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"


class DocumentState(models.TextChoices):
    PENDING = "pending", _("待获取")
    STORED = "stored", _("已存档")
    REFUSED = "refused", _("文件不合格")
    FAILED = "failed", _("获取失败")


class ApplicationDocument(models.Model):
    """One document of a pushed application (R3): what the platform said (kind, name, address, digest) and the
    copy yekuo fetched and keeps (checked by content, within the size limit, stored under MEDIA_ROOT and served
    only through the queue's checked view). A fetch that fails is tried again by the worker; the application
    is never held up or lost for it."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="files", verbose_name=_("平台申请"))
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("资料类型"), max_length=40)
    name = models.CharField(_("文件名"), max_length=200)
    url = models.URLField(_("平台地址"), max_length=500)
    sha256 = models.CharField(_("平台给出的SHA-256"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=DocumentState.choices, default=DocumentState.PENDING)
    file = models.FileField(upload_to="platform/%Y/%m/", blank=True)
    media_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField(_("获取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("获取次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最后错误"), blank=True)

    scope_branch_field = "application__order__branch"
    scope_company_field = "application__company"

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("平台申请资料")
        verbose_name_plural = _("平台申请资料")
        constraints = [models.UniqueConstraint(fields=["application", "position"], name="document_unique_position")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="intake_document_due")]

    def __str__(self) -> str:
        return f"{self.application}: {self.name}"
