"""我的待办: the active nodes the user works, nearest deadline first (R9); the nodes whose clock does not run
(paused, or not started) follow in their own group, each saying what it awaits (O5)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from yekuo.common.memo import remembering
from yekuo.monitoring.models import BreachRisk
from yekuo.orders.models import NodeInstance
from yekuo.orders.selectors import my_work
from yekuo.web.presenters import spec_of, work_rows
from yekuo.web.views.common import require_action
from yekuo.web.waiting import awaited, open_suspensions

PAGE_SIZE = 50


@login_required
@remembering()  # the rows' regulation and calendar revision are read once per request, not per row
def my_work_page(request):
    require_action(request.user, "order.view")
    sort = "risk" if request.GET.get("sort") == "risk" else "deadline"  # O12: or the highest breach risk first
    # The whole list's keys in its order, in one query: its length is the count and the page is a slice of it.
    # Paginating the queryset would join and sort the user's nodes twice, once to count them and once for the
    # page (P4: 7,000 nodes of one clerk at 1,000,000 orders). The page's nodes are then read by their keys.
    keys = list(my_work(request.user, sort).values_list("pk", flat=True))
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    nodes = NodeInstance.objects.select_related("order__branch__company").in_bulk(page.object_list)
    # O12: each row shows the breach risk of its node's clock, read for the page's orders only.
    risks = BreachRisk.objects.filter(order_id__in={node.order_id for node in nodes.values()})
    risk_of = {(order, clock): p for order, clock, p in risks.values_list("order_id", "clock", "probability")}
    for node in nodes.values():
        node.risk = risk_of.get((node.order_id, node.clock_code))
    rows = work_rows([nodes[pk] for pk in page.object_list if pk in nodes])
    suspended = open_suspensions({row["order"].pk for row in rows if row["order"].status == "suspended"})
    due, waiting = [], []
    for row in rows:
        row["suspended"] = suspended.get(row["order"].pk)
        clock = row["clock"]
        if clock is not None and clock.view.state == "running":
            due.append(row)
        else:
            clock_model = clock.clock if clock else row["node"].order.clocks.filter(code=row["node"].clock_code).first()
            row["awaiting"] = awaited(row["node"], clock_model, spec_of(row["order"]), row["suspended"])
            waiting.append(row)
    context = {"page": page, "rows": rows, "due": due, "waiting": waiting, "sort": sort, "query": f"sort={sort}"}
    return render(request, "web/my_work.html", context)
