"""Correcting an order's data (O8): the rules of a new order, one event saying what changed."""

from decimal import Decimal

import pytest
from django.utils import translation

from yekuo.accounts.models import ServiceArea
from yekuo.common.errors import Forbidden
from yekuo.orders import services
from yekuo.orders.events import EVENT_TYPES
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for
from yekuo.orders.validation import FieldErrors
from yekuo.web.tests.helpers import complete, make_order

pytestmark = pytest.mark.django_db


def test_a_correction_is_validated_stored_and_logged(cast):
    order = make_order(cast, when=None)
    row = services.order_edit(
        order, actor=cast.clerk, changes={"customer_phone": "136 1234 5678", "capacity_kva": "6"}, note="客户来电更正"
    )
    order.refresh_from_db()
    assert order.customer_phone == "13612345678" and order.capacity_kva == Decimal("6")
    assert row.type == "order.edited" and row.actor == cast.clerk
    assert row.payload == {
        "changes": {
            "customer_phone": {"from": "139****5678", "to": "136****5678"},  # masked in the log (O9)
            "capacity_kva": {"from": "8", "to": "6"},
        },
        "note": "客户来电更正",
    }
    assert order.event_count == OrderEvent.objects.filter(order=order).count()
    assert "order.edited" in EVENT_TYPES


def test_the_rules_of_a_new_order_refuse_every_bad_field_at_once(cast):
    order = make_order(cast, when=None)
    with pytest.raises(FieldErrors) as caught, translation.override("zh-hans"):
        services.order_edit(
            order,
            actor=cast.clerk,
            changes={"customer_phone": "abc", "customer_id_number": "123", "voltage": "10kV", "capacity_kva": 5000},
        )
    assert set(caught.value.errors) == {"customer_phone", "customer_id_number", "voltage"}
    order.refresh_from_db()
    assert order.customer_phone == "13912345678"
    assert not OrderEvent.objects.filter(order=order, type="order.edited").exists()


def test_a_new_address_is_placed_again_within_the_branch(cast):
    other = ServiceArea.objects.create(branch=cast.east, code="east2", name="东区二营业区", keywords=["康巴什"])
    order = make_order(cast, when=None)
    services.order_edit(order, actor=cast.clerk, changes={"site_address": "东区康巴什路9号"})
    order.refresh_from_db()
    assert order.service_area == other and order.branch == cast.east
    changes = OrderEvent.objects.get(order=order, type="order.edited").payload["changes"]
    assert changes["service_area"] == {"from": "east", "to": "east2"}
    # An address of another branch's area is not a transfer: the clerk must pick one of this branch's.
    with pytest.raises(FieldErrors) as caught:
        services.order_edit(order, actor=cast.clerk, changes={"site_address": "西区园林路2号"})
    assert "service_area" in caught.value.errors
    with pytest.raises(FieldErrors):
        services.order_edit(order, actor=cast.clerk, changes={"service_area": cast.west_area})


def test_nothing_to_change_and_unknown_fields_are_refused(cast):
    order = make_order(cast, when=None)
    with pytest.raises(Exception, match=r"没有需要修改的内容|Nothing to change"):
        services.order_edit(order, actor=cast.clerk, changes={"customer_name": "张三"})
    with pytest.raises(Exception, match="category"):
        services.order_edit(order, actor=cast.clerk, changes={"category": "hv10_single"})


def test_who_may_correct_and_when(cast):
    order = make_order(cast, when="2026-11-02 09:00")
    with pytest.raises(Forbidden):
        services.order_edit(order, actor=cast.branch_manager, changes={"customer_name": "李四"})
    with pytest.raises(Forbidden):
        services.order_edit(order, actor=cast.west_clerk, changes={"customer_name": "李四"})
    services.order_cancel(order, actor=cast.branch_manager, cancel_reason="客户撤回")
    with pytest.raises(Exception, match="cancelled"):
        services.order_edit(order, actor=cast.clerk, changes={"customer_name": "李四"})
    assert WorkOrder.objects.get(pk=order.pk).customer_name == "张三"


def test_a_finished_order_keeps_its_data(cast):
    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_edit(order, actor=cast.customer_manager, changes={"capacity_kva": 9})  # after the survey too
    assert WorkOrder.objects.get(pk=order.pk).capacity_kva == Decimal("9")


def test_the_api_edits_with_the_same_rules(cast):
    order = make_order(cast, when=None)
    client = client_for(cast.clerk)
    bad = client.post(f"/api/v1/orders/{order.number}/edit", {"customer_phone": "abc"}, format="json")
    body = assert_error(bad, 400, "invalid_input")
    assert "customer_phone" in body["errors"] and "11-digit" in body["errors"]["customer_phone"][0]
    ok = client.post(
        f"/api/v1/orders/{order.number}/edit",
        {"customer_name": "张三丰", "service_area": "east", "note": "身份证姓名"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="edit-1",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["customer_name"] == "张三丰"
    again = client.post(
        f"/api/v1/orders/{order.number}/edit",
        {"customer_name": "张三丰", "service_area": "east", "note": "身份证姓名"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="edit-1",
    )
    assert again.status_code == 200
    assert OrderEvent.objects.filter(order=order, type="order.edited").count() == 1
    refused = client_for(cast.branch_manager).post(
        f"/api/v1/orders/{order.number}/edit", {"customer_name": "x"}, format="json"
    )
    assert_error(refused, 403, "forbidden")
