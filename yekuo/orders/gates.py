"""Checks that other apps put before a node is completed by a person (R6, R7: no construction while the
route consultation, the filing or the approval is open).

The orders app does not know what blocks a node; an app registers a check (`register`) in its
`AppConfig.ready`, and `services.node_complete` runs every check before it records the event. A check
raises a YekuoError (e.g. code `gate_closed`) saying what is open. Events relayed by the control layer
(`orders.ingest`) are not gated: there the other system of record has already done the work.
"""

from __future__ import annotations

from collections.abc import Callable

_CHECKS: list[Callable] = []


def register(check: Callable) -> Callable:
    """Add `check(order, node)`; idempotent, usable as a decorator."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def check_completion(order, node: str) -> None:
    """Run every registered check before `node` of `order` is completed."""
    if not _CHECKS:
        return
    from yekuo.orders.models import WorkOrder

    if not isinstance(order, WorkOrder):
        order = WorkOrder.objects.get(pk=order)
    for check in _CHECKS:
        check(order, node)


# ------------------------------------------------------------------------------------------ receipt
# Checks before a person records `order.received` (the branch receives the order): e.g. R3, an order that waits
# in the customer service center's dispatch queue reaches its branch by dispatch only (yekuo/intake).
_RECEIPT_CHECKS: list[Callable] = []


def register_receipt(check: Callable) -> Callable:
    """Add `check(order)`, run before a person records order.received; idempotent, usable as a decorator."""
    if check not in _RECEIPT_CHECKS:
        _RECEIPT_CHECKS.append(check)
    return check


def check_receipt(order) -> None:
    for check in _RECEIPT_CHECKS:
        check(order)


# ------------------------------------------------------------------------------------------ locked fields
# Fields of an order whose value came from an outside service and that staff may not change (R2: what the
# e-licence service returned is never retyped): `lock(order)` returns {field: why}; the edit form shows them
# read-only and `services.order_edit` refuses a change to them.
_LOCKS: list[Callable] = []


def register_lock(lock: Callable) -> Callable:
    if lock not in _LOCKS:
        _LOCKS.append(lock)
    return lock


def locked_fields(order) -> dict[str, str]:
    found: dict[str, str] = {}
    for lock in _LOCKS:
        found.update(lock(order))
    return found
