"""The write path's guarantees, on SQLite and on PostgreSQL alike (one version of it): an action is written
whole or not at all, also inside a caller's failed transaction; a unique violation writes nothing; and
every statement goes through Django, where its query log and instrumentation see it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yekuo.common.errors import Conflict
from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, NodeInstance, OrderEvent, WorkOrder
from yekuo.workcal.tests.conftest import at


def _order(cast):
    return services.order_create(
        actor=cast.clerk, category="lv_resident", channel="counter", customer_name="张三", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva="8", voltage="220V", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip


def _rows(order):
    return (
        list(OrderEvent.objects.filter(order=order).values_list("seq", "type")),
        list(NodeInstance.objects.filter(order=order).values_list("code", "state")),
        list(Clock.objects.filter(order=order).values_list("code", "state", "deadline_at")),
        WorkOrder.objects.values_list("status", "event_count").get(pk=order.pk),
    )


def test_an_action_inside_a_block_that_fails_writes_nothing(cast):
    order = _order(cast)
    before = _rows(order)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.node_complete(order.pk, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                               source=EventSource.IMPORT)  # fmt: skip
        assert _rows(order) != before  # written inside the block…
        raise RuntimeError("the request fails after the action")
    assert _rows(order) == before  # …and rolled back with it


def test_a_new_order_inside_a_block_that_fails_leaves_nothing(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        _order(cast)
        raise RuntimeError("the request fails after the order was created")
    assert not WorkOrder.objects.exists() and not OrderEvent.objects.exists() and not Clock.objects.exists()


def test_a_unique_violation_is_a_conflict_and_writes_nothing(cast):
    """An idempotency key stored concurrently (here: stored before, with the caller saying it looked)
    fails on the unique index: the sender is told to repeat, and nothing of the action is written."""
    order, other = _order(cast), _order(cast)
    services.node_complete(other, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT, idempotency_key="k-1")  # fmt: skip
    before = _rows(order)
    step = services.Step("node.completed", {"node": "acceptance"}, at("2026-11-02 10:00"), "k-1")
    with pytest.raises(Conflict):
        services.apply_events(order, [step], actor=cast.clerk, source=EventSource.IMPORT, atomic=True,
                              keys_checked=True)  # fmt: skip
    assert _rows(order) == before


def test_the_write_paths_statements_are_visible_to_django(cast):
    order = _order(cast)
    with CaptureQueriesContext(connection) as captured:
        services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                               source=EventSource.IMPORT)  # fmt: skip
    # Rows of one table updated together are one UPDATE … FROM (VALUES …).
    sql = [q["sql"] for q in captured.captured_queries]
    assert any(s.startswith('UPDATE "orders_workorder"') and '"event_count" = 2' in s for s in sql)  # the guard
    assert any(s.startswith('INSERT INTO "orders_orderevent"') for s in sql)
    assert any(s.startswith('UPDATE "orders_clock"') for s in sql)
    with CaptureQueriesContext(connection) as captured:
        _order(cast)
    tables = {q["sql"].split('"')[1] for q in captured.captured_queries if q["sql"].startswith("INSERT")}
    assert tables == {"orders_ordercounter", "orders_workorder", "orders_nodeinstance", "orders_clock",
                      "orders_orderevent"}  # fmt: skip


def test_the_statements_of_a_typical_action_are_counted(cast, django_assert_num_queries):
    """P2: the number of statements an action sends is pinned, so that it cannot grow unnoticed. Completing
    a node: the order with its branch, company, cache tokens and log, in one SELECT (1); then, in a transaction
    (a SAVEPOINT and its RELEASE inside the test's own), the guarded order row (1), the event (1) and the
    changed node and clock rows, one UPDATE … FROM (VALUES …) per table (2)."""
    order = _order(cast)
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    assert cast.customer_manager.role_codes  # a user's roles are read once per instance, as in a request
    with django_assert_num_queries(7):
        services.node_complete(order, actor=cast.customer_manager, node="survey_plan",
                               occurred_at=at("2026-11-02 11:00"), source=EventSource.IMPORT)  # fmt: skip
    # A customer's event changes only a clock: one statement fewer.
    hv = services.order_create(
        actor=cast.clerk, category="hv10_dual", channel="counter", customer_name="李四", site_address="东区2号",
        customer_phone="13912345678", capacity_kva="2000", voltage="10kV", occurred_at=at("2026-11-02 09:00"),
        source=EventSource.IMPORT,
    )  # fmt: skip
    for node, actor in (("acceptance", cast.clerk), ("survey_plan", cast.customer_manager)):
        services.node_complete(hv, actor=actor, node=node, occurred_at=at("2026-11-02 12:00"),
                               source=EventSource.IMPORT)  # fmt: skip
    with django_assert_num_queries(6):
        services.customer_event(hv, "customer.design_submitted", actor=cast.customer_manager,
                                occurred_at=at("2026-11-02 13:00"),
                                source=EventSource.IMPORT)  # fmt: skip


def test_the_statements_of_a_new_order_are_counted(cast, django_assert_num_queries):
    """P2: creating an order in a branch: its service area by address, the regulation in force with the
    calendar token, the month's number, then in a transaction the order, its nodes, clocks and first events.
    Without a branch given, the branch is the address's, and its company is read too."""

    def create(**branch):
        return services.order_create(
            actor=cast.clerk, category="lv_resident", channel="counter", customer_name="张三",
            site_address="东区1号", customer_phone="13912345678", capacity_kva="8", voltage="220V",
            occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT, **branch,
        )  # fmt: skip

    create()  # the clerk's roles are read once per user instance
    with django_assert_num_queries(9):
        create(branch=cast.east)
    with django_assert_num_queries(10):
        create()
