"""Every write to a work order (REQUIREMENTS R8, R14–R16).

- `actions`: the public actions (order_create, node_complete, order_suspend, …);
- `write`: the one write path they share (fold the log, check each step, store the event and rows);
- `edit`: correct an order's data under the rules of a new order (O8);
- `recompute`: refold an order after a calendar change, and compare stored rows with the log.

The public names are importable from here: `from yekuo.orders.services import node_complete`.
"""

from yekuo.orders.services.actions import (
    approval_decide,
    customer_event,
    node_complete,
    order_assign,
    order_cancel,
    order_create,
    order_receive,
    order_reopen,
    order_resume,
    order_suspend,
)
from yekuo.orders.services.edit import EDITABLE, order_edit
from yekuo.orders.services.recompute import order_recompute, snapshot_of, stored_state
from yekuo.orders.services.write import (
    CLOCK_FIELDS,
    NODE_OVERRIDE_ROLES,
    Step,
    apply_event,
    apply_events,
    fold,
    fold_context,
    table_for,
    threshold,
    write_projection,
)

__all__ = [
    "CLOCK_FIELDS",
    "EDITABLE",
    "NODE_OVERRIDE_ROLES",
    "Step",
    "apply_event",
    "apply_events",
    "approval_decide",
    "customer_event",
    "fold",
    "fold_context",
    "node_complete",
    "order_assign",
    "order_cancel",
    "order_create",
    "order_edit",
    "order_receive",
    "order_recompute",
    "order_reopen",
    "order_resume",
    "order_suspend",
    "snapshot_of",
    "stored_state",
    "table_for",
    "threshold",
    "write_projection",
]
