"""Personal data on an order: masked everywhere, revealed to the staff who work the order, and every
reveal recorded for the auditors (REQUIREMENTS O9; OWASP ASVS 8.3: access to sensitive data is logged).

Lists, exports and the API show the customer's phone and ID number masked (`selectors.mask`). On the
order page, a user who may reveal them sees the full value with one click, and that click writes a
`PersonalDataReveal` row (who, when, which order, which field). Who may: the order must be in the user's
scope, and the user either is assigned to one of its nodes, or holds a role granted
`personal_data.reveal` (permissions.ROLE_ACTIONS) with the order in that action's scope.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yekuo.accounts.permissions import can, is_working
from yekuo.accounts.scope import restrict
from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders.models import NodeInstance, PersonalDataReveal, WorkOrder

FIELDS = tuple(PersonalDataReveal.Field.values)  # customer_phone, customer_id_number


def may_reveal(user, order: WorkOrder) -> bool:
    """May the user see the order's personal data in full? (Its scope for viewing is checked too.)"""
    if not is_working(user) or not restrict(WorkOrder.objects.filter(pk=order.pk), user, "order.view").exists():
        return False
    if can(user, "personal_data.reveal"):
        return restrict(WorkOrder.objects.filter(pk=order.pk), user, "personal_data.reveal").exists()
    return NodeInstance.objects.filter(order_id=order.pk, assignee_id=user.pk).exists()


@transaction.atomic
def reveal_personal_data(order: WorkOrder, *, actor, field: str) -> str:
    """The field's full value, recorded as seen by `actor` now; Forbidden when they may not see it."""
    if field not in FIELDS:
        raise InvalidInput(f"{field!r} is not personal data; use one of: {', '.join(FIELDS)}", field="field")
    if not may_reveal(actor, order):
        raise Forbidden(f"{getattr(actor, 'username', 'anonymous')} may not see the personal data of {order.number}")
    PersonalDataReveal.objects.create(order=order, user=actor, field=field, revealed_at=timezone.now())
    return getattr(order, field)


@transaction.atomic
def reveal_all(order: WorkOrder, *, actor) -> bool:
    """Record a reveal of every personal field the order holds, when the actor may see them (the API's
    detail); False, with nothing recorded, when they may not."""
    if not may_reveal(actor, order):
        return False
    now = timezone.now()
    PersonalDataReveal.objects.bulk_create(
        PersonalDataReveal(order=order, user=actor, field=field, revealed_at=now)
        for field in FIELDS
        if getattr(order, field)
    )
    return True
