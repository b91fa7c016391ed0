"""The scope matrix of the API (R15, O3): every cast member × list / detail / actions.

An order of branch `east`; a user outside its scope gets 404 (the order's existence is not revealed),
a user who may see it but not take the action gets 403, a user without order.view gets 403 everywhere.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order

USERS = (
    "clerk", "customer_manager", "project_manager", "branch_manager",
    "west_clerk", "west_customer_manager", "west_project_manager", "west_branch_manager",
    "dispatcher", "department_manager", "administrator", "auditor", "integration",
    "nobody", "inactive", "outsider", "superuser",
)  # fmt: skip
EAST = {"clerk", "customer_manager", "project_manager", "branch_manager"}
COMPANY = {"dispatcher", "department_manager", "administrator", "auditor", "integration"}
NO_VIEW = {"nobody", "inactive"}
SEES = EAST | COMPANY | {"superuser"}

# action → (path, body, users who may take it on the east order)
ACTIONS = {
    "complete-node": ({"node": "acceptance"}, {"clerk", "administrator", "superuser"}),
    "suspend": (
        {"reason_code": "documents_missing", "evidence_note": "缺资料"},
        {"clerk", "customer_manager", "project_manager", "administrator", "superuser"},
    ),
    "cancel": ({"cancel_reason": "客户撤回"}, {"branch_manager", "department_manager", "administrator", "superuser"}),
    "assign": ({"node": "acceptance", "assignee": "clerk"}, {"branch_manager", "dispatcher", "department_manager",
                                                              "administrator", "superuser"}),
}  # fmt: skip


def expected(user: str, allowed: set[str]) -> int:
    if user in NO_VIEW:
        return 403
    if user not in SEES:
        return 404
    return 200 if user in allowed else 403


@pytest.fixture
def order(cast):
    return make_order(cast, when=timezone.localtime(timezone.now() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"))


@pytest.mark.parametrize("user", USERS)
def test_list(cast, order, user):
    response = client_for(getattr(cast, user)).get("/api/v1/orders/")
    if user in NO_VIEW:
        assert_error(response, 403, "forbidden")
    else:
        assert response.status_code == 200
        assert response.json()["count"] == (1 if user in SEES else 0)


@pytest.mark.parametrize("user", USERS)
def test_detail(cast, order, user):
    response = client_for(getattr(cast, user)).get(f"/api/v1/orders/{order.number}/")
    status = expected(user, SEES)
    if status == 200:
        assert response.status_code == 200 and response.json()["number"] == order.number
    else:
        assert_error(response, status, {403: "forbidden", 404: "not_found"}[status])


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("user", USERS)
def test_action(cast, order, user, action):
    body, allowed = ACTIONS[action]
    response = client_for(getattr(cast, user)).post(f"/api/v1/orders/{order.number}/{action}", body, format="json")
    status = expected(user, allowed)
    if status == 200:
        assert response.status_code == 200, response.content
        assert order.events.count() == 3
    else:
        assert_error(response, status, {403: "forbidden", 404: "not_found"}[status])
        assert order.events.count() == 2


def test_anonymous_gets_401(cast, order):
    assert_error(client_for(None).get("/api/v1/orders/"), 401, "not_authenticated")
    assert_error(client_for(None).post(f"/api/v1/orders/{order.number}/receive", {}), 401, "not_authenticated")
