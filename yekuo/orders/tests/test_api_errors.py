"""Bad input never gives a 500: every API error is JSON {"code", "message", ...} (O3)."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from yekuo.common.api import handler404, handler500
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order

CREATE = {"category": "lv_resident", "channel": "counter", "customer_name": "张三", "site_address": "东区康和路1号",
          "customer_phone": "13912345678", "branch": "east", "capacity_kva": 8, "voltage": "220V"}  # fmt: skip

# (method, path, raw body or JSON-able body, content type, expected status, expected code, expected field)
CASES = [
    ("post", "/api/v1/orders/", "{not json", "application/json", 400, "malformed_request", None),
    ("post", "/api/v1/orders/", "customer_name=x", "text/plain", 415, "unsupported_media_type", None),
    ("post", "/api/v1/orders/", [CREATE], None, 400, "invalid_input", None),
    ("post", "/api/v1/orders/", {**CREATE, "capacity_kva": "lots"}, None, 400, "invalid_input", "capacity_kva"),
    ("post", "/api/v1/orders/", {**CREATE, "capacity_kva": -1}, None, 400, "invalid_input", "capacity_kva"),
    ("post", "/api/v1/orders/", {**CREATE, "capacity_kva": 8.25}, None, 400, "invalid_input", "capacity_kva"),
    ("post", "/api/v1/orders/", {**CREATE, "category": 5}, None, 400, "invalid_input", "category"),
    ("post", "/api/v1/orders/", {**CREATE, "customer_name": ["a"]}, None, 400, "invalid_input", "customer_name"),
    ("post", "/api/v1/orders/", {**CREATE, "customer_name": "a\x00b"}, None, 400, "invalid_input", "customer_name"),
    ("post", "/api/v1/orders/", {**CREATE, "voltage": "35kV"}, None, 400, "invalid_input", "voltage"),
    ("post", "/api/v1/orders/", {**CREATE, "occurred_at": 12345}, None, 400, "invalid_input", "occurred_at"),
    ("post", "/api/v1/orders/", {**CREATE, "occurred_at": "yesterday"}, None, 400, "invalid_input", "occurred_at"),
    ("post", "/api/v1/orders/", {**CREATE, "occurred_at": "2026-09-29T09:00"}, None, 400, "invalid_input",
     "occurred_at"),
    ("post", "/api/v1/orders/", {**CREATE, "occurred_at": "1999-01-04T09:00:00+08:00", "reason": "x"}, None, 400,
     "no_regulation", "on"),
    ("post", "/api/v1/orders/", {**CREATE, "branch": "../x"}, None, 400, "invalid_input", "branch"),
    ("post", "/api/v1/orders/", {}, None, 400, "invalid_input", "category"),
    ("post", "/api/v1/orders", {**CREATE, "voltage": "1V"}, None, 400, "invalid_input", "voltage"),
    ("get", "/api/v1/orders/?created_from=2026-13-45", None, None, 400, "invalid_input", "created_from"),
    ("get", "/api/v1/orders/?q=%00", None, None, 400, "invalid_input", "q"),
    ("get", "/api/v1/orders/?limit=abc&offset=-5", None, None, 200, None, None),
    ("get", "/api/v1/orders/NO-SUCH/", None, None, 404, "not_found", "number"),
    ("get", "/api/v1/orders/%00%ff/", None, None, 404, "not_found", "number"),
    ("post", "/api/v1/orders/YK209901999/resume", {}, None, 404, "not_found", "number"),
    ("get", "/api/v1/orders/{n}/resume", None, None, 405, "method_not_allowed", None),
    ("delete", "/api/v1/orders/{n}/", None, None, 405, "method_not_allowed", None),
    ("post", "/api/v1/orders/{n}/complete-node", {"node": "teleport"}, None, 400, "invalid_input", "node"),
    ("post", "/api/v1/orders/{n}/complete-node", {"node": None}, None, 400, "invalid_input", "node"),
    ("post", "/api/v1/orders/{n}/complete-node", ["acceptance"], None, 400, "invalid_input", None),
    ("post", "/api/v1/orders/{n}/complete-node", "{", "application/json", 400, "malformed_request", None),
    ("post", "/api/v1/orders/{n}/decide-approval", {"low_risk": [True]}, None, 400, "invalid_input", "low_risk"),
    ("post", "/api/v1/orders/{n}/decide-approval", {"low_risk": True, "inputs": "x"}, None, 400, "invalid_input",
     "inputs"),
    ("post", "/api/v1/orders/{n}/suspend", {"reason_code": "x", "evidence_file": "a.pdf"}, None, 400,
     "invalid_input", "evidence_file"),
    ("post", "/api/v1/orders/{n}/assign", {"node": "acceptance", "assignee": 7}, None, 400, "invalid_input",
     "assignee"),
    ("post", "/api/v1/events", "[1,", "application/json", 400, "malformed_request", None),
    # a key given twice is refused, not read as whichever came last (common/strict_json.py)
    ("post", "/api/v1/events", '[{"id": "1", "type": "order.received", "type": "node.completed"}]', "application/json",
     400, "malformed_request", None),
    ("post", "/api/v1/orders/", '{"capacity_kva": 900, "capacity_kva": 8}', "application/json", 400,
     "malformed_request", None),
    ("post", "/api/v1/orders/{n}/decide-approval", '{"low_risk": false, "low_risk": true}', "application/json", 400,
     "malformed_request", None),
    ("post", "/api/v1/orders/", '{"capacity_kva": NaN}', "application/json", 400, "malformed_request", None),
    ("post", "/api/v1/events", '"hello"', "application/json", 400, "invalid_input", "body"),
    ("post", "/api/v1/events", "[]", "application/json", 400, "invalid_input", "body"),
    ("post", "/api/v1/events", "", "application/json", 400, "invalid_input", "body"),  # no body at all
    ("post", "/api/v1/events", "id=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type", None),
    ("post", "/api/v1/events", json.dumps([{}] * 1001), "application/json", 400, "invalid_input", "body"),
    ("get", "/api/v1/events", None, None, 405, "method_not_allowed", None),
    ("get", "/api/v1/nothing-here", None, None, 404, "not_found", None),
    ("get", "/api/v2/orders/", None, None, 404, "not_found", None),
]  # fmt: skip


@pytest.mark.parametrize("method, path, body, content_type, status, code, field", CASES)
def test_bad_input_gives_a_json_error(cast, method, path, body, content_type, status, code, field):
    order = make_order(cast)
    client = client_for(cast.administrator)
    path = path.replace("{n}", order.number)
    if content_type:
        response = getattr(client, method)(path, body, content_type=content_type)
    else:
        response = getattr(client, method)(path, body, format="json")
    assert response.status_code < 500
    if status == 200:
        assert response.status_code == 200
        return
    error = assert_error(response, status, code)
    assert response["Content-Type"].startswith("application/json")
    assert error.get("field") == field


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (RuntimeError("bug"), 500, "server_error"),
        # The database down or locked: nothing was written, so the client is told to repeat, not that we failed.
        (OperationalError("database is locked"), 503, "database_unavailable"),
    ],
)
def test_an_unexpected_error_is_a_json_error_and_logged(cast, monkeypatch, caplog, error, status, code):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr("yekuo.orders.api.views.filter_orders", boom)
    response = client_for(cast.administrator).get("/api/v1/orders/")
    body = assert_error(response, status, code)
    assert str(error) not in body["message"]
    assert any(r.exc_info and r.exc_info[0] is type(error) for r in caplog.records)
    if status == 503:
        assert response["Retry-After"] == "5" and "repeat" in body["message"]


def test_django_handlers_answer_json_only_under_api():
    factory = RequestFactory()
    api = handler404(factory.get("/api/nowhere"), None)
    assert api.status_code == 404 and json.loads(api.content)["code"] == "not_found"
    assert handler500(factory.get("/api/v1/x")).status_code == 500
    assert json.loads(handler500(factory.get("/api/v1/x")).content)["code"] == "server_error"
    assert handler404(factory.get("/orders/"), None)["Content-Type"].startswith("text/html")


def test_schema_is_served(cast):
    response = client_for(None).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {"/api/v1/orders/", "/api/v1/orders/{number}/", "/api/v1/events", "/api/v1/orders/{number}/suspend"} <= set(
        paths
    )
    # The schema says what the API enforces (schemathesis checks one against the other): required text may not be
    # blank, and an order without a service area has null there.
    schemas = json.loads(response.content)["components"]["schemas"]
    assert schemas["OrderCreate"]["properties"]["customer_name"]["minLength"] == 1
    assert schemas["Cancel"]["properties"]["cancel_reason"]["minLength"] == 1
    assert "minLength" not in schemas["OrderCreate"]["properties"]["customer_phone"]  # may be blank
    assert schemas["OrderDetail"]["properties"]["service_area"]["nullable"] is True
