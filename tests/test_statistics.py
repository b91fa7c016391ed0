"""The query planner's statistics (yekuo/common/statistics.py): SQLite is analyzed, PostgreSQL left to
autovacuum; the nightly task runs the same function."""

import pytest
from django.db import connection

from yekuo.common.statistics import refresh_statistics
from yekuo.common.tasks import refresh_statistics_nightly
from yekuo.orders.tests.api_helpers import make_order

pytestmark = pytest.mark.django_db


def _analyzed_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return set()
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'orders_workorder'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics")
def test_sqlite_is_analyzed_with_the_lists_indexes(cast):
    make_order(cast)
    assert refresh_statistics() is True
    assert {"order_created_at", "order_due_at", "order_warn_at"} <= _analyzed_indexes()
    assert refresh_statistics_nightly.call_local() is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is analyzed")
def test_postgresql_is_left_to_autovacuum(cast):
    assert refresh_statistics() is False
