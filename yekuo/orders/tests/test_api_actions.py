"""The orders API writes: create, every action endpoint, idempotency, authentication (O3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yekuo.orders.models import OrderEvent, Suspension, WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order

LATE = "entered after the fact from the paper form"


def post(user, path, body=None, **kwargs):
    return client_for(user).post(path, body or {}, format=kwargs.pop("format", "json"), **kwargs)


def act(user, order, action, when, **body):
    response = post(user, f"/api/v1/orders/{order}/{action}", {"occurred_at": when, "reason": LATE, **body})
    assert response.status_code == 200, response.content
    return response.json()


def test_create_and_work_an_order_through_every_action(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    created = post(
        cast.dispatcher,
        "/api/v1/orders/",
        {"category": "hv10_single", "channel": "approval_platform", "customer_name": "东区水泥厂",
         "customer_phone": "13912345678", "site_address": "东区工业路9号", "capacity_kva": "630",
         "voltage": "10kV", "branch": "east", "occurred_at": "2026-11-02T09:00:00+08:00", "reason": LATE},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["status"] == "created" and created.json()["branch"] == "east"
    act(cast.dispatcher, number, "receive", "2026-11-02T09:30:00+08:00")
    body = act(cast.branch_manager, number, "assign", "2026-11-02T09:40:00+08:00", node="acceptance", assignee="clerk")
    assert body["nodes"][0]["assignee"] == "clerk"
    act(cast.clerk, number, "complete-node", "2026-11-02T10:00:00+08:00", node="acceptance", note="资料齐全")
    upload = SimpleUploadedFile("notice.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    suspended = post(
        cast.customer_manager,
        f"/api/v1/orders/{number}/suspend",
        {"reason_code": "documents_missing", "evidence_file": upload, "occurred_at": "2026-11-02T10:30:00+08:00",
         "reason": LATE},
        format="multipart",
    )  # fmt: skip
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    assert Suspension.objects.get(order__number=number).evidence_file.name.endswith(".pdf")
    body = act(cast.customer_manager, number, "resume", "2026-11-03T09:00:00+08:00")
    assert body["status"] == "in_transit" and body["suspensions"][0]["ended_at"] == "2026-11-03T09:00:00+08:00"
    act(cast.customer_manager, number, "complete-node", "2026-11-03T10:00:00+08:00", node="survey_plan")
    body = act(cast.project_manager, number, "decide-approval", "2026-11-03T11:00:00+08:00", low_risk=True)
    approval = next(c for c in body["clocks"] if c["code"] == "approval")
    assert approval["limit_days"] == 0 and approval["condition_pending"] is False
    act(cast.project_manager, number, "complete-node", "2026-11-03T12:00:00+08:00", node="approval")
    act(cast.project_manager, number, "complete-node", "2026-11-05T10:00:00+08:00", node="grid_works")
    body = act(cast.customer_manager, number, "customer-event", "2026-11-05T11:00:00+08:00",
               type="customer.works_completed")  # fmt: skip
    assert next(c for c in body["clocks"] if c["code"] == "contract_inspection")["state"] == "running"
    body = act(cast.customer_manager, number, "complete-node", "2026-11-06T10:00:00+08:00", node="contract_inspection")
    assert body["status"] == "energized" and body["closed_at"] == "2026-11-06T10:00:00+08:00"
    events = body["events"]
    assert all(e["source"] == "api" and e["backdated"] and e["reason"] == LATE for e in events)
    assert len(events) == 12


def test_cancel_and_reopen(cast):
    order = make_order(cast)
    body = act(cast.branch_manager, order.number, "cancel", "2026-09-29T10:00:00+08:00", cancel_reason="客户撤回")
    assert body["status"] == "cancelled"
    assert_error(post(cast.branch_manager, f"/api/v1/orders/{order.number}/cancel", {"cancel_reason": "x"}),
                 409, "workflow")  # fmt: skip
    body = act(cast.branch_manager, order.number, "reopen", "2026-09-30T10:00:00+08:00", reopen_reason="客户恢复")
    assert body["status"] == "in_transit"


def test_a_cancellation_back_dated_before_the_receipt_is_a_workflow_refusal(cast):
    # Found by schemathesis: the refusal's message read the missing receipt time, and the API answered 500.
    order = make_order(cast, channel="approval_platform", actor=cast.dispatcher, branch=cast.west)
    act(cast.dispatcher, order.number, "receive", "2026-09-29T11:00:00+08:00")
    body = {"occurred_at": "2026-09-29T10:00:00+08:00", "reason": LATE, "cancel_reason": "客户撤回"}
    response = post(cast.administrator, f"/api/v1/orders/{order.number}/cancel", body)
    body = assert_error(response, 409, "workflow")
    assert "cancelled; it cannot be received" in body["message"]


@pytest.mark.parametrize(
    "action, body, status, code, field",
    [
        ("resume", {}, 409, "workflow", "type"),
        ("complete-node", {"node": "survey_plan"}, 403, "forbidden", None),  # the clerk does not own it
        ("complete-node", {"node": "drawing_review"}, 409, "workflow", "node"),  # lv_resident has none
        ("complete-node", {}, 400, "invalid_input", "node"),
        (
            "complete-node",
            {"node": "acceptance", "occurred_at": "2099-01-01T00:00:00+08:00"},
            400,
            "invalid_input",
            "occurred_at",
        ),
        (
            "complete-node",
            {"node": "acceptance", "occurred_at": "2026-09-30T10:00:00+08:00"},
            400,
            "invalid_input",
            "reason",
        ),  # back-dated without a reason
        (
            "complete-node",
            {"node": "acceptance", "occurred_at": "2026-09-01T10:00:00+08:00", "reason": "x"},
            400,
            "invalid_input",
            "occurred_at",
        ),  # before the order
        (
            "complete-node",
            {"node": "acceptance", "occurred_at": "2026-09-30 10:00"},
            400,
            "invalid_input",
            "occurred_at",
        ),  # naive
        ("suspend", {"reason_code": "weather", "evidence_note": "x"}, 400, "invalid_input", "reason_code"),
        ("suspend", {"reason_code": "documents_missing"}, 400, "invalid_input", "evidence"),
        ("customer-event", {"type": "customer.paid"}, 400, "invalid_input", "type"),
        ("customer-event", {"type": "customer.design_submitted"}, 409, "workflow", "type"),
        ("decide-approval", {"low_risk": "perhaps"}, 400, "invalid_input", "low_risk"),
        ("cancel", {"cancel_reason": ""}, 400, "invalid_input", "cancel_reason"),
        ("reopen", {"reopen_reason": "x"}, 403, "forbidden", None),
        ("assign", {"node": "acceptance", "assignee": "outsider"}, 400, "invalid_input", "assignee"),
        ("receive", {}, 403, "forbidden", None),
    ],
)
def test_action_errors(cast, action, body, status, code, field):
    order = make_order(cast)
    user = getattr(
        cast,
        {"assign": "branch_manager", "customer-event": "customer_manager", "receive": "auditor"}.get(action, "clerk"),
    )
    response = post(user, f"/api/v1/orders/{order.number}/{action}", body)
    error = assert_error(response, status, code)
    assert error.get("field") == field
    assert order.events.count() == 2


def test_receive_twice_is_a_workflow_conflict(cast):
    order = make_order(cast)
    assert_error(post(cast.dispatcher, f"/api/v1/orders/{order.number}/receive"), 409, "workflow")


def test_idempotency_key_records_once(cast):
    order = make_order(cast)
    headers = {"HTTP_IDEMPOTENCY_KEY": "form-77"}
    body = {"node": "acceptance", "occurred_at": "2026-09-29T10:00:00+08:00", "reason": LATE}
    path = f"/api/v1/orders/{order.number}/complete-node"
    first = post(cast.clerk, path, body, **headers)
    again = post(cast.clerk, path, body, **headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["events"] == again.json()["events"]
    assert OrderEvent.objects.filter(order=order, type="node.completed").count() == 1
    # the same key on another request is a mismatch, not a silent success (Stripe's rule)
    other = post(
        cast.clerk,
        f"/api/v1/orders/{order.number}/suspend",
        {"reason_code": "customer_request", "evidence_note": "电话"},
        **headers,
    )
    assert_error(other, 422, "idempotency_mismatch")
    # another user's key space is separate
    assert post(cast.administrator, path, body, **headers).status_code == 409  # node already complete
    assert_error(post(cast.clerk, path, body, HTTP_IDEMPOTENCY_KEY="x" * 65), 400, "invalid_input")


def test_create_is_idempotent_and_checks_scope(cast):
    body = {"category": "lv_resident", "channel": "counter", "customer_name": "王五", "site_address": "西区某路",
            "capacity_kva": 8, "voltage": "220V", "customer_phone": "13912345678"}  # fmt: skip
    # The clerk chose an east area for an address that names the west: the choice stands.
    first = post(cast.clerk, "/api/v1/orders/", {**body, "service_area": "east"}, HTTP_IDEMPOTENCY_KEY="new-1")
    again = post(cast.clerk, "/api/v1/orders/", {**body, "service_area": "east"}, HTTP_IDEMPOTENCY_KEY="new-1")
    assert first.status_code == again.status_code == 201 and first.json()["number"] == again.json()["number"]
    assert first.json()["status"] == "in_transit"  # a counter order is received at once
    assert WorkOrder.objects.count() == 1
    assert_error(post(cast.clerk, "/api/v1/orders/", body), 403, "forbidden")  # the address maps to west
    assert_error(post(cast.auditor, "/api/v1/orders/", {**body, "service_area": "east"}), 403, "forbidden")
    error = assert_error(post(cast.clerk, "/api/v1/orders/", {**body, "site_address": "月球"}), 400, "invalid_input")
    assert error["field"] == "branch"
    assert_error(post(cast.clerk, "/api/v1/orders/", {**body, "service_area": "nowhere"}), 400, "invalid_input")


def test_token_authentication(cast):
    token = Token.objects.create(user=cast.clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/orders/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/orders/")
    assert_error(response, 401, "authentication_failed")
    assert response.headers["WWW-Authenticate"] == "Token"


def test_session_authentication_with_csrf(cast):
    order = make_order(cast)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.clerk)  # a session as the login page makes it (tests/test_login_throttle signs in)
    assert client.get(f"/api/v1/orders/{order.number}/").status_code == 200
    refused = client.post(f"/api/v1/orders/{order.number}/resume", {}, format="json")
    assert "CSRF" in assert_error(refused, 403, "forbidden")["message"]


def test_a_suspension_under_review_is_approved_or_rejected_through_the_api(cast):
    """I5: a back-dated suspension waits for a second person; the API names it by position."""
    number = make_order(cast).number
    act(cast.clerk, number, "suspend", "2026-11-02T10:30:00+08:00", reason_code="customer_request", evidence_note="x")
    body = client_for(cast.branch_manager).get(f"/api/v1/orders/{number}/").json()
    assert body["suspensions"][0]["review"] == "pending"
    assert set(body["suspensions"][0]["review_reasons"]) == {"self", "backdated"}
    refused = post(cast.branch_manager, f"/api/v1/orders/{number}/reject-suspension", {"suspension": 0})
    assert_error(refused, 400, "invalid_input")
    refused = post(cast.clerk, f"/api/v1/orders/{number}/approve-suspension", {"suspension": 0})
    assert_error(refused, 403, "forbidden")
    body = act(cast.branch_manager, number, "approve-suspension", "2026-11-02T11:00:00+08:00", suspension=0)
    assert body["suspensions"][0]["review"] == "approved"
    assert body["events"][-1]["type"] == "suspension.approved"


def test_a_back_dated_entry_is_checked_through_the_api(cast):
    number = make_order(cast).number
    act(cast.clerk, number, "complete-node", "2026-09-29T10:00:00+08:00", node="acceptance")  # back-dated
    refused = post(cast.branch_manager, f"/api/v1/orders/{number}/review-entry", {"seq": 3, "approved": False})
    assert_error(refused, 400, "invalid_input")
    body = act(cast.branch_manager, number, "review-entry", "2026-11-02T11:00:00+08:00", seq=3, approved=True)
    assert body["events"][-1]["type"] == "entry.reviewed"
