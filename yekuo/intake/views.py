"""审核派单: the customer service center's queue of pushed applications (notice §1, R3).

Each application with its data, documents, proposed branch and time waiting; the dispatcher accepts and
dispatches it (to the proposed branch or another), returns it to its platform or rejects it, with a reason.
Decided applications are listed too (filter by state and platform) and export to Excel; a dispatched order
can be moved to another branch with a reason. Scope is `restrict()`'s (selectors); writes are the services'.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.scope import restrict
from yekuo.common import uploads
from yekuo.common.errors import YekuoError
from yekuo.common.xlsx import plain as xlsx_plain
from yekuo.intake import selectors, services
from yekuo.intake.models import ApplicationDocument, ApplicationState, DocumentState, Platform
from yekuo.web import labels
from yekuo.web.forms import BootstrapMixin
from yekuo.web.views.common import add_service_error, require_action

SHOWN = 200


class FilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=ApplicationState.choices)
    platform = forms.ChoiceField(label=gettext_lazy("推送平台"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        platforms = restrict(Platform.objects.all(), user, "order.assign")
        self.fields["platform"].choices = [("", gettext_lazy("全部")), *((p.code, str(p)) for p in platforms)]
        self.style()

    def values(self) -> tuple[str, str]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["state"] or ApplicationState.QUEUED, self.cleaned_data["platform"]
        return ApplicationState.QUEUED, ""


class DispatchForm(BootstrapMixin, forms.Form):
    branch = forms.ModelChoiceField(label=gettext_lazy("派往分公司"), queryset=Branch.objects.none())
    service_area = forms.ModelChoiceField(
        label=gettext_lazy("营业区"), queryset=ServiceArea.objects.none(), required=False,
        empty_label=gettext_lazy("按用电地址匹配"),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = restrict(Branch.objects.all(), user, "order.assign")
        areas = restrict(ServiceArea.objects.select_related("branch"), user, "order.assign")
        self.fields["service_area"].queryset = areas
        self.fields["service_area"].label_from_instance = lambda a: f"{a.branch.name} · {a.name}"
        self.style()


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class TransferForm(DispatchForm):
    reason = forms.CharField(label=gettext_lazy("转派原因"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].label = gettext_lazy("转派至分公司")
        self.style()


def _rows(user, state, platform, failed=None):
    rows = selectors.queue(user, state)
    if platform:
        rows = rows.filter(platform__code=platform)
    now = timezone.now()
    out = []
    for application in rows[:SHOWN]:
        pk = application.pk
        forms_of = {
            "dispatch": DispatchForm(prefix=f"d{pk}", user=user, initial={"branch": application.proposed_branch}),
            "return": ReasonForm(prefix=f"r{pk}"),
            "reject": ReasonForm(prefix=f"j{pk}"),
            "transfer": TransferForm(prefix=f"t{pk}", user=user),
        }
        if failed and failed[0] == pk:
            forms_of[failed[1]] = failed[2]
        seconds = selectors.waiting_seconds(application, now)
        out.append({"a": application, "waiting": selectors.waiting_text(seconds), "seconds": seconds,
                    "payload": application.payload, "forms": forms_of,
                    "documents": selectors.documents_of(application),
                    "verifications": selectors.verifications_of(application),
                    "category": labels.category(application.payload.get("category", ""))})  # fmt: skip
    return out


def _page(request, failed=None, status=200):
    form = FilterForm(request.GET or None, user=request.user)
    state, platform = form.values()
    context = {"filter": form, "state": state, "rows": _rows(request.user, state, platform, failed),
               "query": request.GET.urlencode()}  # fmt: skip
    return render(request, "intake/queue.html", context, status=status)


def require_queue(user) -> None:
    """The queue is the customer service center's (R3): company-scope staff who may dispatch."""
    require_action(user, "order.assign")
    if not selectors.works_queue(user):
        raise PermissionDenied("the dispatch queue is worked by company-scope staff")


@login_required
def queue_page(request):
    require_queue(request.user)
    return _page(request)


ACTIONS = {
    "dispatch": (DispatchForm, "d"),
    "return": (ReasonForm, "r"),
    "reject": (ReasonForm, "j"),
    "transfer": (TransferForm, "t"),
}


@login_required
@require_POST
def decide(request, pk: int, action: str):
    require_queue(request.user)
    if action not in ACTIONS:
        raise Http404(action)
    application = selectors.queue(request.user, ApplicationState.DISPATCHED if action == "transfer" else
                                  ApplicationState.QUEUED).filter(pk=pk).first()  # fmt: skip
    if application is None:
        raise Http404("no such application in your queue")
    kind, prefix = ACTIONS[action]
    extra = {"user": request.user} if kind in (DispatchForm, TransferForm) else {}
    form = kind(request.POST, prefix=f"{prefix}{pk}", **extra)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "dispatch":
                done = services.application_dispatch(application, actor=request.user, branch=data["branch"],
                                                     service_area=data.get("service_area"))  # fmt: skip
                text = _("已派单：%(number)s → %(branch)s") % {"number": done.order.number,
                                                              "branch": data["branch"].name}  # fmt: skip
            elif action == "return":
                services.application_return(application, actor=request.user, reason=data["reason"])
                text = _("已退回平台：%(id)s") % {"id": application.external_id}
            elif action == "reject":
                services.application_reject(application, actor=request.user, reason=data["reason"])
                text = _("已驳回：%(id)s") % {"id": application.external_id}
            else:
                services.order_transfer(application.order, actor=request.user, branch=data["branch"],
                                        reason=data["reason"])  # fmt: skip
                text = _("已转派：%(number)s → %(branch)s") % {"number": application.order.number,
                                                              "branch": data["branch"].name}  # fmt: skip
        except YekuoError as error:
            add_service_error(form, error)
        else:
            messages.success(request, text)
            target = request.POST.get("next", "")
            return redirect(target if target.startswith("/intake/") and "//" not in target else "intake_queue")
    return _page(request, (pk, action, form), status=400)


@login_required
def queue_export(request):
    """The listed applications as an Excel workbook (the same filters as the page): the queue's own list, for
    those who work it; no phone or ID number in it (O9)."""
    require_queue(request.user)
    form = FilterForm(request.GET or None, user=request.user)
    state, platform = form.values()
    rows = selectors.queue(request.user, state)
    if platform:
        rows = rows.filter(platform__code=platform)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审核派单"))
    sheet.append([_("推送平台"), _("平台申请编号"), _("工单编号"), _("客户名称"), _("用电地址"), _("业务类别"),
                  _("平台提交时间"), _("推送接收时间"), _("处理时间"), _("等待时长(分钟)"), _("状态"),
                  _("建议分公司"), _("供电分公司"), _("退回/驳回原因")])  # fmt: skip
    now = timezone.now()
    for a in rows.prefetch_related(None).iterator():
        p = a.payload
        customer = p.get("customer", {}).get("name", "")
        values = [a.platform.name, a.external_id, a.order.number if a.order else "", customer,
                  p.get("site", {}).get("address", ""), labels.category(p.get("category", "")),
                  timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                  timezone.localtime(a.received_at).strftime("%Y-%m-%d %H:%M"),
                  timezone.localtime(a.decided_at).strftime("%Y-%m-%d %H:%M") if a.decided_at else "",
                  round(selectors.waiting_seconds(a, now) / 60, 1), a.get_state_display(),
                  a.proposed_branch.name if a.proposed_branch else "", a.order.branch.name if a.order else "",
                  a.reason]  # fmt: skip
        sheet.append([xlsx_plain(sheet, v) for v in values])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="yekuo-intake-{stamp}.xlsx"'
    book.save(response)
    return response


@login_required
def document(request, pk: int):
    """A pushed application's document as yekuo keeps it (R3): for those who may see the application (the queue's
    company-scope staff; the branch once the order is dispatched to it), served with its checked type and the
    uploads' sandbox (`common.uploads.file_response`)."""
    row = (
        restrict(ApplicationDocument.objects.select_related("application"), request.user, "order.view")
        .filter(pk=pk, state=DocumentState.STORED)
        .first()
    )
    if row is None or not row.file:
        raise Http404("no such document")
    return uploads.file_response(row.file)
