"""The order detail: header, timeline of nodes and clocks, suspensions, history, and the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from yekuo.common import uploads
from yekuo.common.errors import YekuoError
from yekuo.orders.models import OrderStatus, Suspension
from yekuo.orders.selectors import ORDER_NUMBER, mask, orders_for, time_split
from yekuo.web import labels, order_actions
from yekuo.web.presenters import gantt, node_rows, spec_of, timeline
from yekuo.web.views.common import add_service_error, require_action


def _order(user, number: str, action: str = "order.view"):
    """The order if it is in the user's scope for `action` (else 404: its existence is not revealed)."""
    if not ORDER_NUMBER.fullmatch(number):
        raise Http404("no such order")
    return get_object_or_404(orders_for(user, action).select_related("branch__company"), number=number)


def _context(request, order, failed=None) -> dict:
    spec = spec_of(order)
    events = order.events.select_related("actor").order_by("seq")
    rows = timeline(order)
    chart = gantt(rows)
    return {
        "order": order,
        "category": labels.category(order.category),
        "channel": labels.channel(order.channel),
        "status": dict(OrderStatus.choices).get(order.status, order.status),
        "id_number": mask(order.customer_id_number),
        "phone": mask(order.customer_phone),
        "regulation": order.regulation_code,
        "critical_path": spec.critical_path.display(),
        "timeline": rows,
        "gantt": chart,
        "gantt_height": 74 + 44 * len(chart["lanes"]),
        "time": time_split(order),
        "nodes": node_rows(order),
        "events": [{"event": e, "label": labels.event(e.type), "node": _event_node(e, spec)} for e in events],
        "actions": order_actions.offered(request.user, order, failed),
    }


def _event_node(event, spec) -> str:
    code = event.payload.get("node")
    return labels.node(code, spec) if code else ""


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
            add_service_error(form, error)
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
