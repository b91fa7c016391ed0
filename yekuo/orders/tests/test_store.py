"""The write path's own reads and writes (yekuo/orders/store.py) agree with the ORM's."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from yekuo.orders import services, store
from yekuo.orders.models import Clock, EventSource, NodeInstance, OrderEvent, WorkOrder
from yekuo.orders.tests.test_concurrency import live_cast  # noqa: F401  (fixture)
from yekuo.workcal.tests.conftest import at


def _order(cast, **extra):
    return services.order_create(
        actor=cast.clerk, category="hv10_single", channel="counter", customer_name="张三", site_address="东区1号",
        capacity_kva="630.5", voltage="10kV", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT, **extra,
    )  # fmt: skip


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_locked_read_matches_the_orm(cast):
    order = _order(cast, customer_phone="13800000000", external_ref="MBS1", source_system="mbs")
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    with transaction.atomic():
        read = store.lock_order(order.pk)
    expected = WorkOrder.objects.select_related("branch__company").get(pk=order.pk)
    assert _fields(read.order) == _fields(expected)
    assert _fields(read.order.branch) == _fields(expected.branch)
    assert _fields(read.order.branch.company) == _fields(expected.branch.company)
    assert read.events == store.events_of(order.pk)
    assert [e.type for e in read.events] == ["order.created", "order.received", "node.completed"]
    assert read.events[-1].at == at("2026-11-02 10:00")
    assert read.regulation_checksum and read.calendar_token


def test_a_missing_order_is_not_found(cast):
    with pytest.raises(WorkOrder.DoesNotExist), transaction.atomic():
        store.lock_order(10**9)


def test_one_action_writes_the_event_and_only_the_changed_rows(cast):
    order = _order(cast)
    event = services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                                   source=EventSource.IMPORT)  # fmt: skip
    assert OrderEvent.objects.get(pk=event.pk).seq == 3
    node = NodeInstance.objects.get(order=order, code="acceptance")
    assert (node.state, node.completed_at) == ("done", at("2026-11-02 10:00"))
    assert NodeInstance.objects.get(order=order, code="survey_plan").state == "active"
    assert Clock.objects.get(order=order, code="acceptance").state == "done"
    assert WorkOrder.objects.get(pk=order.pk).event_count == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_read_that_waited_for_the_lock_sees_the_event_committed_meanwhile(live_cast):  # noqa: F811
    cast = live_cast
    order = _order(cast)
    seen = {}

    def second():
        try:
            with transaction.atomic():
                seen["read"] = store.lock_order(order.pk)
        finally:
            connections.close_all()

    with transaction.atomic():
        services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                               source=EventSource.IMPORT)  # fmt: skip
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)  # let the second read start and wait on the row lock: its snapshot predates our commit
    thread.join(timeout=30)
    read = seen["read"]
    assert read.order.event_count == 3
    assert [e.type for e in read.events] == ["order.created", "order.received", "node.completed"]


def test_order_numbers_are_monthly_and_grow_past_four_digits(cast):
    from yekuo.orders.models import OrderCounter

    first = _order(cast)
    assert first.number == "YK2026110001" and first.pk
    OrderCounter.objects.filter(period="202611").update(value=9999)
    late = _order(cast)
    assert late.number == "YK20261110000"
    stored = WorkOrder.objects.get(pk=late.pk)
    assert (stored.number, stored.event_count, stored.status) == ("YK20261110000", 2, "in_transit")
    assert NodeInstance.objects.filter(order=late).count() == len(first.nodes.all())
    assert list(OrderEvent.objects.filter(order=late).order_by("seq").values_list("type", flat=True)) == [
        "order.created",
        "order.received",
    ]
