"""Big order-list exports as background jobs (P4): start one, run it with the user's scope, clean old files.

A list longer than YEKUO_EXPORT_INLINE_ROWS would keep a web worker busy too long (gunicorn stops a request
after 30 s), so the Huey consumer writes it to YEKUO_DATA_DIR/exports and the user downloads it when done.

A worker that dies mid-job (killed, out of memory, the host restarted) cannot say so. The running job beats
(`heartbeat_at`) at its start and at every progress report, every 200 rows, seconds apart even on a loaded host;
a running job without a beat for STALE_AFTER is taken as lost and marked failed, with a message, by the page
that shows it (the user is not left watching a bar that never moves, even while no worker runs) and by a
periodic task. The user exports again from the page; the rows are read anew then, so nothing is requeued."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation

from yekuo.common.memo import remembering
from yekuo.exports.models import ExportJob, ExportState
from yekuo.orders.selectors import filter_orders, orders_for, sort_orders

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)  # files older than this are deleted by the periodic clean-up
STALE_AFTER = timedelta(minutes=10)  # a running job without a heartbeat for this long lost its worker
STALE_ERROR = "stale: no progress for {minutes} minutes; the worker stopped"


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def scoped_orders(user, query: str):
    """The orders the list with this query shows the user: the same filters, sort and `restrict()` scope."""
    from yekuo.web.forms import OrderFilterForm  # the list's own form reads the query, as on the page

    params = OrderFilterForm(QueryDict(query) or None, user=user).params()
    return sort_orders(filter_orders(orders_for(user, "order.export"), params), params.get("sort", ""))


def start_export(user, query: str, rows_total: int) -> ExportJob:
    from yekuo.exports.tasks import run_export_job

    job = ExportJob.objects.create(
        user=user, query=query, language=translation.get_language() or settings.LANGUAGE_CODE, rows_total=rows_total
    )
    transaction.on_commit(lambda: run_export_job(job.pk))  # the worker must find the row
    return job


@remembering()  # the rows' regulation and calendar revision are read once per job, not per row
def run_export(job_id: int) -> None:
    """Write the job's workbook, reporting rows done; any failure is recorded on the job for the user to see."""
    from yekuo.web.export import write_workbook

    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.state != ExportState.QUEUED:
        return  # a retried or duplicated message: the job already ran
    job.state = ExportState.RUNNING
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["state", "heartbeat_at"])
    name = f"export-{job.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx"
    path = export_dir() / name
    try:
        with translation.override(job.language):
            orders = scoped_orders(job.user, job.query)  # scope re-applied now: rights may have changed
            job.rows_total = orders.count()
            job.save(update_fields=["rows_total"])

            def progress(done: int) -> None:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=done, heartbeat_at=timezone.now())

            done = write_workbook(orders, path, progress)
    except Exception as error:  # any failure ends the job visibly rather than leaving it running
        log.exception("export job %s failed", job.pk)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, error=f"{type(error).__name__}: {error}"[:500], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(
        state=ExportState.DONE, rows_done=done, rows_total=done, file_name=name, finished_at=timezone.now()
    )


def fail_stale(now=None, jobs=None) -> int:
    """Mark failed the running jobs (of `jobs`, default all) whose worker stopped beating STALE_AFTER ago;
    returns how many. A job that beats again after all (a worker paused, not dead) cannot then finish as done
    (its final update asks for the running state), and its file is removed with the job by the clean-up."""
    now = now or timezone.now()
    jobs = ExportJob.objects.all() if jobs is None else jobs
    stale = jobs.filter(state=ExportState.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    count = stale.update(
        state=ExportState.FAILED, error=STALE_ERROR.format(minutes=int(STALE_AFTER.total_seconds() // 60)),
        finished_at=now,
    )  # fmt: skip
    if count:
        log.warning("%s export job(s) lost their worker and were marked failed", count)
    return count


def clean_old_exports(now=None) -> int:
    """Delete exports (rows and files) created more than a day ago; returns how many jobs were removed."""
    cutoff = (now or timezone.now()) - KEEP
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


def file_path(job: ExportJob) -> Path | None:
    """The finished job's file, or None once it is gone."""
    if job.state != ExportState.DONE or not job.file_name:
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None
