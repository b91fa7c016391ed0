"""Background work of the outbox, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yekuo.outbox import services


@db_task()
def deliver_task(delivery_id: int) -> str | None:
    """One try of one delivery, queued when its transaction commits (and again at its backoff time)."""
    return services.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_every_minute() -> int:
    """Every minute: queue every due delivery, so a worker killed between commit and delivery, a full queue or
    a lost scheduled retry loses nothing."""
    ids = services.due_ids()
    for delivery_id in ids:
        deliver_task(delivery_id)
    return len(ids)
