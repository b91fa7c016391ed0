"""Reads of the dispatch queue (R3): what waits, for how long, and the queue's record of decisions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
    rows = rows.select_related("platform", "order__branch", "order__service_area", "proposed_branch")
    return rows.prefetch_related("files", "verifications").order_by(
        "received_at" if state == ApplicationState.QUEUED else "-decided_at"
    )


# The document kinds the platforms and the customer's pages send (R1, R3; customers.models.DocumentKind), named for
# the page; any other kind is shown as the platform sent it.
DOCUMENT_KINDS = {
    "id_card": _("身份证明"), "property": _("用电地址产权证明"), "licence": _("营业执照或其他主体资格证明"),
    "site_plan": _("用电地址平面图"), "other": _("其他资料"),
}  # fmt: skip


def document_kind(kind: str) -> str:
    name = DOCUMENT_KINDS.get(kind)
    return gettext(name) if name else kind


def documents_of(application: Application) -> list[dict]:
    """The application's documents as the platform named them, with yekuo's copy: its state and, once kept,
    the address of the checked view that serves it (R3). An application from before documents were fetched
    has its platform's list only."""
    from django.urls import reverse

    files = list(application.files.all())
    if not files:
        return [{**d, "kind_label": document_kind(d.get("kind", "")), "state": None, "file": None}
                for d in application.documents]  # fmt: skip
    return [
        {"kind": f.kind, "kind_label": document_kind(f.kind), "name": f.name, "url": f.url, "sha256": f.sha256,
         "state": f.state,
         "state_label": f.get_state_display(), "error": f.last_error if f.state != "stored" else "",
         "file": reverse("intake_document", args=[f.pk]) if f.state == "stored" else None,
         "size": f.size, "fetched_at": timezone.localtime(f.fetched_at).isoformat() if f.fetched_at else None}
        for f in files
    ]  # fmt: skip


def verifications_of(application: Application) -> list[dict]:
    """R2: what the e-licence and identity services returned about the application, with source and time (or
    that it waits for them)."""
    from yekuo.partners.selectors import shown_fields

    return [
        {"kind": v.kind, "kind_label": v.get_kind_display(), "subject": v.subject, "state": v.state,
         "state_label": v.get_state_display(), "data": v.data, "source": v.source,
         "fetched_at": timezone.localtime(v.fetched_at).isoformat() if v.fetched_at else None,
         "fields": shown_fields(v.kind, v.data), "fetched": v.fetched_at}
        for v in application.verifications.all()
    ]  # fmt: skip


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


SHOWN_ONLY = ("kind_label", "state_label", "fields", "fetched")  # the page's, not the API's


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
        "documents": [{k: v for k, v in d.items() if k not in SHOWN_ONLY} for d in documents_of(application)],
        "verifications": [{k: v for k, v in r.items() if k not in SHOWN_ONLY} for r in verifications_of(application)],
        "reason": application.reason,
    }


def receipt_check(order) -> None:
    """R3 (notice §1 ¶2, 审核派单): an order waiting in the customer service center's dispatch queue reaches its
    branch by dispatch only; the branch it is proposed to may see it but not receive it (pages or API). The
    dispatch service marks the application dispatched before it records the receipt (`application_dispatch`)."""
    if waits_for_dispatch(order):
        from yekuo.common.errors import Conflict

        raise Conflict(
            f"order {order.number} waits in the customer service center's dispatch queue; "
            "it reaches a branch when it is dispatched",
            code="awaiting_dispatch",
        )
