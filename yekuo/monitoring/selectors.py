"""Reads of the monitoring app: a user's inbox and unread count, warnings for a page (R9, R10)."""

from yekuo.monitoring.models import InboxMessage


def unread_count(user) -> int:
    """Served by the partial index `inbox_unread` (the user's unread messages only)."""
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def inbox_of(user, unread_only: bool = False):
    rows = InboxMessage.objects.filter(user=user).select_related("warning")
    return rows.filter(read_at__isnull=True) if unread_only else rows
