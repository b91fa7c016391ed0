"""Who a node of an order may be assigned to (R15): an active user whose scope holds the order's branch.

Assigning a node to someone who cannot open the order would leave the work with nobody: the assignee
would see it in no list and could not act on it. Checked by the service, so that the pages and the API
refuse it alike.
"""

from __future__ import annotations

from yekuo.accounts.models import User
from yekuo.accounts.scope import in_scope
from yekuo.common.errors import YekuoError


class AssigneeOutOfScope(YekuoError):
    code = "assignee_out_of_scope"


def check_assignee(order, assignee) -> None:
    """Raise AssigneeOutOfScope unless `assignee` (a User or its pk) may open `order`."""
    user = assignee if isinstance(assignee, User) else User.objects.filter(pk=assignee).first()
    if user is None or not in_scope(user, order.branch):
        name = getattr(user, "username", assignee)
        raise AssigneeOutOfScope(
            f"{name} cannot open orders of {order.branch} (inactive, or outside their scope); "
            "assign the node to someone of that branch or of the whole company",
            field="assignee",
        )
