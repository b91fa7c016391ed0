"""Warnings raised on the clocks and what was sent about them (R9, R10; notice §3 时限预警).

A `ClockWarning` is one level (预警 / 超期 / 严重超期, or any level of the rules file) of one clock while
one node of it is worked, in one running period of the clock (`episode` = the number of pauses the clock
had when it was raised). At most one is open per (clock, node, level, episode): the scan inserts with
that unique constraint, so several workers on several machines raise each level once. It is resolved
(`resolved_at`, `resolution`) when its node completes, its clock stops or is suspended, or its threshold
moves after now (a recomputed deadline); `notified_at` is set by the one worker that claimed it to send.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockWarning(models.Model):
    scope_branch_field = "order__branch"

    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="+", verbose_name=_("工单"))
    clock = models.ForeignKey("orders.Clock", models.CASCADE, related_name="+", verbose_name=_("时限"))
    node = models.ForeignKey(
        "orders.NodeInstance", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("环节")
    )
    node_code = models.CharField(_("环节编码"), max_length=30, blank=True)
    level = models.CharField(_("级别"), max_length=20)
    rule = models.CharField(_("规则"), max_length=64, blank=True)
    episode = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(_("触发时间"), help_text="When the level fell due under its rule")
    deadline_at = models.DateTimeField(_("期限"), null=True, blank=True)
    provisional = models.BooleanField(_("依据临时日历"), default=False)
    raised_at = models.DateTimeField(_("产生时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolution = models.CharField(_("解除原因"), max_length=20, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    # Quiet hours hold a pre-warning's notices until they end (R10); the notifier skips it until then.
    notify_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时限预警")
        verbose_name_plural = _("时限预警")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "node_code", "level", "episode"],
                condition=models.Q(resolved_at__isnull=True),
                name="warning_open_once",
            )
        ]
        indexes = [
            models.Index(fields=["raised_at"], name="warning_raised_at"),
            # The notifier's queue: open warnings nobody has sent yet.
            models.Index(
                fields=["id"],
                condition=models.Q(notified_at__isnull=True, resolved_at__isnull=True),
                name="warning_unnotified",
            ),
            models.Index(fields=["level"], condition=models.Q(resolved_at__isnull=True), name="warning_open_level"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.clock_id}:{self.level}"


class WarningNotice(models.Model):
    """One recipient and channel told of a warning: who was told, through what, and when (R10)."""

    warning = models.ForeignKey(ClockWarning, models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    tier = models.CharField(_("通知对象"), max_length=30)  # responsible, branch_manager, department, service_center
    channel = models.CharField(_("渠道"), max_length=20)  # inbox, email, wecom, dingtalk, sms
    target = models.CharField(_("地址"), max_length=300, blank=True)
    outbox_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["warning", "pk"]
        verbose_name = _("预警通知")
        verbose_name_plural = _("预警通知")

    def __str__(self) -> str:
        return f"{self.warning_id}:{self.channel}:{self.user_id}"


class InboxMessage(models.Model):
    """The in-app inbox (站内消息): one message to one user; unread while `read_at` is empty."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", db_index=False)
    warning = models.ForeignKey(ClockWarning, models.SET_NULL, null=True, blank=True, related_name="+")
    level = models.CharField(_("级别"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        constraints = [
            # A warning reaches a user's inbox once, whichever worker sends it.
            models.UniqueConstraint(
                fields=["user", "warning"], condition=models.Q(warning__isnull=False), name="inbox_once_per_warning"
            )
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="inbox_user_created"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="inbox_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's channel choices (R10); without a row, settings.YEKUO_NOTIFY_DEFAULT_CHANNELS apply."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="+")
    channels = models.JSONField(_("通知渠道"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.channels)}"


class ScanRun(models.Model):
    """One warning scan: when, by which worker, and what it did (for the control room and operations)."""

    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    candidates = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M:%S}"


class ClockNextDue(models.Model):
    """Kept by the warning scan (R9), never by the write path: the instant a running clock's next warning
    level falls due, as of the clock's deadline, pauses and the rules and calendar the scan used. A steady scan
    reads only the clocks whose row is missing, out of date (the clock's deadline or pauses moved, the rules or
    the calendar changed) or due; the scan deletes the row of a clock whose warning it resolves (scan.py). No
    foreign key: nothing is added to a clock's deletion (a stopped clock's row is never read)."""

    clock = models.OneToOneField(
        "orders.Clock", primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_at = models.DateTimeField(null=True, blank=True)  # null: no level ahead
    deadline_at = models.DateTimeField()
    episode = models.PositiveIntegerField()  # the clock's pauses when computed
    basis = models.CharField(max_length=40)  # the rule book and calendar revision used

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="clock_next_due")]

    def __str__(self) -> str:
        return f"{self.clock_id}: {self.due_at}"


# The daily statistics and breach risks (R10, O12) live in their own module.
from yekuo.monitoring.models_stats import (  # noqa: E402, F401
    BreachRisk,
    DailyAlarm,
    DailyCount,
    DailyFlow,
    DailySnapshot,
    DashboardCell,
    DashboardCount,
)
