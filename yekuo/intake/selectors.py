"""Reads of the dispatch queue (R3): what waits, for how long, and the queue's record of decisions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from yekuo.accounts.permissions import can
from yekuo.accounts.scope import restrict
from yekuo.intake.models import Application, ApplicationState


def waits_for_dispatch(order) -> bool:
    """Is the order a platform's application still in the dispatch queue (R3)? It is received by dispatch."""
    return Application.objects.filter(order_id=order.pk, state=ApplicationState.QUEUED).exists()


def works_queue(user) -> bool:
    """Does the user work the dispatch queue (R3)? Company-scope staff who may dispatch (the customer service
    center's dispatcher, managers of the company, administrators); a branch's staff get orders dispatched."""
    return can(user, "order.assign") and (user.is_superuser or (bool(user.company_id) and not user.branch_id))


def queue(user, state: str = ApplicationState.QUEUED) -> QuerySet[Application]:
    """The applications of the user's scope in `state` (default: waiting), oldest first."""
    rows = restrict(Application.objects.all(), user, "order.assign").filter(state=state)
    return rows.select_related("platform", "order__branch", "order__service_area", "proposed_branch").order_by(
        "received_at" if state == ApplicationState.QUEUED else "-decided_at"
    )


def waiting_seconds(application: Application, now=None) -> int:
    """Time in the queue: to the decision, or to now while it waits. No clock of the notice covers it
    (the acceptance clock starts at dispatch), so it is measured and shown only."""
    end = application.decided_at or now or timezone.now()
    return max(0, int((end - application.received_at).total_seconds()))


def waiting_text(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def queue_row(application: Application) -> dict:
    """An application as the queue API shows it."""
    order = application.order
    payload = application.payload
    return {
        "id": application.pk,
        "platform": application.platform.code,
        "application_id": application.external_id,
        "state": application.state,
        "route": application.route,
        "submitted_at": timezone.localtime(application.submitted_at).isoformat(),
        "received_at": timezone.localtime(application.received_at).isoformat(),
        "decided_at": timezone.localtime(application.decided_at).isoformat() if application.decided_at else None,
        "waiting_seconds": waiting_seconds(application),
        "order": order.number if order else None,
        "category": payload.get("category"),
        "customer_name": payload.get("customer", {}).get("name"),
        "site_address": payload.get("site", {}).get("address"),
        "capacity_kva": payload.get("capacity_kva"),
        "voltage": payload.get("voltage"),
        "project_name": payload.get("project_name", ""),
        "proposed_branch": application.proposed_branch.code if application.proposed_branch else None,
        "branch": order.branch.code if order else None,
        "documents": application.documents,
        "reason": application.reason,
    }
