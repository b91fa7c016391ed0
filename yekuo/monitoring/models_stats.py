"""The daily in-transit statistics and the breach risks (R10, O12), imported by monitoring.models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailySnapshot(models.Model):
    """每日在途统计 of one company on one day (R10): as of the start of that working day, kept for trends.
    Re-running a date replaces that date's rows only (`monitoring.daily.store_day`)."""

    scope_company_field = "company"

    company = models.ForeignKey("accounts.Company", models.CASCADE, related_name="+", verbose_name=_("公司"))
    date = models.DateField(_("统计日期"))
    at = models.DateTimeField(_("统计时点"), help_text="The start of the working day (midnight on a day off)")
    window_start = models.DateTimeField(_("统计区间起"), help_text="The previous snapshot's instant")
    computed_at = models.DateTimeField(_("生成时间"))
    folded = models.PositiveIntegerField(default=0, help_text="orders replayed from their log")
    alarms_stored = models.BooleanField(default=False, help_text="the day's overdue-warning list is in DailyAlarm")

    class Meta:
        ordering = ["-date"]
        verbose_name = _("每日在途统计")
        verbose_name_plural = _("每日在途统计")
        constraints = [models.UniqueConstraint(fields=["company", "date"], name="daily_snapshot_unique_day")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.date}"


class DailyCount(models.Model):
    """One cell of a day's snapshot: active nodes of a branch, category and node in one state."""

    scope_branch_field = "branch"

    snapshot = models.ForeignKey(DailySnapshot, models.CASCADE, related_name="counts")
    branch = models.ForeignKey("accounts.Branch", models.CASCADE, related_name="+")
    category = models.CharField(max_length=20)
    node = models.CharField(max_length=30)
    state = models.CharField(max_length=10)  # normal, warning, overdue, suspended
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "branch"])]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.branch_id} {self.category} {self.node} {self.state}: {self.count}"


class DailyFlow(models.Model):
    """What happened in a branch and category over the day's window (from the previous snapshot's instant
    to this one's): orders created, orders energized, clocks that ran past their deadline."""

    scope_branch_field = "branch"

    snapshot = models.ForeignKey(DailySnapshot, models.CASCADE, related_name="flows")
    branch = models.ForeignKey("accounts.Branch", models.CASCADE, related_name="+")
    category = models.CharField(max_length=20)
    new = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    newly_overdue = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "branch"])]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.branch_id} {self.category}"


class BreachRisk(models.Model):
    """The estimated probability that a running clock ends overdue (O12, docs/breach-risk.md), refreshed by
    the periodic job: one row per running clock."""

    scope_branch_field = "branch"

    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="breach_risks", db_index=False)
    clock = models.CharField(max_length=30)
    branch = models.ForeignKey("accounts.Branch", models.CASCADE, related_name="+", db_index=False)
    probability = models.FloatField(_("超期风险"))
    used_ratio = models.FloatField(help_text="working time used / budget when computed")
    basis = models.CharField(max_length=10, help_text="branch, company, limit or overdue (docs/breach-risk.md)")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "clock"], name="breach_risk_unique_clock")]
        # The dashboard's "highest risks" leave out the clocks already overdue (basis "overdue", certain):
        # partial indexes without them, so the first rows of the index are the answer.
        indexes = [
            models.Index(fields=["-probability"], condition=~models.Q(basis="overdue"), name="breach_risk_probability"),
            models.Index(fields=["branch", "-probability"], condition=~models.Q(basis="overdue"),
                         name="breach_risk_branch"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.order_id}:{self.clock} {self.probability:.0%}"


class DashboardCount(models.Model):
    """One count of the control dashboard (R9, R10, O12): the figures of every branch as of `counted_at`,
    refreshed every YEKUO_DASHBOARD_COUNT_MINUTES by the background worker and by `yekuo monitor count`
    (`monitoring.counts.refresh`). Counting a book of a million orders takes seconds; reading its cells is one
    small query, so the page reads the latest count and says when it was made."""

    counted_at = models.DateTimeField(_("统计时间"))
    took_ms = models.PositiveIntegerField(default=0, help_text="how long the count took")

    class Meta:
        ordering = ["-counted_at"]

    def __str__(self) -> str:
        return f"{self.counted_at:%Y-%m-%d %H:%M:%S}"


class DashboardCell(models.Model):
    """One figure of a dashboard count in a branch and category. With a `node`: the active nodes of that
    node code in `state` (normal, warning, overdue, suspended: `snapshot.node_state` at the count's instant).
    Without one (""): orders, `state` in_transit (received and not closed), overdue or warning (the order
    list's `alarm=` filter, orders/due.py)."""

    scope_branch_field = "branch"

    count = models.ForeignKey(DashboardCount, models.CASCADE, related_name="cells")
    branch = models.ForeignKey("accounts.Branch", models.CASCADE, related_name="+", db_index=False)
    category = models.CharField(max_length=20)
    node = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=10)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["count", "branch"], name="dashboard_cell_branch")]

    def __str__(self) -> str:
        return f"{self.count_id} {self.branch_id} {self.category} {self.node} {self.state}: {self.n}"


class DailyAlarm(models.Model):
    """One line of a day's overdue-warning list (时限超期预警, R10): an active node in warning or overdue at
    the day's snapshot instant, stored with the snapshot (`daily.store_day`) so that the day's page and its
    Excel file read the published list instead of computing it again on every request. Kept
    `daily.ALARM_DAYS_KEPT` days; an older day's list is computed from the log when asked for."""

    scope_branch_field = "branch"

    snapshot = models.ForeignKey(DailySnapshot, models.CASCADE, related_name="alarms")
    branch = models.ForeignKey("accounts.Branch", models.CASCADE, related_name="+", db_index=False)
    order = models.ForeignKey("orders.WorkOrder", models.CASCADE, related_name="+", db_index=False)
    node = models.CharField(max_length=30)
    state = models.CharField(max_length=10)  # overdue, warning
    deadline_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The page's order within a day: by branch, overdue first, then by deadline.
        indexes = [models.Index(fields=["snapshot", "branch", "state", "deadline_at"], name="daily_alarm_list")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.order_id}:{self.node} {self.state}"
