"""储备库: the reserve library's pages (REQUIREMENTS R5; notice §1 ¶4).

The library of the user's scope (a branch's staff: their branch; company-scope staff: the company) with its
filters, conversion rate and lead times, Excel export, staff entry and Excel import; each project's page
with its history, follow-ups, planned supporting works, stage, and the orders proposed for it (or linked by
hand). Reads through `selectors` (`restrict()`), writes through `services`.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from yekuo.accounts.permissions import can
from yekuo.common.errors import YekuoError
from yekuo.common.xlsx import cell, plain
from yekuo.orders.selectors import mask
from yekuo.reserve import importer, selectors, services
from yekuo.reserve.forms import (
    FilterForm,
    FollowUpForm,
    ImportForm,
    LinkForm,
    PlaceForm,
    ProjectForm,
    StageForm,
    WorkForm,
    WorkUpdateForm,
)
from yekuo.reserve.models import OrderMatch, Project, SupportingWork
from yekuo.web.export import xlsx_response
from yekuo.web.refusals import page_message
from yekuo.web.views.common import add_service_error, require_action

PAGE_SIZE = 30


def _library(request, action="order.view"):
    form = FilterForm(request.GET or None, user=request.user)
    projects = selectors.filtered(selectors.projects_for(request.user, action), **form.params())
    return form, projects


@login_required
@require_GET
def library(request):
    require_action(request.user, "order.view")
    form, projects = _library(request)
    annotated = projects.annotate(
        follow_up_count=Count("follow_ups", distinct=True),
        proposed=Count("matches", filter=Q(matches__state=OrderMatch.State.PROPOSED, order__isnull=True),
                       distinct=True),
        works_total=Count("works", distinct=True),
        works_ready=Count("works", filter=Q(works__readiness=SupportingWork.Readiness.READY), distinct=True),
    ).order_by("-identified_at", "-id")  # fmt: skip
    page = Paginator(annotated, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {"form": form, "page": page, "query": query.urlencode(), "figures": selectors.figures(projects),
               "can_manage": can(user, "reserve.manage"), "can_export": can(user, "order.export")}  # fmt: skip
    return render(request, "reserve/library.html", context)


# ------------------------------------------------------------------------------------------ export
COLUMNS = (
    (gettext_noop("项目编号"), 10), (gettext_noop("项目名称"), 26), (gettext_noop("投资主体"), 24),
    (gettext_noop("统一社会信用代码"), 20), (gettext_noop("联系电话"), 14), (gettext_noop("项目地址"), 30),
    (gettext_noop("供电分公司"), 16), (gettext_noop("营业区"), 14), (gettext_noop("预计负荷"), 10),
    (gettext_noop("负荷单位"), 8), (gettext_noop("预计电压等级"), 10), (gettext_noop("预计用电时间"), 12),
    (gettext_noop("来源"), 18), (gettext_noop("阶段"), 14), (gettext_noop("识别时间"), 17),
    (gettext_noop("阶段变更时间"), 17), (gettext_noop("放弃原因"), 20), (gettext_noop("跟踪次数"), 8),
    (gettext_noop("最近跟踪"), 17), (gettext_noop("配套工程（已具备/计划）"), 12), (gettext_noop("业扩工单"), 16),
    (gettext_noop("报装时间"), 17), (gettext_noop("工单状态"), 10), (gettext_noop("接电时间"), 17),
)  # fmt: skip
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _stamp(sheet, value):
    if not value:
        return None
    if hasattr(value, "hour"):
        value = timezone.localtime(value).replace(tzinfo=None)
        return cell(sheet, value, number_format=DATETIME_FORMAT)
    return cell(sheet, value, number_format="yyyy-mm-dd")


def write_library(projects, target) -> int:
    """The projects as a workbook (Chinese headers, English when the page is): masked phones (O9)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("储备库"))
    for index, (_title, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, _(title), font=Font(bold=True)) for title, _width in COLUMNS])
    rows = projects.annotate(
        follow_up_count=Count("follow_ups", distinct=True), last_follow_up=Max("follow_ups__at"),
        works_total=Count("works", distinct=True),
        works_ready=Count("works", filter=Q(works__readiness=SupportingWork.Readiness.READY), distinct=True),
    ).order_by("-identified_at", "-id")  # fmt: skip
    done = 0
    for p in rows.iterator(chunk_size=500):
        order = p.order
        values = [
            p.number, p.name, p.investor_name, p.investor_code, mask(p.contact_phone), p.site_address,
            p.branch.name if p.branch else "", p.service_area.name if p.service_area else "",
            float(p.expected_load) if p.expected_load is not None else None, p.load_unit, p.voltage,
            _stamp(sheet, p.expected_date), p.get_source_display(), p.get_stage_display(),
            _stamp(sheet, p.identified_at), _stamp(sheet, p.stage_changed_at), p.drop_reason, p.follow_up_count,
            _stamp(sheet, p.last_follow_up), f"{p.works_ready}/{p.works_total}", order.number if order else "",
            _stamp(sheet, p.applied_at), order.get_status_display() if order else "",
            _stamp(sheet, order.closed_at) if order and order.status == "energized" else None,
        ]  # fmt: skip
        sheet.append([plain(sheet, v) for v in values])
        done += 1
    book.save(target)
    return done


@login_required
@require_GET
def library_export(request):
    require_action(request.user, "order.export")
    _form, projects = _library(request, "order.export")
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    write_library(projects, handle)
    handle.seek(0)
    return xlsx_response(handle, f"yekuo-reserve-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


@login_required
@require_GET
def import_template(request):
    require_action(request.user, "reserve.manage")
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    importer.template_workbook(handle)
    handle.seek(0)
    return xlsx_response(handle, "yekuo-reserve-template.xlsx")


# ------------------------------------------------------------------------------------------ entry, import
@login_required
def project_new(request):
    require_action(request.user, "reserve.manage")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except YekuoError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已纳入储备库：%(number)s") % {"number": project.number})
            return redirect("reserve_project", pk=project.pk)
    return render(request, "reserve/project_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def project_import(request):
    require_action(request.user, "reserve.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = importer.import_projects(form.cleaned_data["file"].read(), actor=request.user)
        except YekuoError as error:
            add_service_error(form, error)
    status = 400 if form.errors else 200
    return render(request, "reserve/import.html", {"form": form, "result": result}, status=status)


# ------------------------------------------------------------------------------------------ one project
def _project(user, pk) -> Project:
    project = selectors.projects_for(user).select_related("created_by", "application__platform").filter(pk=pk).first()
    if project is None:
        raise Http404("no such project in your scope")
    return project


FORMS = {
    "edit": ProjectForm,
    "stage": StageForm,
    "follow_up": FollowUpForm,
    "work": WorkForm,
    "work_update": WorkUpdateForm,
    "link": LinkForm,
    "place": PlaceForm,
}


def _forms(user, project, failed=None) -> dict:
    forms = {}
    for key, kind in FORMS.items():
        extra = {"user": user} if kind in (PlaceForm, ProjectForm) else {}
        initial = {"stage": project.stage} if key == "stage" else None
        if key == "edit":
            initial = {name: getattr(project, name) for name in services.EDITED_FIELDS}
            initial["service_area"] = project.service_area_id
        forms[key] = kind(prefix=key, initial=initial, **extra)
    if failed:
        forms[failed[0]] = failed[1]
    return forms


def _detail(request, project, failed=None, status=200):
    can_manage = can(request.user, "reserve.manage")
    works = list(project.works.select_related("updated_by"))
    context = {
        "project": project,
        "events": project.events.select_related("actor"),
        "follow_ups": project.follow_ups.select_related("by"),
        "works": [(w, WorkUpdateForm(prefix=f"w{w.pk}", initial={"work": w.pk, "readiness": w.readiness,
                                                                 "planned_ready": w.planned_ready}))
                  for w in works],
        "proposals": selectors.proposals_for_project(project),
        "forms": _forms(request.user, project, failed) if can_manage else {},
        "can_manage": can_manage,
    }  # fmt: skip
    return render(request, "reserve/project.html", context, status=status)


@login_required
@require_GET
def project_page(request, pk: int):
    require_action(request.user, "order.view")
    return _detail(request, _project(request.user, pk))


@login_required
@require_POST
def project_action(request, pk: int, action: str):
    require_action(request.user, "reserve.manage")
    if action not in FORMS:
        raise Http404(action)
    project = _project(request.user, pk)
    kind = FORMS[action]
    prefix = action
    if action == "work_update":
        prefix = f"w{request.POST.get('work_pk', '')}"
    form = kind(request.POST, prefix=prefix, **({"user": request.user} if kind in (PlaceForm, ProjectForm) else {}))
    if form.is_valid():
        data, user = form.cleaned_data, request.user
        try:
            if action == "edit":
                services.project_edit(project, actor=user, **data)
            elif action == "stage":
                services.stage_set(project, actor=user, stage=data["stage"], reason=data["reason"])
            elif action == "follow_up":
                services.follow_up_add(project, actor=user, at=data["at"], method=data["method"],
                                       content=data["content"], next_step=data["next_step"])  # fmt: skip
            elif action == "work":
                services.work_add(project, actor=user, **data)
            elif action == "work_update":
                if not project.works.filter(pk=data["work"]).exists():
                    raise Http404("no such work on this project")
                services.work_update(data["work"], actor=user, readiness=data["readiness"],
                                     planned_ready=data["planned_ready"])  # fmt: skip
            elif action == "link":
                services.order_link(project, data["order"].strip(), actor=user)
            else:
                services.project_place(project, actor=user, service_area=data["service_area"])
        except YekuoError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("reserve_project", pk=project.pk)
    if action == "work_update":
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("reserve_project", pk=project.pk)
    return _detail(request, project, (action, form), status=400)


@login_required
@require_POST
def match_decide(request, pk: int, decision: str):
    """Link or dismiss a proposed order, from the project's page or the order's."""
    require_action(request.user, "reserve.manage")
    if decision not in ("link", "dismiss"):
        raise Http404(decision)
    try:
        if decision == "link":
            project = services.match_link(pk, actor=request.user)
            messages.success(request, _("已转为业扩工单 %(number)s") % {"number": project.order.number})
        else:
            services.match_dismiss(pk, actor=request.user)
            messages.success(request, _("已排除该工单"))
    except YekuoError as error:
        messages.error(request, page_message(error, error.message))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "reserve_library"
    return redirect(target)
