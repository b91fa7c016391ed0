"""The order detail: header, timeline of nodes and clocks, suspensions, history, and the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from yekuo.common import uploads
from yekuo.common.errors import Forbidden, YekuoError
from yekuo.customers.contract import signature_of as contract_signature
from yekuo.orders import personal_data
from yekuo.orders.models import OrderStatus, Suspension
from yekuo.orders.personal_data import may_reveal
from yekuo.orders.selectors import ORDER_NUMBER, mask, orders_for, time_split
from yekuo.partners.selectors import partner_context
from yekuo.web import labels, order_actions
from yekuo.web.event_log import completed_by, event_rows
from yekuo.web.presenters import gantt, node_rows, spec_of, timeline
from yekuo.web.views.common import add_service_error, require_action


def _order(user, number: str, action: str = "order.view"):
    """The order if it is in the user's scope for `action` (else 404: its existence is not revealed)."""
    if not ORDER_NUMBER.fullmatch(number):
        raise Http404("no such order")
    return get_object_or_404(orders_for(user, action).select_related("branch__company"), number=number)


SHOWN_ORDER = ["customer_id_number", "customer_phone"]  # as the label 证件/电话 and the order list say them


def personal_rows(user, order, revealed: dict | None = None) -> list[dict]:
    """The customer's phone and ID number as the pages show them (`web/_personal_value.html`): masked, unless
    just revealed, with the one-click reveal for those who may (O9)."""
    allowed = may_reveal(user, order)
    rows = []
    for field in sorted(personal_data.FIELDS, key=SHOWN_ORDER.index):
        value = getattr(order, field)
        shown = (revealed or {}).get(field)
        rows.append({"field": field, "masked": mask(value), "value": shown, "can_reveal": allowed and bool(value),
                     "tel": field == "customer_phone"})  # fmt: skip
    return rows


def _context(request, order, failed=None, revealed=None) -> dict:
    spec = spec_of(order)
    events = list(order.events.select_related("actor").order_by("seq"))
    rows = timeline(order)
    chart = gantt(rows)
    return {
        "order": order,
        "category": labels.category(order.category),
        "channel": labels.channel(order.channel),
        "status": dict(OrderStatus.choices).get(order.status, order.status),
        "personal": personal_rows(request.user, order, revealed),
        "regulation": order.regulation_code,
        "critical_path": spec.critical_path.display(),
        "timeline": rows,
        "gantt": chart,
        "gantt_height": 74 + 44 * len(chart["lanes"]),
        "time": time_split(order),
        "nodes": node_rows(order, completed_by(events)),
        "events": event_rows(events, spec),
        "actions": order_actions.offered(request.user, order, failed),
        "partners": partner_context(order),  # R2 verifications, R4 joint application
        "contract": contract_signature(order),  # R1: the supply contract signed online by the customer
    }


@login_required
def order_detail(request, number: str):
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    return render(request, "web/order_detail.html", _context(request, order))


@login_required
@require_POST
def order_action(request, number: str, key: str):
    """One POST per action; success redirects to the detail with a message, a refusal shows the form
    again with the service's error (as a fragment for htmx, as the whole page without JavaScript)."""
    require_action(request.user, "order.view")
    if key not in order_actions.ACTIONS:
        raise Http404(key)
    require_action(request.user, order_actions.ACTIONS[key].permission)
    order = _order(request.user, number)
    form = order_actions.make_form(key, request.user, order, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = order_actions.run(key, form, request.user, order)
        except YekuoError as error:
            add_service_error(form, error, spec_of(order))
        else:
            messages.success(request, message)
            if request.htmx:
                return HttpResponseClientRedirect(order_url(order))
            return redirect(order_url(order))
    if request.htmx:
        action = order_actions.ACTIONS[key]
        return render(request, "web/_action_form.html", {"order": order, "action": action, "form": form})
    order.refresh_from_db()
    return render(request, "web/order_detail.html", _context(request, order, (key, form)), status=400)


@login_required
@require_POST
def reveal(request, number: str, field: str):
    """One click shows one field in full and records who saw it (O9): the value as a fragment for
    htmx, the order page with it shown without JavaScript. Refused (403) outside the user's reveal scope."""
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    if field not in personal_data.FIELDS:
        raise Http404(field)
    try:
        value = personal_data.reveal_personal_data(order, actor=request.user, field=field)
    except Forbidden as error:
        raise PermissionDenied(error.message) from None
    if request.htmx:
        row = next(p for p in personal_rows(request.user, order, {field: value}) if p["field"] == field)
        return render(request, "web/_personal_value.html", {"order": order, "p": row})
    return render(request, "web/order_detail.html", _context(request, order, revealed={field: value}))


def order_url(order) -> str:
    return reverse("order_detail", kwargs={"number": order.number})


@login_required
def suspension_evidence(request, number: str, position: int):
    """The evidence file of a suspension, only to users who may see the order."""
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    suspension = get_object_or_404(Suspension, order=order, position=position)
    if not suspension.evidence_file:
        raise Http404("no evidence file")
    return uploads.file_response(suspension.evidence_file)
