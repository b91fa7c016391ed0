"""The dispatcher's queue (R3): dispatch to the proposed or another branch, return, reject, transfer; the
acceptance clock starts at dispatch (Attachment 1: 电子渠道从营销业务系统收到业扩派单开始计算)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.common.errors import Conflict, Forbidden, InvalidInput
from yekuo.intake import selectors, services
from yekuo.intake.models import Application
from yekuo.intake.testing import application
from yekuo.orders.models import Clock, OrderEvent, WorkOrder


@pytest.fixture
def queued(push):
    def make(app_id="GC-100", address="东区幸福路8号"):
        assert push(application(app_id, address=address)).status_code == 201
        return Application.objects.select_related("order").get(external_id=app_id)

    return make


def test_dispatch_to_the_proposed_branch_starts_the_acceptance_clock(queued, cast, callbacks_sent):
    app = queued()
    assert list(selectors.queue(cast.dispatcher)) == [app]
    services.application_dispatch(app, actor=cast.dispatcher)
    app.refresh_from_db()
    order = app.order
    order.refresh_from_db()
    assert app.state == "dispatched" and app.decided_by == cast.dispatcher and app.queue_seconds >= 0
    assert order.branch == cast.east and order.status == "in_transit"
    received = OrderEvent.objects.get(order=order, type="order.received")
    assert received.payload == {"branch": "east", "proposed_branch": "east", "application": "GC-100"}
    acceptance = Clock.objects.get(order=order, code="acceptance")
    assert acceptance.state == "running" and acceptance.started_at == received.occurred_at == order.received_at
    assert acceptance.started_at >= app.received_at  # the queue's time is not the clock's
    assert not selectors.queue(cast.dispatcher).exists()
    ((destination, kind, payload, key),) = callbacks_sent
    assert (destination, kind) == ("approval_platform", "application.accepted")
    assert payload["branch"] == "east" and payload["order"] == order.number
    assert key == "application:approval_platform:GC-100:accepted"


def test_the_dispatcher_overrides_the_proposed_branch(queued, cast):
    app = queued()
    services.application_dispatch(app, actor=cast.dispatcher, branch=cast.west)
    order = WorkOrder.objects.get(pk=app.order_id)
    assert order.branch == cast.west and order.service_area == cast.west_area
    assert OrderEvent.objects.get(order=order, type="order.received").payload["proposed_branch"] == "east"
    # The west branch now sees and works it; the east branch no longer does.
    from yekuo.accounts.scope import restrict

    assert restrict(WorkOrder.objects, cast.west_clerk, "order.view").filter(pk=order.pk).exists()
    assert not restrict(WorkOrder.objects, cast.clerk, "order.view").filter(pk=order.pk).exists()


def test_return_and_reject_need_a_reason_close_the_order_and_tell_the_platform(queued, cast, callbacks_sent):
    first, second = queued("GC-101"), queued("GC-102")
    with pytest.raises(InvalidInput):
        services.application_return(first, actor=cast.dispatcher, reason="  ")
    services.application_return(first, actor=cast.dispatcher, reason="缺少产权证明")
    services.application_reject(second, actor=cast.dispatcher, reason="不在本公司供电范围")
    for app, state, event in ((first, "returned", "order.returned"), (second, "rejected", "order.rejected")):
        app.refresh_from_db()
        order = WorkOrder.objects.get(pk=app.order_id)
        assert app.state == state and order.status == "cancelled" and order.received_at is None
        assert OrderEvent.objects.filter(order=order, type=event).exists()
        assert not Clock.objects.filter(order=order, started_at__isnull=False).exists()
    kinds = [(kind, payload.get("reason")) for _, kind, payload, _ in callbacks_sent]
    assert kinds == [("application.returned", "缺少产权证明"), ("application.rejected", "不在本公司供电范围")]
    with pytest.raises(Conflict):  # decided once
        services.application_dispatch(first, actor=cast.dispatcher)


def test_only_the_company_scope_works_the_queue(queued, cast):
    app = queued()
    for user in (cast.branch_manager, cast.clerk, cast.auditor, cast.outsider):
        with pytest.raises(Forbidden):
            services.application_dispatch(app, actor=user)
        assert not selectors.works_queue(user) or not selectors.queue(user).exists()
    with pytest.raises(Forbidden):  # another company's branch
        services.application_dispatch(app, actor=cast.dispatcher, branch=cast.other_branch)


def test_a_transfer_moves_the_order_and_its_clocks_keep_running(queued, cast):
    app = queued()
    services.application_dispatch(app, actor=cast.dispatcher)
    order = WorkOrder.objects.get(pk=app.order_id)
    before = {c.code: (c.state, c.started_at, c.deadline_at) for c in Clock.objects.filter(order=order)}
    with pytest.raises(InvalidInput):
        services.order_transfer(order, actor=cast.dispatcher, branch=cast.west, reason="")
    with pytest.raises(Forbidden):  # a branch manager cannot send an order out of their branch
        services.order_transfer(order, actor=cast.branch_manager, branch=cast.west, reason="地址属西区")
    event = services.order_transfer(order, actor=cast.dispatcher, branch=cast.west, reason="地址属西区")
    assert event.type == "order.transferred" and event.payload == {"from": "east", "to": "west", "reason": "地址属西区"}
    order.refresh_from_db()
    assert order.branch == cast.west and order.service_area == cast.west_area
    after = {c.code: (c.state, c.started_at, c.deadline_at) for c in Clock.objects.filter(order=order)}
    assert after == before and after["acceptance"][0] == "running"
    # the west clerk works it on
    from yekuo.orders import services as orders

    orders.node_complete(order, actor=cast.west_clerk, node="acceptance")
    assert Clock.objects.get(order=order, code="acceptance").state == "done"


def test_the_log_still_verifies_after_dispatch_and_transfer(queued, cast):
    from yekuo.orders.recompute import verify_orders

    app = queued()
    services.application_dispatch(app, actor=cast.dispatcher, branch=cast.west)
    services.order_transfer(app.order_id, actor=cast.dispatcher, branch=cast.east, reason="核实地址后改派")
    assert [(order.number, diff) for order, diff in verify_orders() if diff] == []


def test_waiting_time_is_measured(queued, cast):
    app = queued()
    Application.objects.filter(pk=app.pk).update(received_at=timezone.now() - timedelta(hours=3, minutes=5))
    app.refresh_from_db()
    assert 3 * 3600 + 300 <= selectors.waiting_seconds(app) < 3 * 3600 + 400
    assert selectors.waiting_text(selectors.waiting_seconds(app)) == "3h 5m"


def test_the_queue_names_the_platforms_in_the_page_s_language(queued, cast, client):
    queued()
    client.force_login(cast.dispatcher)
    page = client.get("/intake/").content.decode()
    assert "工程建设项目审批平台" in page
    client.cookies["django_language"] = "en"
    page = client.get("/intake/").content.decode()
    assert "Construction-approval platform" in page and "工程建设项目审批平台" not in page
