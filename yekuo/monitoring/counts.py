"""The control dashboard's stored counts (R9, R10, O12; P6).

Counting a book of a million orders (300,000 in transit, most of them alarmed in the demo) takes seconds,
more than a page may. So the counts are made apart, every YEKUO_DASHBOARD_COUNT_MINUTES by the background
worker (`monitoring.tasks.dashboard_counts`) and by `yekuo monitor count`, and stored as one
`DashboardCount` with its `DashboardCell` rows per branch, category, node and state; the dashboard reads the
latest count in the user's scope (`restrict` on the cells' branch) and says when it was made.

A refresh is four INSERT … SELECT … GROUP BY statements, so the rows counted never leave the database:

- the active nodes of the orders in transit, by the state of the clock that covers each node at the count's
  instant (`snapshot.node_state`, the same CASE as `snapshot.node_state_case`);
- the orders in transit (status in_transit or suspended);
- the orders overdue and in warning, as the order list's `alarm=` filter counts them (orders/due.py).

The new count and its cells are written in one transaction that also deletes the earlier counts, so a page
reads either the old count or the new one, whole.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from yekuo.monitoring.models_stats import DashboardCell, DashboardCount
from yekuo.orders.models import Clock, NodeInstance, WorkOrder
from yekuo.orders.projection import IN_TRANSIT, SUSPENDED

# The orders' states of the cells without a node (the others are snapshot.STATES).
ORDER_STATES = ("in_transit", "overdue", "warning")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _statements(count_id: int, at: datetime) -> list[tuple[str, list]]:
    cells, orders, nodes, clocks = (_table(m) for m in (DashboardCell, WorkOrder, NodeInstance, Clock))
    insert = f"INSERT INTO {cells} (count_id, branch_id, category, node, state, n)"
    stamp = connection.ops.adapt_datetimefield_value(at)
    # Grouped by position: the state's CASE carries parameters, which PostgreSQL does not match between the
    # select list and a GROUP BY written out.
    # snapshot.node_state: paused, or the order suspended and the clock not running: suspended; a running
    # clock past its deadline: overdue; at or past its warning time: warning; anything else normal.
    node_state = """CASE
        WHEN c.state = 'paused' OR (o.status = %s AND COALESCE(c.state, '') <> 'running') THEN 'suspended'
        WHEN c.state = 'running' AND c.deadline_at < %s THEN 'overdue'
        WHEN c.state = 'running' AND c.warn_at <= %s THEN 'warning'
        ELSE 'normal' END"""
    return [
        (
            f"""{insert} SELECT %s, o.branch_id, o.category, d.code, {node_state}, COUNT(*)
            FROM {nodes} d JOIN {orders} o ON o.id = d.order_id
            LEFT JOIN {clocks} c ON c.order_id = d.order_id AND c.code = d.clock_code
            WHERE d.state = 'active' AND o.status IN (%s, %s)
            GROUP BY 2, 3, 4, 5""",
            [count_id, SUSPENDED, stamp, stamp, IN_TRANSIT, SUSPENDED],
        ),
        (
            f"""{insert} SELECT %s, o.branch_id, o.category, '', 'in_transit', COUNT(*) FROM {orders} o
            WHERE o.status IN (%s, %s) GROUP BY o.branch_id, o.category""",
            [count_id, IN_TRANSIT, SUSPENDED],
        ),
        # due.overdue and due.warning: a running clock past its deadline; past its warning time and none past
        # its deadline (an order is counted in the worse of the two).
        (
            f"""{insert} SELECT %s, o.branch_id, o.category, '', 'overdue', COUNT(*) FROM {orders} o
            WHERE o.due_at < %s GROUP BY o.branch_id, o.category""",
            [count_id, stamp],
        ),
        (
            f"""{insert} SELECT %s, o.branch_id, o.category, '', 'warning', COUNT(*) FROM {orders} o
            WHERE o.warn_at <= %s AND NOT (o.due_at < %s) AND o.due_at IS NOT NULL
            GROUP BY o.branch_id, o.category""",
            [count_id, stamp, stamp],
        ),
    ]


def refresh(at: datetime | None = None) -> DashboardCount:
    """Count the dashboard's figures of every branch as of `at` (default now), store them as the latest
    count and delete the earlier ones."""
    at = at or timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        count = DashboardCount.objects.create(counted_at=at)
        with connection.cursor() as cursor:
            for sql, params in _statements(count.pk, at):
                cursor.execute(sql, params)
        count.took_ms = round((time.perf_counter() - started) * 1000)
        count.save(update_fields=["took_ms"])
        earlier = DashboardCount.objects.filter(counted_at__lte=at).exclude(pk=count.pk)
        DashboardCell.objects.filter(count__in=earlier).delete()
        earlier.delete()
    return count


def latest() -> DashboardCount | None:
    """The latest stored count; None before the first."""
    return DashboardCount.objects.order_by("-counted_at", "-pk").first()


# ------------------------------------------------------------------------------------------ command
def add_arguments(parser):
    pass


def run(command, **_options):
    """`yekuo monitor count`: refresh the dashboard's stored counts now."""
    count = refresh()
    cells = count.cells.count()
    command.stdout.write(
        f"dashboard counted at {timezone.localtime(count.counted_at):%Y-%m-%d %H:%M:%S}: "
        f"{cells} cells in {count.took_ms} ms"
    )
