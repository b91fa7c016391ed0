"""Correct an order's data (REQUIREMENTS O8): the customer, the address and service area, the supply.

The same rules as a new order (`validation.validate_order`), so the page, the API and any other caller
are held to what the counter form is; the change is an `order.edited` event of the order's log, written
by the one write path in the same transaction as the order's new values. The event keeps what changed
(from → to), with the phone and ID number masked as every list shows them (O9): the log is read by
auditors and exported, the full numbers are revealed only on the order page.

Not editable here: the category and channel (they choose the regulation's workflow and clocks) and the
branch outside the service areas of the order's own branch (a transfer to another branch is a dispatch).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from yekuo.common.errors import InvalidInput
from yekuo.orders.gates import locked_fields
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.personal_data import FIELDS as PERSONAL_FIELDS
from yekuo.orders.selectors import mask
from yekuo.orders.services.write import _check_actor, _existing, apply_event
from yekuo.orders.validation import check_event_texts, validate_order

# What may be corrected, in the order the log lists it.
EDITABLE = (
    "customer_name",
    "customer_id_number",
    "customer_phone",
    "customer_notice",
    "site_address",
    "service_area",
    "capacity_kva",
    "voltage",
)


def _shown(field: str, value) -> str:
    """A value as the log keeps it: personal data masked, a service area by its code, numbers plainly."""
    if value is None:
        return ""
    if field in PERSONAL_FIELDS:
        return mask(str(value))
    if field == "service_area":
        return value.code
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def order_edit(order: WorkOrder | int, *, actor, changes: dict, note: str = "", **options) -> OrderEvent:
    """Apply `changes` (field → new value, fields of EDITABLE; `service_area` a ServiceArea of the order's
    branch) to the order: validated with the order's other values as a new order would be (every invalid
    field at once, `FieldErrors`), then recorded as `order.edited` with what changed. A new address
    without a service area is placed in one of the branch's areas by its keywords, as at creation.
    `note`: why (kept in the event). `options` as apply_event's (idempotency_key, source, occurred_at, reason).
    Refused when nothing changes, and on an energized or cancelled order (the fold, `projection`)."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    _check_actor(actor, "order.edit", WorkOrder.objects.select_related("branch").get(pk=pk))  # before any detail
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(_("不能修改的字段：%(fields)s") % {"fields": ", ".join(unknown)}, field=unknown[0])
    check_event_texts({"note": note})
    found = _existing(options.get("idempotency_key"))
    if found is not None:
        found.repeated = True  # recorded before: not again, and the order keeps what that request set
        return found
    with transaction.atomic():
        # Locked, so that two corrections at once each record what the other left (PostgreSQL; SQLite
        # writes one transaction at a time anyway).
        current = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("branch__company", "service_area")
            .get(pk=pk)
        )
        given = {field: getattr(current, field) for field in EDITABLE}
        if "site_address" in changes and "service_area" not in changes:
            given["service_area"] = None  # a new address is placed again, within the order's branch
        given.update(changes)
        values = validate_order(
            category=current.category,
            branch=current.branch,
            company=current.branch.company,
            **given,
        )
        new = {
            "customer_name": values.customer_name,
            "customer_id_number": values.customer_id_number,
            "customer_phone": values.customer_phone,
            "customer_notice": values.customer_notice,
            "site_address": values.site_address,
            "service_area": values.service_area,
            "capacity_kva": values.capacity_kva,
            "voltage": values.voltage,
        }
        changed = {
            field: {"from": _shown(field, getattr(current, field)), "to": _shown(field, value)}
            for field, value in new.items()
            if getattr(current, field) != value
        }
        if not changed:
            raise InvalidInput(_("没有需要修改的内容"), field=next(iter(changes), None))
        locked = locked_fields(current)  # R2: what a service returned is not changed by hand
        for field in changed:
            if field in locked:
                raise InvalidInput(locked[field], field=field)
        payload = {"changes": changed, **({"note": note.strip()} if note.strip() else {})}
        row = apply_event(current, "order.edited", actor=actor, payload=payload, **options)
        if not getattr(row, "repeated", False):
            WorkOrder.objects.filter(pk=pk).update(**{field: new[field] for field in changed})
    return row
