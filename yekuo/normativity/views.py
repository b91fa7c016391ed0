"""业务规范性 page (R12): the month's findings in the user's scope, by branch and rule, and their Excel export.

Read by those who read the return visits (`visit.view`: the customer service center, the managers, the
auditor); a branch user sees their branch.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from yekuo.accounts.models import Branch
from yekuo.accounts.scope import restrict
from yekuo.common.errors import YekuoError
from yekuo.common.xlsx import cell
from yekuo.normativity.findings import RULES, findings
from yekuo.visits.forms import last_month
from yekuo.visits.months import parse_month
from yekuo.web import labels
from yekuo.web.export import xlsx_response
from yekuo.web.views.common import require_action


def _found(request):
    require_action(request.user, "visit.view")
    month = request.GET.get("month") or last_month()
    try:
        parse_month(month)
    except YekuoError:
        month = last_month()
    branches = dict(restrict(Branch.objects.all(), request.user, "visit.view").values_list("code", "name"))
    branch = request.GET.get("branch", "")
    rule = request.GET.get("rule", "")
    rows = findings(month, branch if branch in branches else None)
    rows = [f for f in rows if f.branch in branches and (not rule or f.rule == rule)]
    return month, branch, rule, branches, rows


@login_required
@require_GET
def finding_list(request):
    month, branch, rule, branches, rows = _found(request)
    counts = {code: 0 for code in RULES}
    for f in rows:
        counts[f.rule] += 1
    context = {
        "month": month,
        "branch": branch,
        "rule": rule,
        "branches": sorted(branches.items()),
        "names": branches,
        "rules": [(code, _(r.label), counts[code]) for code, r in RULES.items()],
        "rows": [(f, branches.get(f.branch, f.branch), _(f.label)) for f in rows[:1000]],
        "total": len(rows),
        "query": request.GET.urlencode(),
    }
    return render(request, "normativity/findings.html", context)


@login_required
@require_GET
def finding_export(request):
    month, _branch, _rule, branches, rows = _found(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("业务规范性"))
    heads = ["工单编号", "供电分公司", "业务类别", "问题类型", "依据", "时间", "说明"]
    sheet.append([cell(sheet, _(h)) for h in heads])
    for f in rows:
        sheet.append([
            cell(sheet, f.order_number), cell(sheet, branches.get(f.branch, f.branch)),
            cell(sheet, labels.category(f.category)), cell(sheet, _(f.label)), cell(sheet, f.clause),
            cell(sheet, timezone.localtime(f.at).replace(tzinfo=None), number_format="yyyy-mm-dd hh:mm"),
            cell(sheet, f.detail),
        ])  # fmt: skip
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(handle)
    handle.seek(0)
    return xlsx_response(handle, f"yekuo-normativity-{month}.xlsx")
