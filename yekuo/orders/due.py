"""What the order lists read of an order's clocks, kept on the order row (R9, P4).

The lists (the page, the API, 我的待办, the Excel export) filter and sort by whether a running clock is
past its deadline or its warning time. Asked of the clock rows, that is a correlated subquery per order,
which SQLite planned through the clocks' (state, deadline_at) index: every running clock scanned for every
order, 87 s for one page at 10,000 orders. So the order row carries the two instants it needs, as part of
its projection: written by every action in the same write as its clocks (`due_fields` of the folded
state), filled for existing orders by migration 0004, and checked by `orders verify` like every other
projected field. Overdue and warning are then comparisons with now, served by partial indexes that hold
only the orders with a running clock.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

from yekuo.orders.projection import OrderState

# The order row's fields written from `due_fields` (store.ORDER_FIELDS, services.snapshot_of).
DUE_FIELDS = ("due_at", "warn_at")


def due_fields(state: OrderState) -> dict[str, datetime | None]:
    """The soonest deadline and the soonest warning time among the order's running clocks; None when no
    clock runs (not received, suspended: its clocks are paused, closed). The state's running clocks must
    have their deadlines computed (`project`, and `project_pair` for the state after an action, do)."""
    running = [c for c in state.clocks.values() if c.state == "running"]
    return {
        "due_at": min((c.deadline_at for c in running if c.deadline_at is not None), default=None),
        "warn_at": min((c.warn_at for c in running if c.warn_at is not None), default=None),
    }


def overdue(when: datetime) -> Q:
    """A running clock is past its deadline."""
    return Q(due_at__lt=when)


def warning(when: datetime) -> Q:
    """A running clock is past its warning time and none past its deadline: an order is in one alarm state,
    the worse one (the list shows 超期 before 预警, as `clock_view` does for one clock).

    "Not overdue" is written as a negation so that it is a filter, not a second range a planner might read:
    SQLite, finding the two ranges alike, read every order whose deadline is still ahead (most running ones)
    instead of the few past their warning time. An order with a warning time has a deadline (both come from
    its running clocks), so the negation keeps no order without one. It is said all the same
    (`due_at IS NOT NULL`) for PostgreSQL, which cannot prove it from the negation, to know that the index of the
    orders with a running clock (`order_running_newest`) holds them all.

    PostgreSQL also gets the range itself (`due_at >= when`): it reads the negation as `due_at >= when OR due_at
    IS NULL`, which no index range serves, so the list by deadline walked the deadline index from its start,
    through every overdue order (190,000 at 1,000,000 orders, 0.9 s), to reach the first in warning. Its
    statistics tell it that the range holds most running orders and the warning time few."""
    condition = Q(warn_at__lte=when) & ~Q(due_at__lt=when) & Q(due_at__isnull=False)
    if connection.vendor == "postgresql":
        condition &= Q(due_at__gte=when)
    return condition


def alarmed(when: datetime) -> Q:
    """Overdue or in warning: the warning time comes first, so it is enough."""
    return Q(warn_at__lte=when)


def as_flag(condition: Q) -> ExpressionWrapper:
    """A condition as a boolean column (is_overdue, is_warning) of each row."""
    return ExpressionWrapper(condition, output_field=BooleanField())
