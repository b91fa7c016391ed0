"""The transactional outbox (DESIGN: Saleor's payload → delivery → attempt; Zulip's side effects on commit).

A `Message` is written in the same transaction as the order change that caused it; one `Delivery` per
destination carries its state and its next try; every try is an `Attempt`. The worker delivers after commit
and a periodic sweep picks up whatever is due, so a worker that dies between commit and delivery loses nothing.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.Model):
    """Where messages go: a partner's endpoint (http_json) or people's mailboxes (smtp). Data, editable in admin."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    transport = models.CharField(_("传输方式"), max_length=30, default="http_json")
    url = models.CharField(_("地址 (URL)"), max_length=500, blank=True)
    address = models.CharField(_("收件人"), max_length=500, blank=True, help_text=_("邮件地址，以逗号分隔"))
    timeout_s = models.FloatField(_("超时 (秒)"), default=10.0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=8)
    enabled = models.BooleanField(_("启用"), default=True, help_text=_("停用时消息保留为待发送，启用后再发送"))
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("消息目的地")
        verbose_name_plural = _("消息目的地")
        ordering = ["code"]

    def __str__(self):
        return self.name or self.code


class Message(models.Model):
    """One message: its id is the UUID receivers deduplicate on; `key` makes enqueue idempotent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(_("幂等键"), max_length=200, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=80)
    payload = models.JSONField(_("内容"), default=dict)
    order = models.ForeignKey(
        "orders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="outbox_messages"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """A message on its way to one destination: pending → delivered | failed (gave up after max_attempts)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="deliveries")
    state = models.CharField(_("状态"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    # Tries in the current round (an administrator's retry starts a new round); every try is an Attempt row.
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    # A worker claims a delivery by moving this forward with a conditional UPDATE; a worker that dies while
    # sending leaves it to expire, and the sweep tries again.
    lease_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最后响应码"), null=True, blank=True)
    last_error = models.TextField(_("最后错误"), blank=True)
    # A partner's later answer to this message (e.g. a utility unit answering a joint application).
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer = models.JSONField(_("答复"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "destination"], name="outbox_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_delivery_due")]

    def __str__(self):
        return f"{self.message.kind} → {self.destination.code} ({self.get_state_display()})"


class FailedDelivery(Delivery):
    """The administrator's list of deliveries that gave up (admin), with a retry action."""

    class Meta:
        proxy = True
        verbose_name = _("发送失败的投递")
        verbose_name_plural = _("发送失败的投递")


class Attempt(models.Model):
    """One try to deliver: when, how long, what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveIntegerField(_("序号"))
    started_at = models.DateTimeField(_("开始时间"))
    duration_ms = models.PositiveIntegerField(_("耗时 (毫秒)"))
    ok = models.BooleanField(_("成功"))
    status = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    response_excerpt = models.TextField(_("响应摘录"), blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"#{self.number} {'ok' if self.ok else 'failed'}"
