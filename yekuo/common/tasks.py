"""Background work of the database, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.common.statistics import refresh_statistics


@db_periodic_task(crontab(hour="1", minute="35"))
def refresh_statistics_nightly() -> bool:
    """Daily at 01:35 (Asia/Shanghai): the planner's statistics follow the data as it grows (SQLite only)."""
    return refresh_statistics()
