"""The R6 facts recorded with approval.decided are checked like the rest of an event's payload (O8):
their types and values, not only NUL (the control layer relays no facts: `ingest._payload`)."""

import pytest

from yekuo.common.errors import InvalidInput
from yekuo.orders import services
from yekuo.orders.models import OrderEvent
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order

pytestmark = pytest.mark.django_db
FACTS = {
    "voltage_kv": 10, "excavation_m": 620, "obstacles": False, "single_function": True, "simple_technique": True,
    "touches_important_street": False, "route": ["纬三路", "团结路"], "on": "2026-12-01",
}  # fmt: skip


def decide(cast, order, inputs):
    return client_for(cast.customer_manager).post(
        f"/api/v1/orders/{order.number}/decide-approval", {"low_risk": True, "inputs": inputs}, format="json"
    )


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        ({**FACTS, "excavation_m": "620"}, "excavation_m"),  # a string for a number
        ({**FACTS, "excavation_m": -5}, "excavation_m"),  # not possible
        ({**FACTS, "obstacles": {"nested": [1, 2]}}, "obstacles"),  # an object for a flag
        ({**FACTS, "route": [["纬三路"]]}, "route"),  # a list in the route
        ({**FACTS, "route": ["纬三路\x1b[31m"]}, "U+001B"),  # a control character in a nested text
        ({k: v for k, v in FACTS.items() if k != "obstacles"}, "obstacles"),  # a fact missing
        ({**FACTS, "excavation": 620}, "excavation"),  # a typo'd key
        ({**FACTS, "on": "yesterday"}, "on"),
        # yekuo's own classification (approvals.works): the facts within it, and its other keys by type
        ({"facts": {**FACTS, "excavation_m": -5}, "rule_set": "r6"}, "excavation_m"),
        ({"facts": FACTS, "rule_set": 6}, "rule_set"),
        ({"facts": FACTS, "failed": [{"x": 1}]}, "failed"),
        ({"facts": FACTS, "verdict": "ok"}, "verdict"),
    ],
)
def test_bad_facts_are_refused_naming_the_fact(cast, inputs, named):
    order = make_order(cast, category="hv10_single", capacity_kva=630, voltage="10kV")
    body = assert_error(decide(cast, order, inputs), 400, "invalid_input")
    assert body["field"] == "inputs" and named in body["message"], body
    assert not OrderEvent.objects.filter(order=order, type="approval.decided").exists()


def test_good_facts_are_recorded_as_given(cast):
    order = make_order(cast, category="hv10_single", capacity_kva=630, voltage="10kV")
    response = decide(cast, order, FACTS)
    assert response.status_code == 200, response.content
    assert OrderEvent.objects.get(order=order, type="approval.decided").payload["inputs"] == FACTS


def test_the_service_checks_them_whoever_calls_it(cast):
    """The pages record no facts; the API, replay files and any other caller go through the service."""
    order = make_order(cast, category="hv10_single", capacity_kva=630, voltage="10kV")
    with pytest.raises(InvalidInput) as caught:
        services.approval_decide(
            order, actor=cast.customer_manager, low_risk=False, inputs={**FACTS, "obstacles": "no"}
        )
    assert caught.value.field == "inputs" and "obstacles" in caught.value.message
