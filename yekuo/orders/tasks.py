"""Background work on orders, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yekuo.orders.recompute import run_recompute


@db_task()
def recompute_calendar(job_id: int) -> int:
    """Recompute the open clocks after a calendar change (I7; `recompute.run_recompute`): the number of
    orders whose clocks moved. Queued by `recompute.start_recompute`; safe to run again (it resumes)."""
    return run_recompute(job_id).moved


@db_periodic_task(crontab(minute="*/5"))
def review_long_suspensions() -> int:
    """I5: open suspensions that have passed YEKUO_SUSPENSION_REVIEW_DAYS go to review
    (`suspension_review.flag_long_suspensions`); the number flagged."""
    from yekuo.orders.suspension_review import flag_long_suspensions

    return flag_long_suspensions()
