"""What partner services returned, kept with its source and time (R2): staff never retype it.

A `Verification` is one question to one service about one order: the e-licence service (一证办电: unified social
credit code → company name, legal representative, address, validity) or the platform's identity verification
result (刷脸办电: method, verifying party, result, time). When the service is down or slow the question waits
(`waiting`) and the worker asks again; nothing is lost.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationKind(models.TextChoices):
    ELICENCE = "elicence", _("电子证照")
    IDENTITY = "identity", _("身份核验")


class VerificationState(models.TextChoices):
    WAITING = "waiting", _("等待核验")
    VERIFIED = "verified", _("已核验")
    NOT_FOUND = "not_found", _("查无此证照")
    FAILED = "failed", _("核验未完成")


class Verification(models.Model):
    order = models.ForeignKey(
        "orders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="verifications"
    )
    # A platform's pushed application (R3) the question was asked about; its order may be made only at dispatch.
    application = models.ForeignKey(
        "intake.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="verifications",
        verbose_name=_("平台申请"),
    )  # fmt: skip
    kind = models.CharField(_("核验类型"), max_length=16, choices=VerificationKind.choices)
    # The unified social credit code (e-licence) or the platform's verification reference (identity).
    subject = models.CharField(_("查询依据"), max_length=64)
    state = models.CharField(
        _("状态"), max_length=16, choices=VerificationState.choices, default=VerificationState.WAITING
    )
    data = models.JSONField(_("返回数据"), default=dict, blank=True)
    source = models.CharField(_("数据来源"), max_length=300, blank=True)  # the service and endpoint that answered
    fetched_at = models.DateTimeField(_("获取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("查询次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次查询"), null=True, blank=True)
    last_error = models.TextField(_("最后错误"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外部核验")
        verbose_name_plural = _("外部核验")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="partners_verification_due")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject} ({self.get_state_display()})"
