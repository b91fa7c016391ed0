"""Background work of exports, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yekuo.exports import services


@db_task()
def run_export_job(job_id: int) -> None:
    """A big order-list export (P4), with progress on its job row."""
    services.run_export(job_id)


@db_periodic_task(crontab(minute="*/5"))
def fail_stale_exports() -> int:
    """Every five minutes: running jobs whose worker died are marked failed (their page does it too)."""
    return services.fail_stale()


@db_periodic_task(crontab(minute="20"))
def clean_old_exports_hourly() -> int:
    """Every hour: exports older than a day are deleted, files and rows (personal data is not kept around)."""
    return services.clean_old_exports()
