"""The write path's reads and writes (yekuo/orders/store.py): what an action reads, and what it writes."""

import pytest

from yekuo.orders import services, store
from yekuo.orders.models import Clock, EventSource, NodeInstance, OrderEvent, WorkOrder
from yekuo.workcal.tests.conftest import at


def _order(cast, **extra):
    return services.order_create(
        actor=cast.clerk, category="hv10_single", channel="counter", customer_name="张三", site_address="东区1号",
        capacity_kva="630.5", voltage="10kV", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT,
        **{"customer_phone": "13912345678", **extra},
    )  # fmt: skip


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_read_matches_the_orm(cast):
    order = _order(cast, customer_phone="13800000000", external_ref="MBS1", source_system="mbs")
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    read = store.read_order(order.pk)
    expected = WorkOrder.objects.select_related("branch__company").get(pk=order.pk)
    assert _fields(read.order) == _fields(expected)
    assert _fields(read.order.branch) == _fields(expected.branch)
    assert _fields(read.order.branch.company) == _fields(expected.branch.company)
    assert read.events == store.events_of(order.pk)
    assert [e.type for e in read.events] == ["order.created", "order.received", "node.completed"]
    assert read.events[-1].at == at("2026-11-02 10:00")
    assert read.regulation_checksum and read.calendar_token


def test_a_missing_order_is_not_found(cast):
    with pytest.raises(WorkOrder.DoesNotExist):
        store.read_order(10**9)


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


def test_a_write_on_a_stale_read_writes_nothing_and_the_action_is_folded_again(cast, monkeypatch):
    order = _order(cast)
    stale = store.read_order(order.pk)
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    # Written on the stale read (2 events), the change matches nothing and nothing is written.
    late = OrderEvent(order=stale.order, seq=3, type="order.assigned", occurred_at=at("2026-11-02 11:00"),
                      source=EventSource.IMPORT, payload={"node": "survey_plan", "assignee": None})  # fmt: skip
    stale.order.event_count = 3
    nodes = {"survey_plan": {"state": "done", "ready_at": None, "completed_at": None, "assignee_id": None}}
    suspensions = {0: {"reason_id": "documents_missing", "evidence_note": "x", "started_at": at("2026-11-02 11:00"),
                       "ended_at": None}}  # fmt: skip
    assert store.write_changes(stale.order, 2, [late], nodes, {}, suspensions) is False
    assert late.pk is None and WorkOrder.objects.get(pk=order.pk).event_count == 3
    assert OrderEvent.objects.filter(order=order).count() == 3
    assert NodeInstance.objects.get(order=order, code="survey_plan").state == "active"
    assert not order.suspensions.exists()
    # apply_events reads again when another action came first: the first attempt is made to lose.
    reads = []
    original = services.write.read_order

    def racing_read(pk):
        read = original(pk)
        first = not reads
        reads.append(read)
        if first:
            services.node_complete(order, actor=cast.customer_manager, node="survey_plan",
                                   occurred_at=at("2026-11-03 10:00"), source=EventSource.IMPORT)  # fmt: skip
        return read

    monkeypatch.setattr(services.write, "read_order", racing_read)
    services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-11-03 11:00"),
                             source=EventSource.IMPORT)  # fmt: skip
    assert len(reads) == 3  # the lost attempt, the racing action's own read, the attempt that was written
    assert list(OrderEvent.objects.filter(order=order).order_by("seq").values_list("type", flat=True)) == [
        "order.created", "order.received", "node.completed", "node.completed", "approval.decided",
    ]  # fmt: skip
    assert WorkOrder.objects.get(pk=order.pk).low_risk is True


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
