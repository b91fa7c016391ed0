"""restrict() and in_scope() (REQUIREMENTS R15) for every member of the cast, as declarative tables."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from yekuo.accounts.models import Branch, Company, Department, Role, ServiceArea, Station, User
from yekuo.accounts.scope import in_scope, restrict, scope_lookups

EVERYTHING = {"east", "west", "north"}
COMPANY = {"east", "west"}

# Who sees which branches' rows for "order.view" (every staff role has it).
VIEW = {
    "clerk": {"east"},
    "customer_manager": {"east"},
    "project_manager": {"east"},
    "branch_manager": {"east"},
    "west_clerk": {"west"},
    "west_customer_manager": {"west"},
    "west_project_manager": {"west"},
    "west_branch_manager": {"west"},
    "dispatcher": COMPANY,
    "department_manager": COMPANY,
    "administrator": COMPANY,
    "auditor": COMPANY,
    "nobody": set(),  # no role
    "inactive": set(),
    "outsider": {"north"},  # another company
    "superuser": EVERYTHING,
}

# The action decides too: no right, no rows, whatever the scope.
ACTION = [
    ("auditor", "order.export", COMPANY),
    ("auditor", "order.cancel", set()),
    ("clerk", "order.export", set()),
    ("clerk", "node.complete", {"east"}),
    ("west_branch_manager", "order.cancel", {"west"}),
    ("west_branch_manager", "node.complete", set()),
    ("dispatcher", "order.assign", COMPANY),
    ("dispatcher", "node.complete", set()),
    ("administrator", "event.ingest", COMPANY),
    ("outsider", "order.reopen", {"north"}),
    ("superuser", "admin.manage", EVERYTHING),
]


def branch_codes(queryset, path="branch__code"):
    return set(queryset.values_list(path, flat=True))


@pytest.mark.parametrize(("who", "expected"), VIEW.items())
def test_service_areas_by_branch_field(cast, who, expected):
    assert branch_codes(restrict(ServiceArea.objects.all(), cast.users[who], "order.view")) == expected


@pytest.mark.parametrize(("who", "expected"), VIEW.items())
def test_branch_is_its_own_scope(cast, who, expected):
    assert branch_codes(restrict(Branch.objects.all(), cast.users[who], "order.view"), "code") == expected


@pytest.mark.parametrize(("who", "action", "expected"), ACTION)
def test_the_action_decides_too(cast, who, action, expected):
    assert branch_codes(restrict(ServiceArea.objects.all(), cast.users[who], action)) == expected


def test_anonymous_sees_nothing(cast):
    assert not restrict(ServiceArea.objects.all(), AnonymousUser(), "order.view").exists()
    assert not restrict(ServiceArea.objects.all(), None, "order.view").exists()


def test_user_of_no_company_sees_nothing(cast):
    lost = User.objects.create(username="lost")
    lost.roles.add("auditor")
    assert not restrict(ServiceArea.objects.all(), lost, "order.view").exists()


def test_company_rows_are_seen_by_everyone_in_the_company(cast):
    """Departments and the company itself have no branch: the whole company sees them."""
    for who in ("clerk", "west_branch_manager", "dispatcher"):
        user = cast.users[who]
        assert set(restrict(Company.objects.all(), user, "order.view")) == {cast.company}
        assert {d.company for d in restrict(Department.objects.all(), user, "order.view")} == {cast.company}
    assert set(restrict(Company.objects.all(), cast.outsider, "order.view")) == {cast.other_company}


def test_company_field_catches_rows_without_a_branch(cast):
    """Users declare both fields: company-scope users (branch empty) are seen by company-scope viewers,
    as a platform order not yet dispatched will be (R3)."""
    users = set(restrict(User.objects.all(), cast.dispatcher, "order.view").values_list("username", flat=True))
    assert {"dispatcher", "auditor", "clerk", "west_clerk"} <= users
    assert "outsider" not in users and "superuser" not in users
    east = set(restrict(User.objects.all(), cast.clerk, "order.view").values_list("username", flat=True))
    assert east == {"clerk", "customer_manager", "project_manager", "branch_manager", "inactive"}


def test_restrict_composes_with_other_filters(cast):
    areas = restrict(ServiceArea.objects.filter(code="west"), cast.dispatcher, "order.view")
    assert list(areas) == [cast.west_area]
    assert not restrict(ServiceArea.objects.filter(code="west"), cast.clerk, "order.view").exists()


def test_lookups_are_declared_not_guessed():
    assert scope_lookups(ServiceArea) == ("branch", "branch__company")
    assert scope_lookups(Station) == ("branch", "branch__company")
    assert scope_lookups(Branch) == ("pk", "company")
    assert scope_lookups(Company) == (None, "pk")
    assert scope_lookups(User) == ("branch", "company")

    class Node:
        scope_branch_field = "order__branch"

    assert scope_lookups(Node) == ("order__branch", "order__branch__company")
    with pytest.raises(ImproperlyConfigured, match="Role declares neither"):
        scope_lookups(Role)


def test_unknown_action_is_an_error(cast):
    with pytest.raises(ValueError):
        restrict(ServiceArea.objects.all(), cast.clerk, "orders.view")


# in_scope(user, branch): the single-object form.
IN_SCOPE = [
    ("clerk", "east", True),
    ("clerk", "west", False),
    ("west_clerk", "west", True),
    ("dispatcher", "east", True),
    ("dispatcher", "west", True),
    ("dispatcher", "north", False),
    ("outsider", "north", True),
    ("outsider", "east", False),
    ("superuser", "north", True),
    ("inactive", "east", False),
]


@pytest.mark.parametrize(("who", "branch", "expected"), IN_SCOPE)
def test_in_scope(cast, who, branch, expected):
    branch = {"east": cast.east, "west": cast.west, "north": cast.other_branch}[branch]
    assert in_scope(cast.users[who], branch) is expected


def test_in_scope_of_a_row_without_a_branch(cast):
    assert in_scope(cast.dispatcher, None, company=cast.company)
    assert not in_scope(cast.clerk, None, company=cast.company)  # branch staff: only their branch
    assert not in_scope(cast.outsider, None, company=cast.company)
    assert not in_scope(cast.dispatcher, None)
    assert in_scope(cast.superuser, None)
    assert not in_scope(AnonymousUser(), cast.east)
