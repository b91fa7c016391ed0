"""回访 pages (R11): the month's plan with filters and its Excel export, planning and the import of a call
centre's spreadsheet, the visit form (phone width), and the problems with their follow-ups.

Reads through `selectors` (scope by `restrict`), writes through `services`; a refusal shows the form again
with the service's message (400), a success redirects with a message.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from yekuo.accounts.models import Branch
from yekuo.accounts.permissions import can
from yekuo.accounts.scope import restrict
from yekuo.common.errors import YekuoError
from yekuo.common.xlsx import cell
from yekuo.regulations.selectors import regulation_get
from yekuo.visits import forms, selectors, services
from yekuo.visits.imports import import_visits
from yekuo.visits.models import ProblemCategory, Visit, VisitProblem
from yekuo.web import labels
from yekuo.web.export import xlsx_response
from yekuo.web.refusals import page_message
from yekuo.web.views.common import add_service_error, require_action
from yekuo.web.views.detail import personal_rows

PAGE_SIZE = 50


def _filtered(request):
    form = forms.VisitFilterForm(request.GET or None, user=request.user)
    params = form.params()
    visits = selectors.month_visits(
        params["month"], request.user, branch=params["branch"], status=params["status"],
        assignee=params["assignee"], category=params["category"],
    )  # fmt: skip
    return form, params, visits


@login_required
@require_GET
def visit_list(request):
    require_action(request.user, "visit.view")
    form, params, visits = _filtered(request)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    mine = set(restrict(Branch.objects.all(), request.user, "visit.view").values_list("code", flat=True))
    summary = [r for r in selectors.month_summary(params["month"]) if r["branch"] in mine]
    context = {
        "form": form,
        "month": params["month"],
        "page": page,
        "query": query.urlencode(),
        "summary": summary,
        "can_plan": can(request.user, "visit.plan"),
        "can_record": can(request.user, "visit.record"),
        "plan_form": forms.PlanForm(initial={"month": params["month"]}),
        "import_form": forms.ImportForm(),
    }
    return render(request, "visits/visit_list.html", context)


@login_required
@require_GET
def visit_export(request):
    require_action(request.user, "visit.view")
    _form, params, visits = _filtered(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("回访"))
    heads = ["月份", "工单编号", "供电分公司", "业务类别", "接电时间", "回访人", "回访时间", "回访方式", "是否联系上",
             "满意度", "时间是否一致", "偏差环节", "偏差天数", "发现的问题", "回访记录"]  # fmt: skip
    sheet.append([cell(sheet, _(h)) for h in heads])
    yes_no = {True: _("是"), False: _("否"), None: ""}
    for v in visits.prefetch_related("problems__category"):
        sheet.append([
            cell(sheet, v.month), cell(sheet, v.order.number), cell(sheet, v.branch.name),
            cell(sheet, labels.category(v.category)),
            cell(sheet, _naive(v.energized_at), number_format="yyyy-mm-dd hh:mm"),
            cell(sheet, str(v.assignee or "")),
            cell(sheet, _naive(v.visited_at), number_format="yyyy-mm-dd hh:mm"),
            cell(sheet, v.get_channel_display() if v.channel else ""), cell(sheet, yes_no[v.reached]),
            cell(sheet, v.satisfaction), cell(sheet, yes_no[v.time_agrees]),
            cell(sheet, labels.node(v.time_node) if v.time_node else ""), cell(sheet, v.time_offset_days),
            cell(sheet, labels.join(p.category for p in v.problems.all())), cell(sheet, v.note),
        ])  # fmt: skip
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(handle)
    handle.seek(0)
    return xlsx_response(handle, f"yekuo-visits-{params['month']}.xlsx")


def _naive(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


@login_required
@require_POST
def visit_plan(request):
    require_action(request.user, "visit.plan")
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写月份（YYYY-MM）和抽取数量（正整数，或留空）"))
        return redirect("visit_list")
    month = form.cleaned_data["month"]
    try:
        result = services.plan_month(month, actor=request.user, sample=form.cleaned_data["sample"])
    except YekuoError as error:
        messages.error(request, page_message(error, error.message))
    else:
        messages.success(request, _("%(month)s：已接电 %(energized)s 户，回访计划 %(planned)s 户（新增 %(added)s）")
                         % result.as_dict())  # fmt: skip
    return redirect(f"{reverse('visit_list')}?month={month}")


@login_required
@require_POST
def visit_import(request):
    require_action(request.user, "visit.record")
    form = forms.ImportForm(request.POST, request.FILES)
    report, error = None, None
    if form.is_valid():
        try:
            report = import_visits(form.cleaned_data["file"], actor=request.user)
        except YekuoError as exc:
            error = exc.message
    else:
        error = _("请选择要导入的 .xlsx 文件")
    return render(
        request, "visits/import_report.html", {"report": report, "error": error}, status=400 if error else 200
    )


def _visit(request, pk: int, action: str) -> Visit:
    require_action(request.user, action)
    found = restrict(Visit.objects.select_related("order", "branch", "assignee"), request.user, action)
    visit = found.filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


@login_required
def visit_record(request, pk: int):
    visit = _visit(request, pk, "visit.view")
    may_record = can(request.user, "visit.record")
    nodes = regulation_get(visit.order.regulation_code).category(visit.category).node_codes
    form = forms.VisitForm(request.POST or None, nodes=nodes, initial=_initial(visit))
    status = 200
    if request.method == "POST":
        require_action(request.user, "visit.record")
        if form.is_valid():
            data = form.cleaned_data
            outcome = services.Outcome(
                channel=data["channel"], reached=data["reached"],
                satisfaction=data["satisfaction"] if data["reached"] else None,
                time_agrees=data["time_agrees"] if data["reached"] else None,
                time_node=data["time_node"] if data["time_agrees"] is False else "",
                time_offset_days=data["time_offset_days"] if data["time_agrees"] is False else None,
                problems=[(code, data["description"]) for code in data["problems"]] if data["reached"] else [],
                note=data["note"],
            )  # fmt: skip
            try:
                services.record_visit(visit, outcome, actor=request.user)
            except YekuoError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("回访已登记：%(number)s") % {"number": visit.order.number})
                return redirect(f"{reverse('visit_list')}?month={visit.month}")
        status = 400
    context = {
        "visit": visit,
        "form": form,
        "may_record": may_record,
        # R11: the visitor calls the customer, so the phone is revealed here as on the order page (O9).
        "personal": [p for p in personal_rows(request.user, visit.order) if p["field"] == "customer_phone"],
        "problems": visit.problems.select_related("category").prefetch_related("follow_ups__actor"),
    }
    return render(request, "visits/visit_form.html", context, status=status)


def _initial(visit: Visit) -> dict:
    if visit.visited_at is None:
        return {}
    yes_no = {True: "yes", False: "no", None: ""}
    return {
        "channel": visit.channel,
        "reached": yes_no[visit.reached],
        "satisfaction": visit.satisfaction,
        "time_agrees": yes_no[visit.time_agrees],
        "time_node": visit.time_node,
        "time_offset_days": visit.time_offset_days,
        "note": visit.note,
    }


@login_required
@require_GET
def problem_list(request):
    require_action(request.user, "visit.view")
    month = request.GET.get("month", "")
    state = request.GET.get("state", "open")
    category = request.GET.get("category", "")
    rows = selectors.problems_in_scope(request.user, month=month, state=state, category=category)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "month": month,
        "state": state,
        "category": category,
        "categories": ProblemCategory.objects.order_by("position", "code"),
        "may_follow": can(request.user, "visit.follow_up"),
        "follow_form": forms.FollowUpForm(),
    }
    return render(request, "visits/problems.html", context)


@login_required
@require_POST
def problem_follow_up(request, pk: int):
    require_action(request.user, "visit.follow_up")
    problem = restrict(VisitProblem.objects.all(), request.user, "visit.follow_up").filter(pk=pk).first()
    if problem is None:
        raise Http404
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up(problem, actor=request.user, action=form.cleaned_data["action"],
                               closes=form.cleaned_data["closes"])  # fmt: skip
        except YekuoError as error:
            messages.error(request, page_message(error, error.message))
        else:
            messages.success(request, _("已记录处理情况"))
    else:
        messages.error(request, _("请填写处理情况"))
    month = problem.visit.month
    return redirect(f"{reverse('visit_problems')}?month={month}")
