"""Return visits (回访, REQUIREMENTS R11; notice §3 ¶1 按月开展业扩服务回访).

Each month the customer service center calls back the orders energized in the month (all of them, or a
reproducible sample per branch and category): one `Visit` per order and month, assigned to a visitor. The
visit records its outcome (channel, reached, satisfaction 1–5, whether the customer's account of the time
agrees with the system's: 时间偏差) and the problems found (`VisitProblem`, of a configurable
`ProblemCategory`), each followed up (`FollowUp`) until closed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ProblemCategory(models.Model):
    """A kind of problem a return visit can find: data, edited in the admin site (R11)."""

    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("回访问题类别")
        verbose_name_plural = _("回访问题类别")

    def __str__(self) -> str:
        """The name in the page's language: `name_en` on English pages when it is filled in (R11)."""
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    APP = "app", _("线上评价")


class VisitSource(models.TextChoices):
    WEB = "web", _("网页")
    IMPORT = "import", _("呼叫中心导入")
    CUSTOMER = "customer", _("客户评价")


class Visit(models.Model):
    """One order's return visit in one month: planned, then recorded (the latest attempt's outcome)."""

    scope_branch_field = "branch"

    month = models.CharField(_("月份"), max_length=7)
    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="visits", verbose_name=_("业扩工单"))
    # Copied at planning: the branch and category the order was energized under, so the month's counts never
    # move when an order is later transferred.
    branch = models.ForeignKey("accounts.Branch", models.PROTECT, related_name="+", verbose_name=_("供电分公司"))
    category = models.CharField(_("业务类别"), max_length=20)
    energized_at = models.DateTimeField(_("接电时间"), null=True, blank=True)
    sampled = models.BooleanField(default=True, help_text="chosen by the plan (False: added by a customer rating)")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("回访人")
    )
    # The outcome (empty until recorded).
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    channel = models.CharField(_("回访方式"), max_length=10, choices=Channel.choices, blank=True)
    reached = models.BooleanField(_("是否联系上"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    time_agrees = models.BooleanField(_("时间是否一致"), null=True, blank=True)
    time_node = models.CharField(_("时间偏差环节"), max_length=30, blank=True)
    # The customer's date minus the system's, in days: -3 = the customer says three days before the record.
    time_offset_days = models.SmallIntegerField(_("偏差天数"), null=True, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=10, choices=VisitSource.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["month", "branch", "order"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [
            models.UniqueConstraint(fields=["order", "month"], name="visit_unique_order_month"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="visit_satisfaction_1_5",
            ),
        ]
        indexes = [models.Index(fields=["month", "branch"])]

    def __str__(self) -> str:
        return f"{self.month} {self.order_id}"


class VisitProblem(models.Model):
    """A problem a visit found, followed up until closed."""

    scope_branch_field = "visit__branch"

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="problems")
    category = models.ForeignKey(ProblemCategory, models.PROTECT, verbose_name=_("问题类别"))
    description = models.TextField(_("问题描述"), blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("回访问题")
        verbose_name_plural = _("回访问题")

    def __str__(self) -> str:
        return f"{self.visit_id}:{self.category_id}"


class FollowUp(models.Model):
    """One step of a problem's follow-up: who did what when; the closing step closes the problem."""

    scope_branch_field = "problem__visit__branch"

    problem = models.ForeignKey(VisitProblem, models.CASCADE, related_name="follow_ups")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("处理人"))
    at = models.DateTimeField(_("处理时间"))
    action = models.TextField(_("处理情况"))
    closes = models.BooleanField(_("整改完成"), default=False)

    class Meta:
        ordering = ["problem", "at", "pk"]
        verbose_name = _("问题跟踪")
        verbose_name_plural = _("问题跟踪")

    def __str__(self) -> str:
        return f"{self.problem_id}@{self.at:%Y-%m-%d}"
