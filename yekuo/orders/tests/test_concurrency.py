"""Concurrent actions on one order, on PostgreSQL: both recorded, in order, never duplicated.

Nothing is locked while an action is folded; its write is guarded by the order's event count, so the
second of two simultaneous actions writes nothing and is folded again on the new log
(yekuo/orders/store.py). SQLite serialises whole-database writes by itself, so these run on PostgreSQL
only (CI's second run).
"""

import threading

import pytest
from django.db import connection, connections

from yekuo.common.testing import reload_reference_data
from yekuo.orders import services
from yekuo.orders.models import EventSource, OrderEvent, WorkOrder
from yekuo.orders.recompute import verify_orders
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")


@pytest.fixture
def live_cast(transactional_db):
    from yekuo.accounts.testing import make_cast

    reload_reference_data()
    return make_cast()


def in_threads(*calls):
    """Run the calls at once, one thread each; each call's return value or the exception it raised."""
    outcomes = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = call()
        except Exception as exc:  # returned to the test, which asserts on it
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a concurrent action did not finish"
    return outcomes


def test_two_actions_at_once_are_both_recorded_in_order(live_cast):
    cast = live_cast
    order = services.order_create(
        actor=cast.clerk, category="hv10_dual", channel="counter", customer_name="x", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva=2000, voltage="10kV", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    services.node_complete(order, actor=cast.customer_manager, node="survey_plan", occurred_at=at("2026-11-03 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    outcomes = in_threads(
        lambda: services.approval_decide(order, actor=cast.project_manager, low_risk=False,
                                         occurred_at=at("2026-11-03 11:00"), source=EventSource.IMPORT),
        lambda: services.customer_event(order, "customer.design_submitted", actor=cast.customer_manager,
                                        occurred_at=at("2026-11-03 12:00"), source=EventSource.IMPORT),
    )  # fmt: skip
    assert [type(outcome) for outcome in outcomes] == [OrderEvent, OrderEvent]
    assert list(OrderEvent.objects.filter(order=order).order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert WorkOrder.objects.get(pk=order.pk).event_count == 6
    assert all(not differences for _, differences in verify_orders())


def test_the_same_push_twice_at_once_records_one_event(live_cast):
    cast = live_cast
    order = services.order_create(
        actor=cast.clerk, category="lv_resident", channel="counter", customer_name="x", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva=8, voltage="220V", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip

    def push():
        return services.node_complete(order, actor=cast.administrator, node="acceptance",
                                      occurred_at=at("2026-11-02 10:00"), source=EventSource.IMPORT,
                                      idempotency_key="mbs:42")  # fmt: skip

    first, second = in_threads(push, push)
    # The loser's guarded write finds the order changed; folded again, it finds the key and returns
    # the winner's event: both callers get the one event, neither an error.
    assert isinstance(first, OrderEvent) and isinstance(second, OrderEvent)
    assert first.pk == second.pk
    assert OrderEvent.objects.filter(idempotency_key="mbs:42").count() == 1
    assert push().pk == first.pk  # repeating it later is a no-op
    assert OrderEvent.objects.filter(order=order).count() == 3
