"""Background work of the return visits (R11), run by the Huey consumer that `yekuo serve` starts."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.visits.services import absorb_ratings


@db_periodic_task(crontab(hour="2", minute="10"))
def absorb_ratings_nightly() -> int:
    """Daily at 02:10: the customers' ratings of the last day become visits by app, in the month the order was
    energized (this month's, and last month's for the orders energized late in it)."""
    today = timezone.localdate()
    months = {today.strftime("%Y-%m"), (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")}
    return sum(absorb_ratings(month) for month in sorted(months))
