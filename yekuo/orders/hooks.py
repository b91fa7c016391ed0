"""What other apps do once a new order is committed (R5: the reserve library proposes its project).

The orders app does not know who cares about a new order; an app registers a function (`register`) in its
`AppConfig.ready`, and `services.order_create` calls `created(order)` after the order's rows are written.
Each function runs on commit (`transaction.on_commit`, robust: its failure is logged and never undoes or
fails the order), so it costs the order's own write nothing and sees the committed order. A repeated
creation (the same idempotency key) and a what-if order on replay's scratch database run none.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

_CREATED: list[Callable] = []


def register(function: Callable) -> Callable:
    """Add `function(order)`, run on commit of each new order; idempotent, usable as a decorator."""
    if function not in _CREATED:
        _CREATED.append(function)
    return function


def created(order) -> None:
    for function in _CREATED:
        transaction.on_commit(lambda f=function: f(order), robust=True)
