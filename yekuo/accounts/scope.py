"""Scope (REQUIREMENTS R15): "nobody sees or changes an order outside their scope".

`restrict(queryset, user, action)` is the one place where scope is applied: pages, API, exports and
services all read through it (NetBox's `RestrictedQuerySet.restrict`, as a function). A model takes part
by declaring, as class attributes:

- `scope_branch_field`: the lookup path from the model to its `Branch` ("branch", "order__branch", or
  "" when the model *is* `Branch`); `None` when its rows do not belong to a branch.
- `scope_company_field` (optional): the lookup path to its `Company` ("company", "order__company", "pk"
  for `Company`). When declared it is used for company-scope users, so rows not yet given a branch (a
  platform order in the dispatch queue, R3) are seen by the company's dispatcher. Rows with no branch
  field at all (departments) are visible to everyone in the company.

Rules, in order: an inactive or anonymous user sees nothing; a user without `action` sees nothing;
a superuser sees everything; a user of no company sees nothing; a company-scope user (no branch) sees
the rows of their company; a branch-scope user sees the rows of their branch.

Reading one object for a service: `restrict(Order.objects, user, "order.cancel").get(pk=pk)` — an
object out of scope is then simply not found, which does not reveal that it exists.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from yekuo.accounts.permissions import can, check_action, is_working


def scope_lookups(model: type[Model]) -> tuple[str | None, str]:
    """(branch lookup, company lookup) for a model, from its declarations."""
    if not hasattr(model, "scope_branch_field") and not hasattr(model, "scope_company_field"):
        raise ImproperlyConfigured(
            f"{model.__name__} declares neither scope_branch_field nor scope_company_field, so it "
            "cannot be restricted (see yekuo.accounts.scope)"
        )
    branch_field = getattr(model, "scope_branch_field", None)
    company_field = getattr(model, "scope_company_field", None)
    branch_lookup = None if branch_field is None else (branch_field or "pk")
    if company_field is None:
        if branch_field is None:
            raise ImproperlyConfigured(f"{model.__name__} has neither a branch nor a company field")
        company_field = f"{branch_field}__company" if branch_field else "company"
    return branch_lookup, company_field


def restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    """The rows of `queryset` the user may take `action` on."""
    check_action(action)
    if not is_working(user) or not can(user, action):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.company_id:
        return queryset.none()
    branch_lookup, company_lookup = scope_lookups(queryset.model)
    if user.branch_id and branch_lookup is not None:
        return queryset.filter(**{branch_lookup: user.branch_id})
    return queryset.filter(**{company_lookup: user.company_id})


def in_scope(user, branch, *, company=None) -> bool:
    """Is this branch (or, for a row without a branch yet, this company) in the user's scope?

    The single-object form of `restrict()`, for objects already in hand and for checking a target
    (e.g. the branch an order is being dispatched to). Pass `company` when `branch` is None.
    """
    if not is_working(user):
        return False
    if user.is_superuser:
        return True
    if not user.company_id:
        return False
    if branch is None:
        company_id = getattr(company, "pk", company)
        return company_id is not None and not user.branch_id and company_id == user.company_id
    if user.branch_id:
        return branch.pk == user.branch_id
    return branch.company_id == user.company_id
