"""暂停审核: suspensions awaiting a second person, per branch, and back-dated entries awaiting their check
(I5).

The reviewers are the branch manager and the customer service center (`suspension.review`); what each
sees is their scope (`restrict`, in the selectors). Approving or rejecting goes through the services.
"""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yekuo.common.errors import YekuoError
from yekuo.orders.entry_review import awaiting_check, backdated_entries, entry_review
from yekuo.orders.suspension_review import awaiting_review, suspension_approve, suspension_reject
from yekuo.web import labels
from yekuo.web.forms import BootstrapMixin
from yekuo.web.views.common import add_service_error, require_action

BACKDATED_SHOWN = 100  # the latest unchecked; the next ones show as these are checked


class ReviewForm(BootstrapMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("审核结论"),
        choices=[("", gettext_lazy("请选择")), ("approve", gettext_lazy("同意")), ("reject", gettext_lazy("不同意"))],
    )
    note = forms.CharField(label=gettext_lazy("审核意见"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("verdict") == "reject" and not data.get("note", "").strip():
            self.add_error("note", gettext_lazy("驳回时须填写审核意见，说明理由"))
        return data


def _rows(user, failed=None) -> list[tuple]:
    """(branch, [(suspension, reasons, form), ...]) for each branch with suspensions awaiting review."""
    rows = []
    for suspension in awaiting_review(user):
        suspension.started_by = started_by(suspension)
        bound = failed[2] if failed and failed[:2] == ("s", suspension.pk) else None
        reasons = [str(labels.REVIEW_REASONS.get(r, r)) for r in suspension.review_reasons]
        rows.append((suspension, reasons, bound or ReviewForm(prefix=f"s{suspension.pk}")))
    rows.sort(key=lambda row: (row[0].order.branch.name, row[0].started_at))
    return [(branch, list(items)) for branch, items in groupby(rows, key=lambda row: row[0].order.branch)]


def started_by(suspension):
    """Who recorded the suspension (its suspension.started event, in the fold's order)."""
    events = suspension.order.events.filter(type="suspension.started").select_related("actor")
    found = list(events.order_by("occurred_at", "seq"))
    return found[suspension.position].actor if suspension.position < len(found) else None


def _entries(user, failed=None) -> list[tuple]:
    """(branch, [{event, label, form}, ...]) for each branch with back-dated entries awaiting their check, the
    latest first within a branch, as the suspensions are grouped (I5: a reviewer of several branches)."""
    rows = [
        {
            "event": e,
            "label": labels.event(e.type),
            "form": (failed[2] if failed and failed[:2] == ("e", e.pk) else None) or ReviewForm(prefix=f"e{e.pk}"),
        }
        for e in awaiting_check(user, BACKDATED_SHOWN)
    ]
    rows.sort(key=lambda row: row["event"].order.branch.name)  # stable: each branch keeps the latest first
    return [(branch, list(items)) for branch, items in groupby(rows, key=lambda row: row["event"].order.branch)]


def _page(request, failed=None, status=200):
    context = {"groups": _rows(request.user, failed), "backdated": _entries(request.user, failed)}
    return render(request, "web/reviews.html", context, status=status)


@login_required
def review_list(request):
    require_action(request.user, "suspension.review")
    return _page(request)


@login_required
@require_POST
def review_decide(request, pk: int):
    require_action(request.user, "suspension.review")
    suspension = next((s for s in awaiting_review(request.user).filter(pk=pk)), None)
    if suspension is None:
        raise Http404("no such suspension awaiting review")
    form = ReviewForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        verdict, note = form.cleaned_data["verdict"], form.cleaned_data["note"]
        try:
            if verdict == "approve":
                suspension_approve(suspension.order, actor=request.user, position=suspension.position, note=note)
            else:
                suspension_reject(suspension.order, actor=request.user, position=suspension.position, note=note)
        except YekuoError as error:
            add_service_error(form, error)
        else:
            text = _("已同意暂停计时：%(number)s") if verdict == "approve" else _("已驳回暂停计时：%(number)s")
            messages.success(request, text % {"number": suspension.order.number})
            return redirect("reviews")
    return _page(request, ("s", pk, form), status=400)


@login_required
@require_POST
def entry_decide(request, pk: int):
    """The check of one back-dated entry: confirmed, or disputed with a note."""
    require_action(request.user, "suspension.review")
    # In scope, back-dated and not a suspension (backdated_entries); entry_review refuses one already checked.
    entry = backdated_entries(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("no such back-dated entry")
    form = ReviewForm(request.POST, prefix=f"e{pk}")
    if form.is_valid():
        verdict, note = form.cleaned_data["verdict"], form.cleaned_data["note"]
        try:
            entry_review(entry.order, actor=request.user, seq=entry.seq, approved=verdict == "approve", note=note)
        except YekuoError as error:
            add_service_error(form, error)
        else:
            text = _("补录已核实：%(number)s") if verdict == "approve" else _("补录有异议：%(number)s")
            messages.success(request, text % {"number": entry.order.number})
            return redirect("reviews")
    return _page(request, ("e", pk, form), status=400)
