"""The bulletin and assessment pages (R12, R13).

- 月度通报: a month's bulletin (its latest revision, or `?revision=N`): charts, rankings, the tables, the
  lists of problem orders and what changed since the revision before; its Excel, PDF and HTML downloads;
  a button that runs the month again (a new revision) for the customer service center and the managers.
- 绩效考核: each branch's score of a month with its breakdown and rank, the trend over the months, the
  button that computes the scores (again, until confirmed) and the one that confirms them.

Everyone who may view orders reads them; a branch's staff see the lists of problem orders of their own
branch only (R15), the figures and rankings company-wide (they are what management circulates).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yekuo.accounts.models import Company
from yekuo.accounts.permissions import has_role, is_working
from yekuo.bulletin import render as documents
from yekuo.bulletin import selectors, services
from yekuo.bulletin.figures import rankings
from yekuo.bulletin.models import Assessment
from yekuo.bulletin.sources import parse_month
from yekuo.common.errors import YekuoError
from yekuo.web.views.common import require_action

RUNNING_ROLES = ("dispatcher", "department_manager", "administrator")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def _refusal(error: YekuoError) -> str:
    """A service's refusal in the page's language (the services speak English with stable codes)."""
    pages = {
        "assessment_confirmed": _("本月得分已由营销服务部确认并冻结，不能重新计算或再次确认。"),
        "forbidden": _("无权确认考核得分：由营销服务部经理或系统管理员确认。"),
        "conflict": _("操作冲突：请刷新页面后重试。"),
        "invalid_input": _("无法完成：月份有误、该月尚无评分细则，或尚未计算得分。"),
    }
    return str(pages.get(error.code, _("操作未完成，请检查后重试。")))


def can_run(user) -> bool:
    """Who freezes a new revision: the customer service center and the managers, company scope."""
    if not is_working(user):
        return False
    return user.is_superuser or (not user.branch_id and any(has_role(user, r) for r in RUNNING_ROLES))


def _company(user):
    """The user's company; a superuser of no company sees the first (the pages serve one company at a time)."""
    if getattr(user, "company_id", None):
        return user.company
    found = Company.objects.order_by("code").first()
    if found is None:
        raise Http404("company")
    return found


def _month(value: str) -> str:
    try:
        parse_month(value)
    except YekuoError:
        raise Http404("month") from None
    return value


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_index(request):
    """The months with a bulletin, and the form that runs one."""
    require_action(request.user, "order.view")
    company = _company(request.user)
    if request.method == "POST":
        return _run(request, company, request.POST.get("month", ""))
    return render(
        request,
        "bulletin/index.html",
        {"months": selectors.months(company), "can_run": can_run(request.user), "company": company},
    )


def _run(request, company, month: str):
    if not can_run(request.user):
        messages.error(request, _("无权生成通报：由客户服务中心或部门经理生成。"))
        return redirect("bulletin_index")
    try:
        run = services.report_run_create(company, month, actor=request.user, source="web")
    except YekuoError as error:
        messages.error(request, _refusal(error))
        return redirect("bulletin_index")
    messages.success(
        request,
        _("已生成 %(month)s 通报第 %(revision)s 版（与上一版相比 %(n)s 处变化）。")
        % {"month": run.month, "revision": run.revision, "n": len(run.changes)},
    )
    return redirect(reverse("bulletin_month", args=[run.month]))


def _chart_data(run) -> dict:
    ranked = rankings(run.data)
    ranked.sort(key=lambda f: f["branch"])
    return {
        "branches": [f["branch_name"] for f in ranked],
        "on_time_rate": [f["on_time_rate"] for f in ranked],
        "online_rate": [f["online_rate"] for f in ranked],
        "utility_days_mean": [f["utility_days_mean"] for f in ranked],
        "calendar_days_mean": [f["calendar_days_mean"] for f in ranked],
        "overdue_orders": [f["overdue_orders"] for f in ranked],
        "normativity_findings": [f["normativity_findings"] for f in ranked],
        "text": {
            "on_time_rate": _("按期完成率"),
            "online_rate": _("线上报装服务率"),
            "utility_days_mean": _("平均供电企业用时（工作日）"),
            "calendar_days_mean": _("平均办电时长（日历日）"),
            "overdue_orders": _("超期工单"),
            "normativity_findings": _("规范性问题"),
        },
    }


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_month(request, month: str):
    require_action(request.user, "order.view")
    month, company = _month(month), _company(request.user)
    if request.method == "POST":
        return _run(request, company, month)
    revision = request.GET.get("revision")
    run = selectors.run_get(company, month, int(revision) if revision and revision.isdigit() else None)
    if run is None:
        if revision:
            raise Http404("revision")
        return render(request, "bulletin/month.html", {"month": month, "run": None, "can_run": can_run(request.user)})
    branches = run.data.get("branches", [])
    if request.user.branch_id:
        branch = request.user.branch.code
    else:  # the lists of problem orders filtered by branch (company scope)
        branch = request.GET.get("branch") if request.GET.get("branch") in {b["code"] for b in branches} else None
    doc = documents.document(run, branch=branch)
    return render(
        request,
        "bulletin/month.html",
        {
            "month": month,
            "run": run,
            "doc": doc,
            "revisions": selectors.runs(company, month).order_by("-revision"),
            "charts": _chart_data(run),
            "can_run": can_run(request.user),
            "branch_only": bool(request.user.branch_id),
            "branches": branches,
            "branch": branch,
        },
    )


@login_required
@require_GET
def bulletin_download(request, month: str, revision: int, fmt: str):
    """A revision's document. A branch's staff get the page only: the files carry every branch's problem orders."""
    require_action(request.user, "order.view")
    if request.user.branch_id:
        raise Http404("download")
    run = selectors.run_get(_company(request.user), _month(month), revision)
    if run is None or run.revision != revision or fmt not in CONTENT_TYPES:
        raise Http404("revision")
    body = getattr(documents, fmt)(run)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="bulletin-{run.month}-r{run.revision}.{fmt}"'
    return response


@login_required
@require_GET
def assessment_index(request):
    require_action(request.user, "order.view")
    company = _company(request.user)
    assessments = Assessment.objects.filter(company=company).select_related("confirmed_by").order_by("-month")
    return render(
        request,
        "bulletin/assessment_index.html",
        {
            "assessments": assessments,
            "trend": _trend_data(company),
            "can_confirm": services.can_confirm(request.user),
            "bulletin_months": selectors.months(company),
        },
    )


def _trend_data(company) -> dict:
    trend = selectors.trend(company)
    trend["text"] = {"score": _("得分"), "confirmed": _("已确认")}
    return trend


@login_required
@require_GET
def assessment_month(request, month: str):
    require_action(request.user, "order.view")
    month, company = _month(month), _company(request.user)
    assessment = (
        Assessment.objects.filter(company=company, month=month)
        .select_related("scheme", "report", "confirmed_by", "computed_by")
        .first()
    )
    scores = list(assessment.scores.all()) if assessment else []
    return render(
        request,
        "bulletin/assessment_month.html",
        {
            "month": month,
            "assessment": assessment,
            "scores": scores,
            "can_confirm": services.can_confirm(request.user),
            "chart": {
                "branches": [s.branch_name for s in scores],
                "scores": [float(s.score) for s in scores],
                "text": {"score": _("得分")},
            },
            "trend": _trend_data(company),
        },
    )


@login_required
@require_POST
def assessment_action(request, month: str, action: str):
    """计算 (compute, again until confirmed) or 确认 (confirm): the marketing service department."""
    require_action(request.user, "order.view")
    month, company = _month(month), _company(request.user)
    try:
        if action == "compute":
            if not services.can_confirm(request.user):
                messages.error(request, _("无权计算考核得分：由营销服务部计算和确认。"))
            else:
                services.assessment_compute(company, month, actor=request.user)
                messages.success(request, _("已按最新一版通报计算得分。"))
        elif action == "confirm":
            services.assessment_confirm(company, month, user=request.user)
            messages.success(request, _("已确认本月得分，此后不再变动。"))
        else:
            raise Http404("action")
    except YekuoError as error:
        messages.error(request, _refusal(error))
    return redirect(reverse("assessment_month", args=[month]))


@login_required
@require_GET
def assessment_export(request, month: str):
    """The month's scores and their breakdown as an Excel file."""
    require_action(request.user, "order.view")
    month, company = _month(month), _company(request.user)
    assessment = Assessment.objects.filter(company=company, month=month).select_related("scheme", "report").first()
    if assessment is None:
        raise Http404("assessment")
    response = HttpResponse(documents.assessment_xlsx(assessment), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="assessment-{month}.xlsx"'
    return response
