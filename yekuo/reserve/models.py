"""The reserve library (储备库, REQUIREMENTS R5; notice §1 ¶4): prospective projects, before anyone applies.

- `Project`: a prospective project (pushed by the investment supervision platform, entered by staff or
  imported from Excel): its investor (unified social credit code), site and service area (→ branch), the
  expected load, voltage and date, and its stage (identified → contacted → supporting works planned →
  applied, or dropped with a reason). Applied means linked to the work order the customer's application
  became (`order`), through any channel.
- `ProjectEvent`: its history, append-only: created, updated by a later push, each stage change, each
  follow-up and works change, the order proposed, linked or dismissed — who and when. The order page shows
  it once the project is linked.
- `FollowUp`: a contact with the investor (who, when, how, what, the next step).
- `SupportingWork`: a supporting work planned ahead for the project (line, transformer, …) and its
  readiness (notice §1 ¶4: 开展配套工程规划、实施).
- `OrderMatch`: an order created after the project whose investor's credit code and site match it, proposed
  to staff, who link it or dismiss the proposal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    PLATFORM = "platform", _("投资在线监审平台推送")
    STAFF = "staff", _("人工录入")
    IMPORT = "import", _("Excel导入")


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("已识别")
    CONTACTED = "contacted", _("已对接")
    WORKS_PLANNED = "works_planned", _("配套工程已规划")
    APPLIED = "applied", _("已报装")
    DROPPED = "dropped", _("已放弃")


# The stages staff set by hand; `applied` comes only with the linked order, `dropped` needs a reason.
OPEN_STAGES = (Stage.IDENTIFIED, Stage.CONTACTED, Stage.WORKS_PLANNED)


class LoadUnit(models.TextChoices):
    KW = "kW", "kW"
    KVA = "kVA", "kVA"


class ReserveVoltage(models.TextChoices):
    V220 = "220V", "220V"
    V380 = "380V", "380V"
    KV10 = "10kV", "10kV"
    KV35 = "35kV", "35kV"
    KV110 = "110kV", "110kV"


class Project(models.Model):
    company = models.ForeignKey("accounts.Company", models.PROTECT, related_name="+", verbose_name=_("供电公司"))
    # Null until the site maps to a service area (a push whose address names none): then the project waits for
    # a company-scope person to set its area, and branch-scope staff do not see it.
    branch = models.ForeignKey(
        "accounts.Branch", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("供电分公司")
    )
    service_area = models.ForeignKey(
        "accounts.ServiceArea", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("营业区")
    )
    name = models.CharField(_("项目名称"), max_length=200)
    investor_name = models.CharField(_("投资主体"), max_length=100)
    investor_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    site_address = models.CharField(_("项目地址"), max_length=200)
    expected_load = models.DecimalField(_("预计负荷"), max_digits=10, decimal_places=1, null=True, blank=True)
    load_unit = models.CharField(_("负荷单位"), max_length=3, choices=LoadUnit.choices, default=LoadUnit.KVA)
    voltage = models.CharField(_("预计电压等级"), max_length=6, choices=ReserveVoltage.choices, blank=True)
    expected_date = models.DateField(_("预计用电时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    # The investment platform's project code (投资项目代码): a later push with it updates the project.
    platform_code = models.CharField(_("平台项目代码"), max_length=64, blank=True)
    application = models.ForeignKey(
        "intake.Application", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("平台推送")
    )
    stage = models.CharField(_("阶段"), max_length=14, choices=Stage.choices, default=Stage.IDENTIFIED)
    stage_changed_at = models.DateTimeField(_("阶段变更时间"))
    drop_reason = models.TextField(_("放弃原因"), blank=True)
    identified_at = models.DateTimeField(_("识别时间"))
    order = models.OneToOneField(
        "orders.WorkOrder", models.PROTECT, null=True, blank=True, related_name="reserve_project",
        verbose_name=_("业扩工单"),
    )  # fmt: skip
    applied_at = models.DateTimeField(_("报装时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_branch_field = "branch"
    scope_company_field = "company"

    class Meta:
        ordering = ["-identified_at", "-id"]
        verbose_name = _("储备项目")
        verbose_name_plural = _("储备项目")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "platform_code"], condition=~models.Q(platform_code=""),
                name="reserve_unique_platform_code",
            ),
        ]  # fmt: skip
        indexes = [
            # The one look-up a new order costs (matching.order_created): the company's projects of a credit code.
            models.Index(fields=["investor_code", "company"], name="reserve_investor"),
            models.Index(fields=["branch", "stage"], name="reserve_branch_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        return f"CB{self.pk:06d}" if self.pk else "CB—"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ProjectEvent(models.Model):
    """One entry of a project's history (append-only)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("纳入储备库")
        UPDATED = "updated", _("信息更新")
        STAGE = "stage", _("阶段变更")
        FOLLOW_UP = "follow_up", _("跟踪服务")
        WORKS = "works", _("配套工程")
        PROPOSED = "proposed", _("匹配到报装工单")
        LINKED = "linked", _("转为业扩工单")
        DISMISSED = "dismissed", _("排除匹配工单")

    project = models.ForeignKey(Project, models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    payload = models.JSONField(default=dict)
    note = models.TextField(_("说明"), blank=True)

    scope_branch_field = "project__branch"
    scope_company_field = "project__company"

    class Meta:
        ordering = ["project", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"


class FollowUp(models.Model):
    class Method(models.TextChoices):
        VISIT = "visit", _("上门走访")
        PHONE = "phone", _("电话")
        MEETING = "meeting", _("座谈会商")
        OTHER = "other", _("其他")

    project = models.ForeignKey(Project, models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("跟踪时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("跟踪人"))
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.VISIT)
    content = models.TextField(_("跟踪内容"))
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_branch_field = "project__branch"
    scope_company_field = "project__company"

    class Meta:
        ordering = ["project", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.at:%Y-%m-%d}"


class SupportingWork(models.Model):
    class Kind(models.TextChoices):
        LINE = "line", _("线路")
        TRANSFORMER = "transformer", _("配电变压器/台区")
        SWITCHING = "switching", _("开闭所/环网柜")
        SUBSTATION = "substation", _("变电站间隔")
        CHANNEL = "channel", _("电缆通道")
        OTHER = "other", _("其他")

    class Readiness(models.TextChoices):
        PLANNED = "planned", _("已规划")
        DESIGNING = "designing", _("设计中")
        APPROVED = "approved", _("已立项/审批")
        BUILDING = "building", _("施工中")
        READY = "ready", _("已具备接入条件")

    project = models.ForeignKey(Project, models.CASCADE, related_name="works")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("工程内容"), max_length=200)
    planned_ready = models.DateField(_("计划具备时间"), null=True, blank=True)
    readiness = models.CharField(_("准备情况"), max_length=10, choices=Readiness.choices, default=Readiness.PLANNED)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("更新人"))

    scope_branch_field = "project__branch"
    scope_company_field = "project__company"

    class Meta:
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.description


class OrderMatch(models.Model):
    """An order proposed as the project's application (matched by credit code and site)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        LINKED = "linked", _("已关联")
        DISMISSED = "dismissed", _("已排除")

    project = models.ForeignKey(Project, models.CASCADE, related_name="matches")
    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="reserve_matches")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PROPOSED)
    reason = models.JSONField(default=dict, help_text="what matched: credit code, service area, address similarity")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    scope_branch_field = "project__branch"
    scope_company_field = "project__company"

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="reserve_match_unique")]

    def __str__(self) -> str:
        return f"{self.project_id}→{self.order_id}"
