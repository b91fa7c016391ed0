"""The permission matrix (REQUIREMENTS R15) as a table written out by hand: every role × every action.

The table is the specification; `permissions.ROLE_ACTIONS` must agree with it cell by cell. Changing a
right means changing both, on purpose.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from yekuo.accounts.codes import ACTIONS, ROLES
from yekuo.accounts.permissions import ROLE_ACTIONS, actions_of, can, require
from yekuo.common.errors import Forbidden

# Columns: acceptance_clerk, customer_manager, project_manager, dispatcher, branch_manager,
# department_manager, administrator, auditor, integration.
COLUMNS = [
    "acceptance_clerk",
    "customer_manager",
    "project_manager",
    "dispatcher",
    "branch_manager",
    "department_manager",
    "administrator",
    "auditor",
    "integration",
]
MATRIX = """
order.view       Y Y Y Y Y Y Y Y Y
order.create     Y . . Y . . Y . .
order.receive    Y . . Y . . Y . .
order.edit       Y Y . Y . . Y . .
order.assign     . . . Y Y Y Y . .
node.complete    Y Y Y . . . Y . .
approval.decide  . Y Y . Y Y Y . .
approval.override . . . . Y Y Y . .
customer.record  . Y Y . . . Y . .
order.suspend    Y Y Y . . . Y . .
order.resume     Y Y Y . . . Y . .
suspension.review . . . Y Y . Y . .
order.cancel     . . . . Y Y Y . .
order.reopen     . . . . Y Y Y . .
order.export     . . . . Y Y Y Y .
personal_data.reveal Y Y . Y . . Y . .
audit.view       . . . . . . Y Y .
event.ingest     . . . . . . Y . Y
admin.manage     . . . . . . Y . .
visit.view       . Y . Y Y Y Y Y .
visit.plan       . . . Y . Y Y . .
visit.record     . . . Y . . Y . .
visit.follow_up  . Y . Y Y Y Y . .
"""


def _cells():
    for line in MATRIX.strip().splitlines():
        action, *marks = line.split()
        for role, mark in zip(COLUMNS, marks, strict=True):
            yield role, action, mark == "Y"


CELLS = list(_cells())


def test_the_table_covers_every_role_and_action():
    assert set(COLUMNS) == set(ROLES)
    assert {action for _, action, _ in CELLS} == set(ACTIONS)
    assert len(CELLS) == len(ROLES) * len(ACTIONS)


@pytest.mark.parametrize(("role", "action", "allowed"), CELLS, ids=[f"{r}-{a}" for r, a, _ in CELLS])
def test_matrix_cell(role, action, allowed):
    assert (action in ROLE_ACTIONS[role]) is allowed


@pytest.mark.parametrize("role", COLUMNS)
def test_users_of_the_cast_get_exactly_their_row(cast, role):
    user = cast.user(role)
    expected = {action for r, action, allowed in CELLS if r == role and allowed}
    assert actions_of(user) == expected
    for action in ACTIONS:
        assert can(user, action) is (action in expected)


def test_roles_add_up(cast):
    user = cast.clerk
    user.roles.add("auditor")
    assert can(user, "order.export") and can(user, "order.create")
    user.roles.remove("auditor")
    assert not can(user, "order.export")


def test_superuser_may_do_everything_and_the_rest_nothing(cast):
    assert actions_of(cast.superuser) == set(ACTIONS)
    for user in (cast.nobody, cast.inactive, AnonymousUser(), None):
        assert actions_of(user) == set()
        assert not can(user, "order.view")


def test_require_raises_forbidden_with_a_stable_code(cast):
    require(cast.auditor, "order.export")
    with pytest.raises(Forbidden) as caught:
        require(cast.auditor, "order.cancel")
    assert caught.value.code == "forbidden"
    assert "auditor" in caught.value.message and "order.cancel" in caught.value.message
    with pytest.raises(Forbidden):
        require(AnonymousUser(), "order.view")


def test_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="unknown action"):
        can(cast.clerk, "order.veiw")
