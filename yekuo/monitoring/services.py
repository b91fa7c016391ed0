"""Writes of the monitoring app that people make: reading the inbox, choosing channels (R10)."""

from django.db import transaction
from django.utils import timezone

from yekuo.common.errors import InvalidInput
from yekuo.monitoring.models import InboxMessage, NotificationPreference
from yekuo.monitoring.notify import CHANNELS


def inbox_mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's messages (these, or all) read; another user's ids are ignored."""
    with transaction.atomic(durable=True):
        rows = InboxMessage.objects.filter(user=user, read_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return rows.update(read_at=timezone.now())


def channels_set(user, channels: list[str]) -> NotificationPreference:
    """The user's channel choice; the inbox is always on."""
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise InvalidInput(f"unknown channel(s): {', '.join(unknown)}", field="channels")
    chosen = ["inbox", *(c for c in CHANNELS if c != "inbox" and c in channels)]
    with transaction.atomic(durable=True):
        pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults={"channels": chosen})
    return pref
