"""Background work of the intake app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yekuo.intake.credentials import nonces_forget


@db_periodic_task(crontab(minute="*/10"))
def forget_nonces():
    """The nonce table holds only the current replay window (R3, docs/platforms.md)."""
    nonces_forget()


@db_periodic_task(crontab(minute="*"))
def relay_progress():
    """Node progress of platform orders to their platforms, through the outbox (R3)."""
    from yekuo.intake.callbacks import relay_progress as relay

    relay()


@db_task()
def document_fetch_task(pk: int) -> str | None:
    """Fetch one document of a pushed application from its platform and keep it (R3)."""
    from yekuo.intake.documents import document_fetch

    return document_fetch(pk)


@db_periodic_task(crontab(minute="*"))
def documents_fetch_every_minute() -> int:
    """Every minute: every pending document whose time has come is fetched (nothing is lost if a scheduled
    fetch was)."""
    from yekuo.intake.documents import documents_due

    ids = documents_due()
    for pk in ids:
        document_fetch_task(pk)
    return len(ids)
