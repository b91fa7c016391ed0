"""我的待办: the active nodes the user works, soonest deadline first (R9)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from yekuo.common.memo import remembering
from yekuo.orders.selectors import my_work
from yekuo.web.presenters import work_rows
from yekuo.web.views.common import require_action

PAGE_SIZE = 50


@login_required
@remembering()  # the rows' regulation and calendar revision are read once per request, not per row
def my_work_page(request):
    require_action(request.user, "order.view")
    page = Paginator(my_work(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/my_work.html", {"page": page, "rows": work_rows(page.object_list)})
