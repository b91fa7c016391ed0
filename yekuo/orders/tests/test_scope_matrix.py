"""Who may do what to an order of branch `east`: a declarative matrix over every cast member (R15)."""

import pytest

from yekuo.common.errors import Forbidden
from yekuo.orders import selectors, services
from yekuo.orders.models import EventSource, OrderEvent
from yekuo.workcal.tests.conftest import at

USERS = ["clerk", "customer_manager", "project_manager", "branch_manager", "dispatcher", "department_manager",
         "administrator", "auditor", "integration", "nobody", "inactive", "outsider", "west_clerk",
         "west_branch_manager", "superuser"]  # fmt: skip
ALLOWED = {
    "view": {"clerk", "customer_manager", "project_manager", "branch_manager", "dispatcher", "department_manager",
             "administrator", "auditor", "integration", "superuser"},
    "create": {"clerk", "dispatcher", "administrator", "superuser"},
    "receive": {"clerk", "dispatcher", "administrator", "superuser"},
    "complete_acceptance": {"clerk", "administrator", "superuser"},
    # Managers too: they may override the R6 classification with a reason (approval.override), recorded as this.
    "decide_approval": {"customer_manager", "project_manager", "branch_manager", "department_manager",
                        "administrator", "superuser"},
    "customer_event": {"customer_manager", "project_manager", "administrator", "superuser"},
    "suspend": {"clerk", "customer_manager", "project_manager", "administrator", "superuser"},
    "cancel": {"branch_manager", "department_manager", "administrator", "superuser"},
    "assign": {"dispatcher", "branch_manager", "department_manager", "administrator", "superuser"},
    # Relaying another system's event (the control layer): a node of any role, by event.ingest and scope.
    "relay_node": {"administrator", "integration", "superuser"},
}  # fmt: skip
WHEN = at("2026-11-02 09:00")
API = EventSource.API  # staff through the API: role and node-owner checks apply, back-dating needs a reason


def new_order(cast, category="lv_resident", receive=True):
    low = category.startswith("lv")
    supply = {"capacity_kva": 8, "voltage": "220V"} if low else {"capacity_kva": 630, "voltage": "10kV"}
    return services.order_create(
        actor=cast.superuser, category=category, channel="counter", customer_name="x", site_address="东区1号",
        customer_phone="13912345678", occurred_at=WHEN, source=EventSource.IMPORT, receive=receive, **supply,
    )  # fmt: skip


def attempt(cast, action, user):
    r = "补录"
    if action == "view":
        if not selectors.orders_for(user).filter(pk=new_order(cast).pk).exists():
            raise Forbidden("not in the user's list")
        return None
    if action == "create":
        return services.order_create(
            actor=user,
            category="lv_resident",
            channel="counter",
            customer_name="x",
            site_address="东区1号",
            customer_phone="13912345678",
            capacity_kva=8,
            voltage="220V",
            branch=cast.east,
            occurred_at=WHEN,
            source=API,
            reason=r,
        )
    if action == "receive":
        return services.order_receive(
            new_order(cast, receive=False), actor=user, occurred_at=WHEN, source=API, reason=r
        )
    if action == "complete_acceptance":
        return services.node_complete(
            new_order(cast), actor=user, node="acceptance", occurred_at=WHEN, source=API, reason=r
        )
    if action == "decide_approval":
        return services.approval_decide(
            new_order(cast, "hv10_single"), actor=user, low_risk=True, occurred_at=WHEN, source=API, reason=r
        )
    if action == "customer_event":
        order = new_order(cast, "hv10_dual")
        for node in ("acceptance", "survey_plan"):
            services.node_complete(order, actor=cast.superuser, node=node, occurred_at=WHEN, source=EventSource.IMPORT)
        return services.customer_event(
            order, "customer.design_submitted", actor=user, occurred_at=WHEN, source=API, reason=r
        )
    if action == "suspend":
        return services.order_suspend(
            new_order(cast),
            actor=user,
            reason_code="customer_request",
            evidence_note="电话",
            occurred_at=WHEN,
            source=API,
            reason=r,
        )
    if action == "cancel":
        return services.order_cancel(
            new_order(cast), actor=user, cancel_reason="撤回", occurred_at=WHEN, source=API, reason=r
        )
    if action == "assign":
        return services.order_assign(
            new_order(cast), actor=user, node="acceptance", assignee=cast.clerk, occurred_at=WHEN, source=API, reason=r
        )
    if action == "relay_node":
        order = new_order(cast)
        services.node_complete(order, actor=cast.superuser, node="acceptance", occurred_at=WHEN, source=API, reason=r)
        step = services.Step("node.completed", {"node": "survey_plan"}, WHEN, reason="relayed from mbs event 1")
        (outcome,) = services.apply_events(order, [step], actor=user, source=API, relayed=True)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(ALLOWED))
def test_matrix(cast, action):
    allowed = set()
    for name in USERS:
        user = getattr(cast, name)
        recorded = OrderEvent.objects.filter(actor=user).count()
        try:
            attempt(cast, action, user)
        except Forbidden:
            assert OrderEvent.objects.filter(actor=user).count() == recorded, f"{name} was refused but wrote"
            continue
        allowed.add(name)
        if action != "view":  # an action that is allowed is recorded in its actor's name
            assert OrderEvent.objects.filter(actor=user).count() > recorded, f"{name} was allowed but wrote nothing"
    assert allowed == ALLOWED[action]
