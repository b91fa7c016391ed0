"""Messages to the construction-approval platform (工程建设项目审批平台) about an order's works: the filing
of low-risk works and the submission of an approval (notice §2 ¶1), sent through the outbox
(`yekuo.outbox.services.enqueue`, in the caller's transaction; delivered after commit, retried).

Where the outbox app is not installed the message is not sent and the filing or submission is recorded
without a message id (the page then says that the platform was not told).
"""

from __future__ import annotations

from django.apps import apps

DESTINATION = "approval_platform"


def send(kind: str, payload: dict, *, key: str, order) -> str:
    """Queue one message to the platform; return its id ('' when there is no outbox)."""
    if not apps.is_installed("yekuo.outbox"):
        return ""
    from yekuo.outbox.services import enqueue

    message = enqueue(destination=DESTINATION, kind=kind, payload=payload, key=key, order=order)
    return str(getattr(message, "id", "") or "")


def send_about(kind: str, order, decision, **fields) -> str:
    """Queue `kind` about the order's works, with what every platform message says (the order, the customer,
    the site, the facts and the rule set they were judged under) and `fields`; key order:NUMBER:KIND."""
    payload = {
        "order": order.number,
        "customer_name": order.customer_name,
        "site_address": order.site_address,
        "facts": decision.facts,
        "rule_set": decision.rule_set,
        **fields,
    }
    return send(kind, payload, key=f"order:{order.number}:{kind}", order=order)
