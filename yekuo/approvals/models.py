"""Published R6 rule sets: immutable once loaded, selected by effective date (like the regulations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    """One version of the low-risk criteria, the limits they set (I8) and the important places.

    `content` is the normalised spec as JSON text in the file's order (the criteria are shown in the
    notice's order); `checksum` is the sha256 of the file. Rows are never updated: a change is a new
    row with a new code and a new effective date, so a decision can always be re-read under the rule
    set it was made with.
    """

    code = models.CharField(max_length=64, unique=True)
    document = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    effective_from = models.DateField(unique=True)
    content = models.TextField()
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("低风险判定规则")
        verbose_name_plural = _("低风险判定规则")

    def __str__(self) -> str:
        return f"{self.code} (from {self.effective_from})"


class WorksDecision(models.Model):
    """The facts of an order's grid supporting works and the R6 decision made from them (append-only).

    Each recording is a new row; the order's current decision is its latest. `classification` is the
    classifier's reasons as made (each criterion, its value and whether it passed) under `rule_set`, so
    the page and an auditor read the decision as it was made. `low_risk` is what was decided: the
    classification, or a manager's override (`overridden`, `override_reason`), which the monthly
    normativity check (R12) lists. `event_seq` is the order's `approval.decided` event it recorded.
    """

    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE, related_name="works_decisions")
    facts = models.JSONField(help_text="voltage_kv, excavation_m, obstacles, single_function, …, route")
    design_unit = models.CharField(_("设计单位"), max_length=200, blank=True)
    route_description = models.TextField(_("路径说明"), blank=True)
    rule_set = models.CharField(_("判定规则"), max_length=64)
    classified_on = models.DateField()
    classification = models.JSONField()
    classified_low_risk = models.BooleanField()
    low_risk = models.BooleanField(_("简易低风险"))
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(_("调整理由"), blank=True)
    limit_days = models.FloatField(null=True, blank=True, help_text="the approval clock's limit it set (I8)")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    event_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "recorded_at", "pk"]
        verbose_name = _("配套工程低风险判定")
        verbose_name_plural = _("配套工程低风险判定")

    def __str__(self) -> str:
        return f"{self.order_id}: {'low-risk' if self.low_risk else 'approval'} ({self.rule_set})"


class Filing(models.Model):
    """The notification-and-commitment filing (告知承诺备案) of low-risk works: its commitment letter and its
    record on the construction-approval platform (through the outbox), and when it was filed."""

    order = models.OneToOneField("orders.WorkOrder", on_delete=models.CASCADE, related_name="filing")
    decision = models.ForeignKey(WorksDecision, on_delete=models.PROTECT, related_name="+")
    letter_number = models.CharField(_("承诺书编号"), max_length=40, unique=True)
    filed_at = models.DateTimeField(_("备案时间"))
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(max_length=64, blank=True, help_text="the outbox message to the platform")

    class Meta:
        verbose_name = _("告知承诺备案")
        verbose_name_plural = _("告知承诺备案")

    def __str__(self) -> str:
        return self.letter_number


class ApprovalRequest(models.Model):
    """The administrative approval of works that are not low-risk: submitted to the listed authorities,
    granted when every one of them has approved (its time is the latest approval)."""

    order = models.OneToOneField("orders.WorkOrder", on_delete=models.CASCADE, related_name="approval_request")
    decision = models.ForeignKey(WorksDecision, on_delete=models.PROTECT, related_name="+")
    authorities = models.JSONField(help_text="the authorities asked, by name")
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("批复时间"), null=True, blank=True)
    message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("行政审批")
        verbose_name_plural = _("行政审批")

    def __str__(self) -> str:
        return f"{self.order_id}: {', '.join(self.authorities)}"


class AuthorityAnswer(models.Model):
    APPROVED, REFUSED, DOCUMENTS = "approved", "refused", "documents_missing"
    VERDICTS = [(APPROVED, _("同意")), (REFUSED, _("不同意")), (DOCUMENTS, _("需补正材料"))]

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="answers")
    authority = models.CharField(_("审批部门"), max_length=100)
    verdict = models.CharField(_("答复"), max_length=20, choices=VERDICTS)
    note = models.TextField(_("说明"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.authority}: {self.verdict}"


class Consultation(models.Model):
    """R7: the design unit's route put to one pipeline owner along it; open until answered and every
    conflict found is resolved."""

    OWNER_KINDS = [
        ("water", _("供水")),
        ("gas", _("燃气")),
        ("telecom", _("通信")),
        ("heating", _("供热")),
        ("drainage", _("排水")),
        ("other", _("其他")),
    ]

    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE, related_name="consultations")
    owner_kind = models.CharField(_("管线类别"), max_length=20, choices=OWNER_KINDS)
    owner_name = models.CharField(_("管线权属单位"), max_length=200)
    request = models.TextField(_("征询内容"))
    requested_at = models.DateTimeField(_("征询时间"))
    answer = models.TextField(_("答复意见"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("路径征询")
        verbose_name_plural = _("路径征询")

    def __str__(self) -> str:
        return self.owner_name


class RouteConflict(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="conflicts")
    description = models.TextField(_("冲突情况"))
    found_at = models.DateTimeField(_("发现时间"))
    resolution = models.TextField(_("处理方式"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)

    class Meta:
        ordering = ["found_at", "pk"]

    def __str__(self) -> str:
        return self.description[:60]
