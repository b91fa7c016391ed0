"""The control dashboard (home page of the customer service center and the managers) and the day's
overdue-warning list (时限超期预警) with its Excel file (R9, R10, O12)."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from itertools import islice

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from yekuo.accounts.models import Branch
from yekuo.accounts.scope import restrict
from yekuo.common.xlsx import cell
from yekuo.monitoring import counts
from yekuo.monitoring import dashboard as selectors
from yekuo.monitoring.daily import ALARM_STATES, alarm_list, stored_alarms
from yekuo.monitoring.models_stats import DailyAlarm, DailySnapshot
from yekuo.monitoring.snapshot import STATES, working_day_start
from yekuo.web import labels
from yekuo.web.export import xlsx_response
from yekuo.web.views.common import require_action
from yekuo.web.waiting import open_suspensions
from yekuo.workcal.selectors import work_table

PAGE_SIZE = 50
EXPORT_CHUNK = 500  # rows whose suspensions the export reads in one query


@login_required
@require_GET
def dashboard(request):
    """The control dashboard (R9, R10, O12): every figure in the user's scope, every chart a link to the
    order list it counts."""
    require_action(request.user, "order.view")
    user = request.user
    data = _dashboard_data(user)
    transit = data["transit"]
    context = {
        "data": data,
        "transit_total": sum(r["count"] for r in transit),
        "overdue_total": data["orders_overdue"],
        "warning_total": data["orders_warning"],
        "soonest": selectors.soonest(user),
        "riskiest": selectors.riskiest(user),
        "risk_at": selectors.risk_refreshed_at(user),
        "urls": {
            "open": selectors.orders_url(status="open"),
            "overdue": selectors.orders_url(alarm="overdue"),
            "warning": selectors.orders_url(alarm="warning"),
            "deadline": selectors.orders_url(status="open", sort="deadline"),
            "risk": selectors.orders_url(status="open", sort="risk"),
        },
        "now": timezone.now(),
        "counted_at": datetime.fromisoformat(data["counted_at"]),
    }
    return render(request, "monitoring/dashboard.html", context)


def _dashboard_data(user) -> dict:
    """The dashboard's figures in the user's scope: the counts from the latest stored count (monitoring.counts,
    refreshed every YEKUO_DASHBOARD_COUNT_MINUTES; counted here only before the first), the trend from the
    stored days."""
    count = counts.latest() or counts.refresh()
    transit, by_node = selectors.in_transit(user, count), selectors.alarms_by_node(user, count)
    return {
        "transit": [{**row, "category_name": str(labels.category(row["category"]))} for row in transit],
        "by_node": [{**row, "node_name": str(labels.node(row["node"]))} for row in by_node],
        "trend": selectors.trend(user),
        # Orders (not nodes), as the order list's alarm filter counts them: the totals open that list.
        **selectors.alarmed_orders(user, count),
        "text": {
            "overdue": _("超期"), "warning": _("预警"), "normal": _("正常"), "suspended": _("暂停"),
            "in_transit": _("在途"), "new": _("新增"), "completed": _("办结"), "newly_overdue": _("新增超期"),
        },
        "counted_at": count.counted_at.isoformat(),
    }  # fmt: skip


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _snapshot(user, day: date) -> DailySnapshot | None:
    company = user.company.code if user.company_id else "default"
    return DailySnapshot.objects.filter(company__code=company, date=day).first()


def _alarm_rows(request):
    """The day's list in the user's scope: the stored list (DailyAlarm, written with the day's snapshot) for
    the alarm states, else computed at the day's instant (another state, a day not stored or long past)."""
    user = request.user
    day = _day(request)
    stored = _snapshot(user, day)
    company = user.company.code if user.company_id else "default"
    at = stored.at if stored else working_day_start(work_table(company), day)
    state = request.GET.get("state", "")
    states = (state,) if state in STATES else STATES if state == "all" else ALARM_STATES
    branches = restrict(Branch.objects.all(), user, "order.view")
    branch = request.GET.get("branch", "")
    if stored and stored.alarms_stored and set(states) <= set(ALARM_STATES):
        rows = restrict(DailyAlarm.objects.filter(state__in=states), user, "order.view")
        if branch:
            rows = rows.filter(branch__code=branch)
        one_branch = bool(branch or user.branch_id)
        return day, at, state, branch, branches, stored_alarms(stored, rows, one_branch=one_branch)
    orders = selectors.scoped_orders(user)
    if branch:
        orders = orders.filter(branch__code=branch)
    return day, at, state, branch, branches, alarm_list(at, orders, states)


def _by_state(rows) -> dict[str, int]:
    if isinstance(rows, list):
        return {s: sum(1 for r in rows if r.state == s) for s in ALARM_STATES}
    counted = dict(rows.order_by().values_list("state").annotate(n=Count("pk")))
    return {s: counted.get(s, 0) for s in ALARM_STATES}


@login_required
@require_GET
def alarms(request):
    """时限超期预警 of a day (R10; notice §3 "发布时限超期预警"): the active nodes in warning or overdue at the
    start of that working day, by branch; `state` shows another state (or `all`), `branch` one branch."""
    require_action(request.user, "order.view")
    day, at, state, branch, branches, rows = _alarm_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counted = _by_state(rows)
    context = {
        "day": day, "at": at, "state": state, "branch": branch, "branches": branches, "page": page,
        "rows": _present_all(page.object_list, at), "query": query.urlencode(),
        "overdue": counted["overdue"], "warning": counted["warning"],
        "states": [("", _("预警及超期")), *labels.TIME_STATES.items(), ("all", _("全部在途节点"))],
    }  # fmt: skip
    return render(request, "monitoring/alarms.html", context)


def _present(row, suspended=None) -> dict:
    return {
        "row": row,
        "node": labels.node(row.node),
        "state": labels.TIME_STATES.get(row.state, row.state),
        "category": labels.category(row.order.category),
        "suspended": suspended,
    }


def _present_all(rows, at: datetime) -> list[dict]:
    """The page's rows, a suspended order flagged as in the order list and 我的待办 (O5): suspended for how
    many working days at the list's instant, and whether it awaits review (its clocks then still run, I5)."""
    rows = list(rows)
    suspended = open_suspensions({r.order.pk for r in rows}, at)
    return [_present(r, suspended.get(r.order.pk)) for r in rows]


@login_required
@require_GET
def alarms_export(request):
    """The day's overdue-warning list as an Excel file (cells through common.xlsx)."""
    require_action(request.user, "order.export")
    day, at, _state, branch, _branches, rows = _alarm_rows(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("时限超期预警"))
    sheet.append([cell(sheet, _("统计时点")), cell(sheet, timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))])
    heads = [
        _("供电分公司"),
        _("工单编号"),
        _("客户名称"),
        _("业务类别"),
        _("节点"),
        _("状态"),
        _("期限"),
        _("预警时间"),
        _("暂停"),
    ]
    sheet.append([cell(sheet, h) for h in heads])
    rows = iter(rows)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        for p in _present_all(chunk, at):  # flagged as on the page (O5), a chunk's suspensions in one query
            r, suspended = p["row"], p["suspended"]
            sheet.append([cell(sheet, v) for v in (
                r.branch.name, r.order.number, r.order.customer_name, str(p["category"]), str(p["node"]),
                str(p["state"]),
                timezone.localtime(r.deadline_at).strftime("%Y-%m-%d %H:%M") if r.deadline_at else "",
                timezone.localtime(r.warn_at).strftime("%Y-%m-%d %H:%M") if r.warn_at else "",
                suspended.text if suspended else "",
            )])  # fmt: skip
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(handle)
    handle.seek(0)
    name = f"yekuo-alarms-{day:%Y%m%d}{'-' + branch if branch else ''}.xlsx"
    return xlsx_response(handle, name)
