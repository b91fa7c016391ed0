"""The order row's soonest deadline and warning time (orders/due.py, P4): kept by every action,
filled by the migration, checked by `orders verify`, and what the lists' alarm filters read — from an index,
never by looking at each order's clocks (the plans are checked with EXPLAIN on SQLite and PostgreSQL)."""

import importlib
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Min

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, NodeInstance, WorkOrder
from yekuo.orders.selectors import LIVE, KeyedPages, filter_orders, my_work, orders_for, sort_orders, with_current_work
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT
pytestmark = pytest.mark.django_db


def create(cast, when="2026-11-02 09:00", **kwargs):
    defaults = {
        "actor": cast.clerk, "category": "lv_business", "channel": "counter", "customer_name": "张三",
        "site_address": "东区康和路1号", "capacity_kva": 50, "voltage": "380V", "occurred_at": at(when),
        "source": IMPORT, "customer_phone": "13912345678",
    }  # fmt: skip
    return services.order_create(**{**defaults, **kwargs})


def from_clocks(order) -> tuple:
    """What the order row should say, asked of its clock rows."""
    running = Clock.objects.filter(order=order, state="running")
    found = running.aggregate(due=Min("deadline_at"), warn=Min("warn_at"))
    return found["due"], found["warn"]


def on_row(order) -> tuple:
    return tuple(WorkOrder.objects.filter(pk=order.pk).values_list("due_at", "warn_at").get())


def test_every_action_keeps_the_soonest_running_deadline_on_the_order(cast):
    order = create(cast)
    assert on_row(order) == from_clocks(order) and on_row(order)[0] == at("2026-11-02 15:00")  # acceptance: 1 day
    # An action that leaves the running clock as it was still writes its deadline (not None).
    services.order_assign(order, actor=cast.branch_manager, node="acceptance", assignee=cast.clerk,
                          occurred_at=at("2026-11-02 09:30"), source=IMPORT)  # fmt: skip
    assert on_row(order) == from_clocks(order) and on_row(order)[0] == at("2026-11-02 15:00")
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"), source=IMPORT
    )
    survey = on_row(order)
    assert survey == from_clocks(order) and survey[0] > at("2026-11-02 15:00") and survey[1] < survey[0]
    services.order_suspend(order, actor=cast.customer_manager, reason_code="documents_missing", evidence_note="缺",
                           occurred_at=at("2026-11-02 11:00"), source=IMPORT)  # fmt: skip
    assert on_row(order) == (None, None)  # its clocks are paused: nothing falls due
    services.order_resume(order, actor=cast.customer_manager, occurred_at=at("2026-11-03 11:00"), source=IMPORT)
    assert on_row(order) == from_clocks(order) and on_row(order)[0] > survey[0]  # the pause is credited
    services.order_cancel(order, actor=cast.branch_manager, cancel_reason="客户撤回",
                          occurred_at=at("2026-11-03 12:00"), source=IMPORT)  # fmt: skip
    assert on_row(order) == (None, None)


def test_verify_checks_the_order_rows_deadline(cast):
    order = create(cast)
    out = StringIO()
    call_command("orders", "verify", stdout=out)
    assert "1 consistent, 0 differ" in out.getvalue()
    WorkOrder.objects.filter(pk=order.pk).update(due_at=at("2026-12-31 18:00"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("orders", "verify", stdout=out)
    assert "order.due_at" in out.getvalue()


def test_the_migration_fills_the_orders_from_their_clocks(cast):
    running, closed = create(cast), create(cast, when="2026-11-03 09:00")
    services.order_cancel(closed, actor=cast.branch_manager, cancel_reason="客户撤回",
                          occurred_at=at("2026-11-03 10:00"), source=IMPORT)  # fmt: skip
    expected = {o.pk: on_row(o) for o in (running, closed)}
    WorkOrder.objects.update(due_at=at("2026-12-31 18:00"), warn_at=None)  # as if written before the columns
    importlib.import_module("yekuo.orders.migrations.0004_order_due_at").fill_due(apps, None)
    assert {o.pk: on_row(o) for o in (running, closed)} == expected
    assert expected[running.pk][0] is not None and expected[closed.pk] == (None, None)


def test_the_alarm_filters_compare_the_row_with_now(cast, django_assert_max_num_queries):
    order = create(cast)
    other = create(cast, when="2026-11-03 09:00")
    services.order_suspend(other, actor=cast.clerk, reason_code="documents_missing", evidence_note="缺",
                           occurred_at=at("2026-11-03 10:00"), source=IMPORT)  # fmt: skip
    due, warn = on_row(order)
    scope = orders_for(cast.dispatcher)

    def listed(alarm, when):
        return set(filter_orders(scope, {"alarm": alarm}, when).values_list("number", flat=True))

    before, warned, late = warn - timedelta(seconds=1), warn + (due - warn) / 2, due + timedelta(seconds=1)
    assert [listed(a, before) for a in ("overdue", "warning", "any")] == [set(), set(), set()]
    assert [listed(a, warned) for a in ("overdue", "warning", "any")] == [set(), {order.number}, {order.number}]
    assert [listed(a, late) for a in ("overdue", "warning", "any")] == [{order.number}, set(), {order.number}]
    flags = filter_orders(scope, {}, late).get(pk=order.pk)
    assert (flags.is_overdue, flags.is_warning) == (True, False)  # one alarm state: the worse one
    by_deadline = sort_orders(filter_orders(scope, {}, late), "deadline")
    with django_assert_max_num_queries(1):  # the flags and the sort are columns of the row
        assert [o.pk for o in by_deadline] == [order.pk, other.pk]  # nothing runs on the suspended one: last


# ------------------------------------------------------------------------------------------ plans
def plan(queryset, sort: bool = True) -> str:
    """The database's plan of a queryset. On PostgreSQL sequential scans are disabled for the look: a test
    table is a few rows, which the planner rightly reads whole; disabled, it still scans when no index can
    serve the query, so an index in the plan is one that serves it. `sort=False` disables sorting likewise:
    a sort left in the plan is one that no index can spare."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def scans(text: str, table: str) -> bool:
    """Does the plan read the whole table (SQLite: SCAN t; PostgreSQL: Seq Scan on t)?"""
    return any(line.strip().startswith(f"SCAN {table}") or f"Seq Scan on {table}" in line for line in text.splitlines())


@pytest.mark.parametrize("alarm", ["", "overdue", "warning", "any"])
def test_the_list_and_its_alarm_filters_never_look_at_the_clocks(cast, alarm):
    create(cast)
    for user in (cast.dispatcher, cast.branch_manager):
        text = plan(sort_orders(filter_orders(orders_for(user), {"alarm": alarm})))
        assert "orders_clock" not in text, text
        assert not scans(text, "orders_workorder"), text


def sorts(text: str) -> bool:
    """Does the plan sort the rows it read (SQLite: a temporary B-tree for the ORDER BY; PostgreSQL: a Sort node)?
    An incremental sort (PostgreSQL) or one of the right part of the ORDER BY (SQLite) only orders ties of an
    index's order: the index serves the list."""
    return "TEMP B-TREE FOR ORDER BY" in text or any(line.strip().lstrip("-> ").startswith("Sort  (")
                                                    for line in text.splitlines())  # fmt: skip


# SQLite's statistics of bench/list_data.py's 100,000-order book (sqlite_stat1 after ANALYZE, as the nightly task
# keeps them): with a test's few rows SQLite would plan for a book of a few rows.
BOOK_STATISTICS = {
    "orders_workorder": {
        None: "100000",
        "order_by_deadline": "100000 3 1 1",
        "order_created_at": "100000 1",
        "order_running_newest": "33732 1 1 1 1 1",
        "order_warn_at": "33732 1 1 1 1 1",
        "order_due_at": "33732 1 1 1 1",
        "orders_work_status_97cfd4_idx": "100000 20000 1",
        "orders_work_branch__41aa82_idx": "100000 12500 2500",
        "orders_workorder_service_area_id_22c85b8a": "100000 100000",
        "sqlite_autoindex_orders_workorder_1": "100000 1",
    },
    "orders_nodeinstance": {
        "node_active": "47937 2 1 1 1 1",
        "orders_node_role_f37f21_idx": "540986 180329 45083",
        "orders_nodeinstance_assignee_id_9b0b2784": "540986 540986",
        "sqlite_autoindex_orders_nodeinstance_1": "540986 6 1",
    },
    "orders_clock": {"sqlite_autoindex_orders_clock_1": "497648 5 1"},
    "accounts_company": {"sqlite_autoindex_accounts_company_1": "2 1"},
    "accounts_branch": {
        "accounts_branch_company_id_92f5727a": "9 5",
        "accounts_branch_code_ea95d4d2": "9 1",
        "sqlite_autoindex_accounts_branch_1": "9 5 1",
    },
}


@pytest.fixture
def book_statistics(db):
    """On SQLite, plan as for the benchmark's 100,000 orders (PostgreSQL's plans are checked with sorting and
    scanning disabled instead: `plan`). SQLite keeps the statistics it loaded in the connection, past the test's
    rollback: the ones before are put back."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
        before = cursor.fetchall()
        for table, indexes in BOOK_STATISTICS.items():
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
            for index, stat in indexes.items():
                cursor.execute("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", [table, index, stat])
        cursor.execute("ANALYZE sqlite_schema")  # reads sqlite_stat1 again
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", before)
        cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.parametrize("alarm", ["", "overdue", "warning"])
def test_the_list_by_deadline_walks_an_index_instead_of_sorting_the_book(cast, alarm, book_statistics):
    """`sort=deadline` (soonest deadline first, orders with no running clock after them, newest first) reads
    a company's page from the `order_by_deadline` index in the list's order and stops there, on either
    database (bench/list_queries.py, `api_by_deadline`); it sorted the whole book. With an alarm filter SQLite
    may sort the orders in that alarm, found by their index; a branch's list the branch's orders, found by its
    index (PostgreSQL walks `order_by_deadline` in both cases)."""
    create(cast)
    text = plan(sort_orders(filter_orders(orders_for(cast.dispatcher), {"alarm": alarm}), "deadline")[:20], False)
    if alarm:  # a sort, if any, of the orders in that alarm only, found by an alarm's index
        assert not sorts(text) or any(f"INDEX order_{c}_at (" in text for c in ("due", "warn")), text
        assert not scans(text, "orders_workorder"), text
    else:
        assert not sorts(text) and "order_by_deadline" in text, text
    text = plan(sort_orders(filter_orders(orders_for(cast.branch_manager), {"alarm": alarm}), "deadline")[:20], False)
    bounded = "(branch_id=?)" in text or any(f"INDEX order_{c}_at (" in text for c in ("due", "warn"))
    assert not sorts(text) or bounded, text  # the branch's orders, or those in the alarm
    assert not scans(text, "orders_workorder"), text


@pytest.mark.parametrize("sort", ["created", "deadline"])
def test_the_list_pages_rows_come_from_the_lists_index(cast, sort, book_statistics):
    """The page's query (with what a row shows, `with_current_work`) walks the list's index like the API's: with
    the company joined for the rows' calendars, SQLite read the company first and sorted its whole book."""
    create(cast)
    for user in (cast.dispatcher, cast.department_manager):
        text = plan(sort_orders(with_current_work(filter_orders(orders_for(user), {})), sort)[:20], sort=False)
        assert not sorts(text), text


@pytest.mark.parametrize(
    ("alarm", "indexes"),
    [("overdue", ["order_due_at", "order_by_deadline"]), ("warning", ["order_warn_at"])],
)
def test_an_alarm_filter_can_be_served_by_an_index(cast, alarm, indexes, book_statistics):
    """Without a scope to lead with (a superuser's list, the company's whole book), the filter reads an index:
    overdue a range of the deadlines, warning the few orders past their warning time (not the deadlines still
    ahead, most of the running orders); PostgreSQL picks them on its own at 1,000,000 orders
    (bench/list_queries.py)."""
    create(cast)
    text = plan(filter_orders(WorkOrder.objects.all(), {"alarm": alarm}).order_by())
    assert any(index in text for index in indexes), text


@pytest.mark.parametrize(("alarm", "index"), [("overdue", "order_due_at"), ("warning", "order_warn_at")])
def test_an_alarm_lists_page_keys_are_read_from_its_index_alone(cast, alarm, index, book_statistics):
    """The alarm lists newest first (`KeyedPages`): the page's keys and the count come from the alarm's index or
    the running orders' index newest first, without reading the orders' rows (SQLite: covering indexes, planned
    with the book's statistics), for the company's scope (its branches) as for a branch's; then the page's rows by
    their keys."""
    create(cast)
    for user in (cast.dispatcher, cast.branch_manager):
        listed = sort_orders(filter_orders(orders_for(user), {"alarm": alarm}))
        for query in (listed.values("pk")[:50], listed.order_by().values("pk")):  # the page's keys, the count
            text = plan(query)
            if connection.vendor == "sqlite":  # PostgreSQL chooses by its statistics (at scale: index-only scans
                orders = [line for line in text.splitlines() if " orders_workorder " in line]  # of these indexes,
                assert orders and all(  # bench/list_queries.py); the table itself is never read
                    any(f"USING COVERING INDEX {i}" in line for i in (index, "order_running_newest")) for line in orders
                ), text
            else:
                assert not scans(text, "orders_workorder"), text
        text = plan(KeyedPages(listed)[:50])
        if connection.vendor == "sqlite":
            assert "SEARCH orders_workorder USING INTEGER PRIMARY KEY (rowid=?)" in text, text


def test_keyed_pages_are_the_lists_pages(cast):
    """The same rows in the same order and the same count as the queryset sliced, on every page."""
    orders = [create(cast, when=f"2026-11-0{day} 09:00") for day in range(2, 7)]
    when = max(on_row(order)[0] for order in orders) + timedelta(days=1)  # every one overdue
    listed = sort_orders(filter_orders(orders_for(cast.dispatcher), {"alarm": "overdue"}, when))
    pages = KeyedPages(listed)
    assert pages.count() == len(pages) == len(orders)
    for start in range(0, 6, 2):
        assert [o.pk for o in pages[start : start + 2]] == [o.pk for o in listed[start : start + 2]]
    assert [o.pk for o in pages[0:5]] == [o.pk for o in reversed(orders)]  # newest first
    with pytest.raises(TypeError):
        pages[0]


def test_a_pages_nodes_and_clocks_are_read_by_the_orders_key(cast):
    """The rows' active nodes and live clocks (with_current_work's prefetches) are looked up by order, not by
    scanning every active node or live clock of the book for each page. SQLite, which has no statistics,
    took an index led by the state when there was one; PostgreSQL chooses by its statistics, which a test's
    few rows do not have (at scale: bench/list_queries.py --explain)."""
    orders = [create(cast).pk for _ in range(3)]
    nodes = NodeInstance.objects.filter(state="active", order_id__in=orders).order_by("position")
    clocks = Clock.objects.filter(state__in=LIVE, order_id__in=orders).order_by("deadline_at")
    for queryset, table in ((nodes, "orders_nodeinstance"), (clocks, "orders_clock")):
        text = plan(queryset)
        assert not scans(text, table), text
        if connection.vendor == "sqlite":
            assert f"SEARCH {table} USING INDEX sqlite_autoindex_{table}_1 (order_id=?)" in text, text
    page = list(with_current_work(WorkOrder.objects.filter(pk__in=orders)))
    assert all(o.active_nodes and o.live_clocks for o in page)


@pytest.mark.parametrize("who", ["clerk", "branch_manager", "dispatcher"])
def test_my_work_reads_each_nodes_clock_by_its_key(cast, who):
    create(cast)
    text = plan(my_work(getattr(cast, who)))
    assert not scans(text, "orders_clock") and not scans(text, "orders_nodeinstance"), text
    # The clock is found by its key alone: not joined to its order to be sorted by the model's default ordering.
    sql = str(my_work(getattr(cast, who)).query)
    clock_subquery = sql[sql.index('FROM "orders_clock"') : sql.index("LIMIT 1")]
    assert "JOIN" not in clock_subquery and "ORDER BY" not in clock_subquery, clock_subquery
    if "orders_clock" in text and connection.vendor == "sqlite":
        assert "sqlite_autoindex_orders_clock" in text, text


@pytest.mark.parametrize("who", ["clerk", "branch_manager"])
def test_my_work_reads_only_the_active_nodes_of_the_scopes_orders(cast, who, book_statistics):
    """A branch's 我的待办 walks its open orders and, of each, only its active nodes from the partial `node_active`
    index (about one an order), not every node of the order from the table (P4, bench/list_queries.py)."""
    create(cast)
    text = plan(my_work(getattr(cast, who)).values_list("pk", flat=True))
    assert "node_active" in text and "sqlite_autoindex_orders_nodeinstance" not in text, text
