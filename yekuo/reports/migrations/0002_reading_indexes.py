"""The indexes the monthly indicators read by (R12), on the orders' tables.

Made here rather than in the orders' models so that the write path's own indexes stay the orders app's
business: each is partial on a column being set, which a range comparison implies, so both PostgreSQL and
SQLite use it whatever the parameters; orders and nodes not yet closed or completed cost them no writes.
- orders closed in a month (energized or cancelled): `closed_at`;
- nodes completed in a month: `completed_at`.
"""

from django.db import migrations

INDEXES = {
    "reports_order_closed_at": ("orders_workorder", "closed_at"),
    "reports_node_completed_at": ("orders_nodeinstance", "completed_at"),
}


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_customer_fee"), ("orders", "0011_order_by_deadline")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {table} ({column}) WHERE {column} IS NOT NULL",
            f"DROP INDEX {name}",
        )
        for name, (table, column) in INDEXES.items()
    ]
