"""Background work of the database, run by the Huey consumer that `yekuo serve` starts."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.common.statistics import refresh_statistics

log = logging.getLogger(__name__)


def hand_over(task, ids, *, eta=None, what: str = "row") -> None:
    """Queue `task(pk)` for each id, now or at `eta`. A queue that cannot take one is logged and left: the rows
    are committed, and the caller's periodic sweep finds them (outbox deliveries, platform documents)."""
    for pk in ids:
        try:
            if eta is None:
                task(pk)
            else:
                task.schedule((pk,), eta=eta)
        except Exception:
            log.exception("could not queue %s %s; the sweep will", what, pk)


@db_periodic_task(crontab(hour="1", minute="35"))
def refresh_statistics_nightly() -> bool:
    """Daily at 01:35 (Asia/Shanghai): the planner's statistics follow the data as it grows (SQLite only)."""
    return refresh_statistics()
