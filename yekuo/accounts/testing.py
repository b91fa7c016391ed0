"""The fixed test cast (healthchecks-style): one small, known organisation for every app's tests.

Company `cast` (测试供电公司) with branches `east` (东区供电分公司) and `west` (西区供电分公司), a service
area each, the three departments, and one user of every role:

| attribute | role | scope |
|---|---|---|
| `clerk`, `customer_manager`, `project_manager`, `branch_manager` | as named | branch `east` |
| the same names prefixed `west_` (`west_clerk`, …) | as named | branch `west` |
| `dispatcher`, `department_manager`, `administrator`, `auditor`, `integration` | as named | the company |
| `nobody` | no role | the company |
| `inactive` | acceptance_clerk, but `is_active=False` | branch `east` |
| `outsider` | department_manager of another company `other` (branch `other.north`) | company `other` |
| `superuser` | Django superuser, no company | everything |

The usernames are the attribute names, except `integration`, whose username is `cast_integration` (the demo
has an `integration` account, and a test may load both).

Every user's password is `cast.password`. Use it from any test as the `cast` fixture (registered in the
repository's conftest.py), or call `make_cast()` inside a test that has database access:

    def test_dispatcher_sees_both_branches(cast):
        assert restrict(Order.objects, cast.dispatcher, "order.view").count() == ...
"""

from dataclasses import dataclass, field
from functools import cache

import pytest
from django.contrib.auth.hashers import make_password

from yekuo.accounts.codes import DEPARTMENTS
from yekuo.accounts.models import Branch, Company, Department, ServiceArea, User
from yekuo.accounts.services import user_create

__all__ = ["CAST_PASSWORD", "Cast", "cast", "make_cast"]

CAST_PASSWORD = "cast-password-2026"
BRANCH_ROLES = ("acceptance_clerk", "customer_manager", "project_manager", "branch_manager")
COMPANY_ROLES = ("dispatcher", "department_manager", "administrator", "auditor", "integration")
_NAMES = {"acceptance_clerk": "clerk"}  # the attribute name of a role, where shorter than its code
# Usernames that differ from the attribute name: the demo's account of the same name may share a test database.
_USERNAMES = {"integration": "cast_integration"}


@cache
def _password_hash() -> str:
    return make_password(CAST_PASSWORD)  # once per process: hashing is slow on purpose


@dataclass
class Cast:
    company: Company
    east: Branch
    west: Branch
    other_company: Company
    other_branch: Branch
    departments: dict[str, Department]
    east_area: ServiceArea
    west_area: ServiceArea
    users: dict[str, User] = field(default_factory=dict)
    password: str = CAST_PASSWORD

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str, branch: Branch | None = None) -> User:
        """The cast member with this role (for a branch role, in `branch`, default `east`)."""
        name = _NAMES.get(role, role)
        if role in BRANCH_ROLES and branch is not None and branch.code == "west":
            name = f"west_{name}"
        return self.users[name]


def make_cast() -> Cast:
    """Create the cast in the current test database and return it."""
    company = Company.objects.create(code="cast", name="测试供电公司")
    other_company = Company.objects.create(code="other", name="其他供电公司")
    east = Branch.objects.create(company=company, code="east", name="东区供电分公司")
    west = Branch.objects.create(company=company, code="west", name="西区供电分公司")
    other_branch = Branch.objects.create(company=other_company, code="north", name="北区供电分公司")
    departments = {
        code: Department.objects.create(company=company, code=code, name=name) for code, name in DEPARTMENTS.items()
    }
    Department.objects.create(company=other_company, code="marketing_service", name="营销服务部")
    cast = Cast(
        company=company,
        east=east,
        west=west,
        other_company=other_company,
        other_branch=other_branch,
        departments=departments,
        east_area=ServiceArea.objects.create(branch=east, code="east", name="东区营业区", keywords=["东区"]),
        west_area=ServiceArea.objects.create(branch=west, code="west", name="西区营业区", keywords=["西区"]),
    )
    ServiceArea.objects.create(branch=other_branch, code="north", name="北区营业区", keywords=["北区"])

    def add(name: str, roles=(), **kwargs) -> None:
        cast.users[name] = user_create(
            username=_USERNAMES.get(name, name), full_name=name, password_hash=_password_hash(), roles=roles, **kwargs
        )

    for role in BRANCH_ROLES:
        name = _NAMES.get(role, role)
        add(name, [role], company=company, branch=east)
        add(f"west_{name}", [role], company=company, branch=west)
    for role in COMPANY_ROLES:
        add(role, [role], company=company)
    add("nobody", company=company)
    add("inactive", ["acceptance_clerk"], company=company, branch=east, is_active=False)
    add("outsider", ["department_manager"], company=other_company)
    add("superuser", company=None, is_superuser=True, is_staff=True)
    return cast


@pytest.fixture
def cast(db) -> Cast:
    """The fixed test cast (see the module docstring)."""
    return make_cast()
