"""办电进度查询: a customer sees their own application, and only theirs (R15), without an account.

The number and the phone number on file must both match (`orders.selectors.customer_order`); failed lookups
are counted per client so that numbers cannot be guessed (ten in ten minutes). The page shows what a customer
needs (status, nodes, promised dates, suspensions, time used) and none of the staff's data (names, events,
evidence, ID number).
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yekuo.common.throttle import FailureLimit, client_address
from yekuo.orders.models import OrderStatus
from yekuo.orders.selectors import customer_order, mask, time_split
from yekuo.web import labels
from yekuo.web.forms import ProgressForm
from yekuo.web.presenters import node_rows, timeline

LOOKUPS = FailureLimit("progress", limit=10, seconds=600)


def progress_context(order) -> dict:
    rows = timeline(order)
    return {
        "order": order,
        "customer": mask(order.customer_name, 1, 1),
        "status": dict(OrderStatus.choices).get(order.status, order.status),
        "category": labels.category(order.category),
        "channel": labels.channel(order.channel),
        "clocks": [row for row in rows if row.kind == "clock"],
        "suspensions": [row for row in rows if row.kind == "suspension"],
        "nodes": node_rows(order),
        "time": time_split(order),
    }


@never_cache  # personal data: no browser or proxy keeps a copy
def progress(request):
    form = ProgressForm(request.POST or None)
    context, status = {"form": form}, 200
    if request.method == "POST" and form.is_valid():
        client = client_address(request)
        # Counted before the lookup, given back when it finds the order: simultaneous guesses cannot slip past.
        if not LOOKUPS.attempt(client):
            message = _("查询失败次数过多，请 %(minutes)s 分钟后再试，或携带身份证件到营业厅查询。")
            form.add_error(None, message % {"minutes": LOOKUPS.minutes})
            status = 429
        else:
            order = customer_order(form.cleaned_data["number"], form.cleaned_data["phone"])
            if order is None:
                form.add_error(None, _("没有找到与该手机号码相符的工单，请核对工单编号和办电时登记的手机号码。"))
            else:
                LOOKUPS.succeeded(client)
                context.update(progress_context(order))
    return render(request, "web/progress.html", context, status=status)
