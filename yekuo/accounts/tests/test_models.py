"""Roles seeded by migration, user placement rules, the role cache."""

import pytest
from django.core.exceptions import ValidationError

from yekuo.accounts.codes import ROLES
from yekuo.accounts.models import Role, ServiceArea, User
from yekuo.accounts.services import user_create, user_place, user_set_roles
from yekuo.common.errors import InvalidInput


def test_migration_seeds_every_role_with_its_chinese_name(db):
    assert dict(Role.objects.values_list("code", "name")) == ROLES


def test_scope(cast):
    assert cast.clerk.scope == "branch"
    assert cast.dispatcher.scope == "company"
    assert cast.superuser.scope == ""


def test_branch_and_department_must_belong_to_the_company(cast):
    with pytest.raises(InvalidInput, match="not a branch of"):
        user_place(cast.outsider, company=cast.other_company, branch=cast.east)
    with pytest.raises(InvalidInput, match="not a department of"):
        user_place(cast.outsider, company=cast.other_company, department=cast.departments["marketing_service"])
    with pytest.raises(InvalidInput, match="only a superuser"):
        user_place(cast.nobody, company=None)
    user = cast.outsider
    user.branch = cast.east
    with pytest.raises(ValidationError):
        user.full_clean()


def test_unknown_roles_and_duplicate_users_are_refused(cast):
    with pytest.raises(InvalidInput, match="unknown role"):
        user_set_roles(cast.clerk, ["clerk"])
    with pytest.raises(InvalidInput, match="already exists"):
        user_create(username="clerk", company=cast.company)


def test_role_cache_follows_changes(cast):
    user = cast.nobody
    assert user.role_codes == frozenset()
    user_set_roles(user, ["auditor"])
    assert user.role_codes == {"auditor"}
    user.roles.clear()
    assert user.role_codes == frozenset()
    Role.objects.get(code="dispatcher").users.add(user)  # from the role side: reload to see it
    user.refresh_from_db()
    assert user.role_codes == {"dispatcher"}
    assert User.objects.get(pk=user.pk).role_codes == {"dispatcher"}


def test_keywords_must_be_a_list_of_strings(cast):
    area = ServiceArea(branch=cast.east, code="x", name="x", keywords="东区")
    with pytest.raises(ValidationError):
        area.full_clean()
    area.keywords = ["东区", ""]
    with pytest.raises(ValidationError):
        area.full_clean()
    area.keywords = ["东区"]
    area.full_clean()
