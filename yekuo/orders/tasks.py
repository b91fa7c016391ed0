"""Background work on orders, run by the Huey consumer that `yekuo serve` starts."""

from huey.contrib.djhuey import db_task

from yekuo.orders.recompute import run_recompute


@db_task()
def recompute_calendar(job_id: int) -> int:
    """Recompute the open clocks after a calendar change (I7; `recompute.run_recompute`): the number of
    orders whose clocks moved. Queued by `recompute.start_recompute`; safe to run again (it resumes)."""
    return run_recompute(job_id).moved
