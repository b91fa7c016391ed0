"""A node is assigned only to someone who can open the order (R15)."""

import pytest

from yekuo.orders import services
from yekuo.orders.assignment import AssigneeOutOfScope
from yekuo.orders.models import NodeInstance, OrderEvent
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order

pytestmark = pytest.mark.django_db


def _assign(cast, order, assignee):
    return client_for(cast.branch_manager).post(
        f"/api/v1/orders/{order.number}/assign", {"node": "acceptance", "assignee": assignee}, format="json"
    )


def test_a_user_of_another_branch_is_refused_with_a_stable_code(cast):
    order = make_order(cast)  # an east order
    body = assert_error(_assign(cast, order, "west_clerk"), 400, "assignee_out_of_scope")
    assert body["field"] == "assignee" and "west_clerk" in body["message"]
    assert not OrderEvent.objects.filter(order=order, type="order.assigned").exists()
    assert NodeInstance.objects.get(order=order, code="acceptance").assignee_id is None


def test_users_of_the_branch_or_the_whole_company_may_be_assigned(cast):
    order = make_order(cast)
    assert _assign(cast, order, "clerk").status_code == 200
    assert _assign(cast, order, "dispatcher").status_code == 200  # company scope: opens every branch's orders
    assert NodeInstance.objects.get(order=order, code="acceptance").assignee_id == cast.dispatcher.pk


def test_the_pages_path_refuses_an_inactive_or_foreign_user_too(cast):
    order = make_order(cast)
    for user in (cast.inactive, cast.west_clerk):
        with pytest.raises(AssigneeOutOfScope):
            services.order_assign(order, actor=cast.branch_manager, node="acceptance", assignee=user.pk)
