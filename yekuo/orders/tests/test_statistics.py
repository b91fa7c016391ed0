"""The planner's extended statistics on the nodes (migration 0015): without them PostgreSQL takes a node's
state, code and role as independent and plans 我的待办 and the node-state filter for tens of thousands of
active nodes where a handful exist (bench/RESULTS.md, 2026-12-03)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="extended statistics are PostgreSQL's")
def test_the_node_statistics_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname, stxkind FROM pg_statistic_ext WHERE stxrelid = 'orders_nodeinstance'::regclass")
        found = {name: kinds for name, kinds in cursor.fetchall()}
    assert set(found) >= {"node_state_code", "node_state_role"}
    assert all("m" in kinds for kinds in found.values())  # most-common-value lists
