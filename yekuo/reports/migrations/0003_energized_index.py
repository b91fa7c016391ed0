"""The orders closed in a month by their state (R12): (status, closed_at), partial on closed_at being set.

With `closed_at` alone, SQLite preferred the orders' (status, created_at) index for `status = 'energized'`
and read every energized order of the book; with the state first, both databases read the month's range.
It replaces 0002's `reports_order_closed_at`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_reading_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX reports_order_state_closed_at ON orders_workorder (status, closed_at) "
            "WHERE closed_at IS NOT NULL",
            "DROP INDEX reports_order_state_closed_at",
        ),
        migrations.RunSQL(
            "DROP INDEX reports_order_closed_at",
            "CREATE INDEX reports_order_closed_at ON orders_workorder (closed_at) WHERE closed_at IS NOT NULL",
        ),
    ]
