"""Background work of the working calendar, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.workcal.services import calendar_extend


@db_periodic_task(crontab(hour="1", minute="5"))
def extend_provisional_calendar() -> list[int]:
    """Daily at 01:05 (Asia/Shanghai): provisional years ahead (I7); idempotent, so a missed day is harmless."""
    return calendar_extend()
