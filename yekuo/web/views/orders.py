"""The order list with its filters and Excel export, and the counter-order form (营业厅受理)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yekuo.accounts.permissions import can
from yekuo.common.errors import Forbidden, YekuoError
from yekuo.common.memo import remembering
from yekuo.exports.services import start_export
from yekuo.orders import services
from yekuo.orders.selectors import (
    filter_orders,
    first_due,
    mask,
    orders_for,
    pages_of,
    sort_orders,
    with_current_work,
    with_risk,
)
from yekuo.orders.services import table_for
from yekuo.partners import web as partners
from yekuo.web import labels
from yekuo.web.export import export_response
from yekuo.web.forms import CounterOrderForm, OrderFilterForm
from yekuo.web.presenters import clock_row, spec_of
from yekuo.web.views.common import add_service_error, require_action
from yekuo.web.waiting import open_suspensions

PAGE_SIZE = 20


def _rows(orders):
    """Each order with what falls due first (its live clock measured now by the engine), for control at a glance."""
    when = timezone.now()
    orders = list(orders)
    suspended = open_suspensions({o.pk for o in orders if o.status == "suspended"}, when)
    rows = []
    for order in orders:
        spec = spec_of(order)
        clock = first_due(order.live_clocks)
        rows.append({
            "order": order,
            "category": labels.category(order.category),
            "channel": labels.channel(order.channel),
            "nodes": [labels.node(n.code, spec) for n in order.active_nodes],
            "id_number": mask(order.customer_id_number),
            "phone": mask(order.customer_phone),
            "due": clock_row(clock, spec, when, table_for(order)) if clock else None,
            "suspended": suspended.get(order.pk),
        })  # fmt: skip
    return rows


@login_required
@require_GET
@remembering()  # the rows' regulation and calendar revision are read once per request, not per row
def order_list(request):
    require_action(request.user, "order.view")
    form = OrderFilterForm(request.GET or None, user=request.user)
    params = form.params()
    orders = with_risk(with_current_work(filter_orders(orders_for(request.user), params)))
    orders = pages_of(sort_orders(orders, params.get("sort", "")), params)  # the page found by its keys (P4)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list),
        "query": query.urlencode(),
        "can_export": can(request.user, "order.export"),
    }
    template = "web/_order_results.html" if request.htmx and request.htmx.target == "order-results" else None
    return render(request, template or "web/order_list.html", context)


@login_required
@require_GET
@remembering()  # the rows' regulation and calendar revision are read once per request, not per row
def order_export(request):
    require_action(request.user, "order.export")
    params = OrderFilterForm(request.GET or None, user=request.user).params()
    orders = sort_orders(filter_orders(orders_for(request.user, "order.export"), params), params.get("sort", ""))
    total = orders.count()
    if total > settings.YEKUO_EXPORT_INLINE_ROWS:  # too long for one request: the worker writes it (P4)
        job = start_export(request.user, request.GET.urlencode(), total)
        return redirect("export_job", pk=job.pk)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(orders, f"yekuo-orders-{stamp}.xlsx")


@login_required
def order_create(request):
    require_action(request.user, "order.create")
    lookup = "lookup" in request.POST  # 查询电子证照: show what the service returned, create nothing yet
    if lookup:  # the form as entered so far, without the errors of fields not yet filled in
        form = CounterOrderForm(initial=request.POST.dict(), user=request.user)
    else:
        form = CounterOrderForm(request.POST or None, user=request.user)
    # R2: the services are asked before the order's transaction (a slow one holds no lock); the answers are
    # stored with the order, or wait for the worker when a service is down (partners.services).
    asked = partners.ask_for_form(form, request.POST) if request.method == "POST" else {}
    if lookup:
        return render(request, "web/order_create.html", {"form": form, "asked": asked})
    if request.method == "POST" and form.is_valid():
        data = form.order_data()
        try:
            with transaction.atomic(durable=True):
                data = partners.order_data(data, form.cleaned_data)
                data["channel"] = data.get("channel") or "counter"  # R1: counter, or 帮您办 (assisted)
                order = services.order_create(actor=request.user, **data)
                partners.record_for_order(order, asked, actor=request.user)
        except Forbidden:
            # The role may create orders (checked above), so the refusal is the scope of the address's branch.
            form.add_error("site_address", _("用电地址所属的分公司不在您的受理范围内，请核对用电地址或选择营业区"))
        except YekuoError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已受理工单 %(number)s") % {"number": order.number})
            return redirect("order_detail", number=order.number)
    return render(request, "web/order_create.html", {"form": form, "asked": asked}, status=400 if form.errors else 200)
