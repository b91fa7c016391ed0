"""A big Excel export run in the background (P4): who asked, for which filter, how far it is, and its file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导出")
    DONE = "done", _("已完成")
    FAILED = "failed", _("导出失败")


class ExportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    # The order list's GET query (filters and sort): the job re-reads it with the user's scope when it runs.
    query = models.TextField(blank=True)
    language = models.CharField(max_length=16)  # the headers' language, as on the page that asked
    state = models.CharField(max_length=16, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=100, blank=True)  # under YEKUO_DATA_DIR/exports
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the worker starts the job and at each progress report: a running job whose heartbeat is older
    # than services.STALE_AFTER lost its worker (killed, restarted) and is marked failed (services.fail_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="exportjob_created")]

    def __str__(self):
        return f"export {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        return (
            100
            if self.state == ExportState.DONE
            else (int(100 * self.rows_done / self.rows_total) if self.rows_total else 0)
        )

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)
