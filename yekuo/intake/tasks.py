"""Background work of the intake app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

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
