"""Background work of the partner services, run by the Huey consumer that `yekuo serve` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yekuo.partners import services


@db_task()
def verification_retry_task(pk: int) -> str | None:
    """R2: ask a service again for a question it could not answer (down or slow) when it was asked."""
    return services.verification_retry(pk)


@db_periodic_task(crontab(minute="*"))
def verification_retry_every_minute() -> int:
    """Every minute: every waiting question whose time has come is asked again (nothing is lost if a
    scheduled retry was)."""
    ids = services.verification_due()
    for pk in ids:
        verification_retry_task(pk)
    return len(ids)
