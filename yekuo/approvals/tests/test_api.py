"""The works API (R6, R7): JSON in and out, refusals with stable codes, never a 500. The API speaks English
(docs/api.md): the gate's messages are the English of the pages' Chinese."""

import pytest
from rest_framework.test import APIClient

from yekuo.approvals.tests.conftest import LOW_RISK
from yekuo.approvals.tests.test_works import planned
from yekuo.orders.models import Clock

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_decide_file_and_read_the_state(cast):
    order = planned(cast, day="2026-11-02")
    pm = client_for(cast.project_manager)
    url = f"/api/v1/orders/{order.number}/works"
    body = {"facts": {**LOW_RISK, "route": ["康和路"]}, "design_unit": "鄂尔多斯电力设计院"}
    answer = pm.post(url, body, format="json")
    assert answer.status_code == 200, answer.json()
    state = answer.json()
    assert state["decision"]["low_risk"] is True and state["decision"]["approval_limit_days"] == 0
    assert state["limits"] == {"low_risk": 0, "not_low_risk": 3}
    assert [r["passed"] for r in state["decision"]["reasons"]] == [True] * 6
    assert state["open"] == [{"kind": "filing", "message": "Notification-and-commitment filing not recorded"}]
    filed = pm.post(f"{url}/filing", {}, format="json")
    assert filed.status_code == 200 and filed.json()["filing"]["letter_number"] == f"BA{order.number}"
    assert filed.json()["open"] == []
    assert Clock.objects.get(order=order, code="approval").state == "done"
    again = pm.post(f"{url}/filing", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"facts": {**LOW_RISK, "excavation": 3}}, "invalid_input", "excavation"),  # a typo never passes
        ({"facts": {**LOW_RISK, "excavation_m": -5}}, "invalid_input", "excavation_m"),
        ({"facts": {k: v for k, v in LOW_RISK.items() if k != "obstacles"}}, "invalid_input", "obstacles"),
        ({"facts": {**LOW_RISK, "on": "2026-11-02"}}, "invalid_input", "on"),
        ({"facts": LOW_RISK, "override_low_risk": False, "override_reason": "x"}, "forbidden", None),
        ({}, "invalid_input", None),
    ],
)
def test_bad_input_is_a_json_error(cast, body, code, field):
    order = planned(cast)
    answer = client_for(cast.project_manager).post(f"/api/v1/orders/{order.number}/works", body, format="json")
    data = answer.json()
    assert answer.status_code in (400, 403) and data["code"] == code, data
    if field:
        assert data["field"] == field


def test_the_gate_answers_with_its_code(cast):
    order = planned(cast, "lv_resident")
    pm = client_for(cast.project_manager)
    url = f"/api/v1/orders/{order.number}/works"
    asked = pm.post(f"{url}/consultations", {"owner_kind": "water", "owner_name": "东区水务", "request": "核实给水管"},
                    format="json")  # fmt: skip
    assert asked.status_code == 200
    pk = asked.json()["consultations"][0]["id"]
    done = pm.post(f"/api/v1/orders/{order.number}/complete-node", {"node": "grid_works"}, format="json")
    assert done.status_code == 409 and done.json()["code"] == "gate_closed"
    assert done.json()["message"] == (
        "The grid supporting works cannot be completed: Route consultation not answered: 东区水务"
    )
    answered = pm.post(f"{url}/consultations/{pk}/answer", {"answer": "有给水管", "conflicts": ["交叉"]}, format="json")
    conflict = answered.json()["consultations"][0]["conflicts"][0]
    assert conflict["resolved_at"] is None
    resolved = pm.post(f"{url}/conflicts/{conflict['id']}/resolve", {"resolution": "下穿加套管"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["open"] == []
    assert pm.post(f"{url}/conflicts/999999/resolve", {"resolution": "x"}, format="json").json()["code"] == "not_found"
    done = pm.post(f"/api/v1/orders/{order.number}/complete-node", {"node": "grid_works"}, format="json")
    assert done.status_code == 200


def test_the_approval_by_api(cast):
    order = planned(cast, "hv10_dual")
    pm = client_for(cast.project_manager)
    url = f"/api/v1/orders/{order.number}/works"
    decided = pm.post(url, {"facts": {**LOW_RISK, "voltage_kv": 35}}, format="json")
    assert decided.json()["decision"]["low_risk"] is False
    assert pm.get(f"{url}/letter.pdf").json()["code"] == "invalid_input"  # no letter for an approval
    submitted = pm.post(f"{url}/approval", {"authorities": ["住建局"]}, format="json")
    assert submitted.status_code == 200 and submitted.json()["open"][0]["message"] == "Approval not granted"
    wrong = pm.post(f"{url}/approval/answers", {"authority": "交通局", "verdict": "approved"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "authority"
    ok = pm.post(f"{url}/approval/answers", {"authority": "住建局", "verdict": "approved"}, format="json")
    assert ok.json()["approval"]["approved_at"] is not None and ok.json()["open"] == []
    assert Clock.objects.get(order=order, code="approval").state == "done"


def test_out_of_scope_is_not_found(cast):
    order = planned(cast)
    answer = client_for(cast.west_project_manager).get(f"/api/v1/orders/{order.number}/works")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
