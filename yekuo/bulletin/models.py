"""The monthly bulletin (通报, R12) as immutable report runs, and the branches' assessment (绩效考核, R13).

- `ReportRun`: one revision of one month's bulletin of one company. `data` is the whole snapshot the
  bulletin is rendered from (the indicators, return visits, normativity findings and overdue orders as
  computed when it ran), so the page, the Excel file and the PDF of a revision are always the same
  document, however the orders change later. A run is never updated: running the month again makes the
  next revision; `changes` says what differs from the revision before.
- `ScoringScheme`: one version of the assessment rules (indicators, targets, weights, deductions), loaded
  from a TOML file (`data/`), immutable once published, in force from its effective date (like the
  regulations, R14).
- `Assessment` and `BranchScore`: a month's scores per branch, computed from a bulletin revision under the
  scheme in force on the month's first day. The marketing service department confirms them; from then on
  they never change (`services.assessment_compute` refuses, and the rows refuse to be saved).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yekuo.common.errors import Conflict


class ReportRun(models.Model):
    scope_company_field = "company"

    company = models.ForeignKey("accounts.Company", models.PROTECT, related_name="+", verbose_name=_("供电公司"))
    month = models.CharField(_("月份"), max_length=7, help_text="YYYY-MM, Asia/Shanghai")
    revision = models.PositiveIntegerField(_("版本"))
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("生成人")
    )
    source = models.CharField(_("来源"), max_length=10, help_text="web or cli")
    data = models.JSONField(help_text="The snapshot the bulletin is rendered from")
    checksum = models.CharField(max_length=64, help_text="sha256 of the snapshot's figures (generated_at left out)")
    changes = models.JSONField(default=list, blank=True, help_text="What differs from the previous revision")

    class Meta:
        ordering = ["-month", "-revision"]
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        constraints = [
            models.UniqueConstraint(fields=["company", "month", "revision"], name="report_run_unique_revision")
        ]

    def __str__(self) -> str:
        return f"{self.month} r{self.revision}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Conflict("a bulletin revision is immutable; run the month again for a new revision", code="immutable")
        super().save(*args, **kwargs)


class ScoringScheme(models.Model):
    code = models.CharField(max_length=64, unique=True)
    document = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    effective_from = models.DateField(unique=True)
    content = models.TextField(help_text="The normalised scheme as JSON, in the file's order")
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("绩效考核评分细则")
        verbose_name_plural = _("绩效考核评分细则")

    def __str__(self) -> str:
        return f"{self.code} (from {self.effective_from})"


class Assessment(models.Model):
    scope_company_field = "company"

    company = models.ForeignKey("accounts.Company", models.PROTECT, related_name="+", verbose_name=_("供电公司"))
    month = models.CharField(_("月份"), max_length=7)
    scheme = models.ForeignKey(ScoringScheme, models.PROTECT, related_name="+", verbose_name=_("评分细则"))
    report = models.ForeignKey(ReportRun, models.PROTECT, related_name="+", verbose_name=_("依据的通报版本"))
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("确认人")
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度绩效考核")
        verbose_name_plural = _("月度绩效考核")
        constraints = [models.UniqueConstraint(fields=["company", "month"], name="assessment_unique_month")]

    def __str__(self) -> str:
        return f"{self.month}{' ✓' if self.confirmed_at else ''}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            if Assessment.objects.filter(pk=self.pk, confirmed_at__isnull=False).exists():
                raise Conflict(f"the scores of {self.month} are confirmed and frozen", code="assessment_confirmed")
        super().save(*args, **kwargs)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class BranchScore(models.Model):
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="scores")
    branch_code = models.CharField(_("分公司"), max_length=30)
    branch_name = models.CharField(_("分公司名称"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("排名"))
    breakdown = models.JSONField(help_text="Each indicator's points and each deduction, as scored")

    class Meta:
        ordering = ["rank", "branch_code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "branch_code"], name="branch_score_unique")]

    def __str__(self) -> str:
        return f"{self.branch_code} {self.score} #{self.rank}"

    def save(self, *args, **kwargs):
        if Assessment.objects.filter(pk=self.assessment_id, confirmed_at__isnull=False).exists():
            raise Conflict("the scores of this month are confirmed and frozen", code="assessment_confirmed")
        super().save(*args, **kwargs)
