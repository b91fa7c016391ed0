"""Writes about people: placing a user in the organisation and giving roles (REQUIREMENTS R15)."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from yekuo.accounts.codes import ROLES
from yekuo.accounts.models import Branch, Company, Department, Role, User
from yekuo.common.errors import InvalidInput


def user_place(
    user: User, *, company: Company | None, branch: Branch | None = None, department: Department | None = None
) -> User:
    """Set the user's company, scope (branch, or None for the whole company) and department."""
    if branch is not None and (company is None or branch.company_id != company.pk):
        raise InvalidInput(f"branch {branch} is not a branch of {company}", field="branch")
    if department is not None and (company is None or department.company_id != company.pk):
        raise InvalidInput(f"department {department} is not a department of {company}", field="department")
    if company is None and not user.is_superuser:
        raise InvalidInput("only a superuser may belong to no company", field="company")
    user.company, user.branch, user.department = company, branch, department
    user.save(update_fields=["company", "branch", "department"])
    return user


def user_set_roles(user: User, roles: list[str] | tuple[str, ...] | set[str]) -> User:
    """Give the user exactly these roles (codes of `codes.ROLES`)."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInput(f"unknown role(s) {', '.join(unknown)}; the roles are {', '.join(ROLES)}")
    user.roles.set(Role.objects.filter(code__in=roles))
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    company: Company | None,
    roles=(),
    branch: Branch | None = None,
    department: Department | None = None,
    full_name: str = "",
    phone: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
) -> User:
    """A new user, placed and given roles. `password_hash` (from `make_password`) lets callers that make
    many users hash once; with neither password nor hash the account cannot log in."""
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"user {username} already exists", field="username")
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=is_active,
        password=password_hash or make_password(password),
    )
    user.save()
    user_place(user, company=company, branch=branch, department=department)
    user_set_roles(user, roles)
    return user
