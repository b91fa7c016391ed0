"""Request limits and odd values (O3, O4): a body too large is a 413 in the API's shape, a legal batch
fits; a value of the wrong type or with a NUL byte is that event's refusal, never the batch's; pages are
bounded."""

import json

import pytest
from django.conf import settings

from yekuo.orders.models import WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order
from yekuo.orders.tests.test_ingest import ORDER, ev

pytestmark = pytest.mark.django_db

# A realistic first event of an order of the marketing system: every order field, Chinese texts, a note.
REALISTIC_ORDER = {
    **ORDER, "customer_name": "鄂尔多斯市东胜区某某建材有限责任公司", "customer_id_number": "152701199001011239",
    "site_address": "鄂尔多斯市东胜区铁西工业园区纬三路与经五路交汇处东北角厂区3号",
}  # fmt: skip
REALISTIC_EVENT = {
    "id": "900170001", "source_system": "mbs", "type": "suspension.started", "at": "2026-11-02T10:00:00+08:00",
    "reason": "customer_request",
    "evidence": "客户来电申请暂缓办理，原因是厂区建设进度延迟，预计下月恢复，已电话录音留存。",
    "order": REALISTIC_ORDER,
}  # fmt: skip


def _post(client, body: bytes | str):
    return client.post("/api/v1/events", body, content_type="application/json")


def test_a_body_over_the_limit_is_413_with_the_limit_in_the_message(cast):
    too_big = json.dumps([REALISTIC_EVENT] * 12_000)  # about 12 MB
    assert len(too_big) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = assert_error(_post(client_for(cast.integration), too_big), 413, "request_too_large")
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in body["message"]


def test_a_realistic_batch_of_a_thousand_new_orders_fits():
    # Each event a new order with all its fields, as ASCII-escaped JSON (json.dumps' default, the largest form).
    batch = [{**REALISTIC_EVENT, "id": str(i), "order": {**REALISTIC_ORDER, "external_ref": f"MBS-{i:06d}"}}
             for i in range(1000)]  # fmt: skip
    size = len(json.dumps(batch).encode())
    assert 900_000 < size < settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 4  # about 1 MB; the limit leaves room


def test_a_body_under_the_limit_is_read(cast):
    # 3 MB answered 500 when the limit was Django's 2.5 MB: now it is read, and refused for what it says.
    body = json.dumps([REALISTIC_EVENT] * 3_000)
    assert 2.5 * 2**20 < len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    error = assert_error(_post(client_for(cast.integration), body), 400, "invalid_input")
    assert error["field"] == "body" and "at most 1000 events" in error["message"]


ODD_VALUES = [
    ("category", ["lv_resident"]),
    ("channel", ["online"]),
    ("channel", {"a": 1}),
    ("voltage", ["10kV"]),
    ("customer_name", ["x"]),
    ("customer_name", "东区\x00水泥厂"),
    ("site_address", "东区工业路\x009号"),
    ("customer_phone", "139\x00"),
    ("customer_id_number", 152701199001011234),
    ("external_ref", "MBS\x00-9"),
    ("service_area", ["east"]),
    ("applied_at", "2026-11-02T08:50:00+08:00\x00"),
]


@pytest.mark.parametrize(("name", "value"), ODD_VALUES)
def test_an_odd_order_value_costs_only_its_own_event(cast, name, value):
    bad = ev("1", "order.received", "02T09:00", {**ORDER, "external_ref": "MBS-9", name: value})
    good = ev("2", "order.received", "02T09:00", ORDER)
    response = _post(client_for(cast.integration), json.dumps([bad, good]))
    assert response.status_code == 200, response.content
    first, second = response.json()["results"]
    assert first["status"] == "rejected" and first["code"] == "invalid_input", first
    assert first["field"] == f"order.{name}"
    assert second["status"] == "applied", second
    assert list(WorkOrder.objects.values_list("external_ref", flat=True)) == ["MBS-0001"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("id", "1\x00"), ("source_system", "mbs\x00"), ("node", "acceptance\x00"), ("reason", "customer_request\x00"),
     ("evidence", "note\x00"), ("type", ["order.received"])],
)  # fmt: skip
def test_a_nul_or_odd_event_field_costs_only_its_own_event(cast, name, value):
    client = client_for(cast.integration)
    _post(client, json.dumps([ev("1", "order.received", "02T09:00", ORDER)]))
    kinds = {"node": "node.completed", "reason": "suspension.started", "evidence": "suspension.started"}
    bad = {**ev("8", kinds.get(name, "node.completed"), "02T10:00", node="acceptance", reason="customer_request"),
           name: value}  # fmt: skip
    good = ev("9", "node.completed", "02T10:00", node="acceptance")
    first, second = _post(client, json.dumps([bad, good])).json()["results"]
    assert (first["status"], first["code"], first["field"]) == ("rejected", "invalid_input", name), first
    assert second["status"] == "applied", second


def test_approval_inputs_with_a_nul_are_refused(cast):
    order = make_order(cast)
    response = client_for(cast.administrator).post(
        f"/api/v1/orders/{order.number}/decide-approval",
        {"low_risk": True, "inputs": {"note": ["a\x00"]}},
        format="json",
    )
    assert assert_error(response, 400, "invalid_input")["field"] == "inputs"


def test_a_page_holds_at_most_200_orders(cast):
    for _ in range(201):
        make_order(cast)
    response = client_for(cast.administrator).get("/api/v1/orders/?limit=100000")
    body = response.json()
    assert response.status_code == 200 and body["count"] == 201 and len(body["results"]) == 200
    assert "limit=200" in body["next"]
