"""The works page of an order (R6, R7): the facts and the decision with each criterion, the filing and its
commitment letter, the approval and its answers, the route consultations, and what still holds the works.

Reads through `view_model.works_state`, writes through the approvals services; a refusal shows the form
again with the service's message (status 400), a success redirects back with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yekuo.accounts.permissions import can
from yekuo.approvals import approval, consultation, filing, forms, letter, works
from yekuo.approvals.facts import read_facts
from yekuo.approvals.models import Consultation, RouteConflict
from yekuo.approvals.view_model import works_state
from yekuo.common.errors import YekuoError
from yekuo.regulations.limits import number as days_text
from yekuo.web import labels
from yekuo.web.views.common import add_service_error, require_action
from yekuo.web.views.detail import _order

FORMS = {
    "decide": forms.WorksForm,
    "file": forms.FilingForm,
    "submit": forms.SubmitForm,
    "answer": forms.AnswerForm,
    "consult": forms.ConsultForm,
    "consult_answer": forms.ConsultAnswerForm,
    "resolve": forms.ResolveForm,
}


def _kwargs(key: str, user, state: dict) -> dict:
    if key == "decide":
        return {"may_override": can(user, "approval.override")}
    if key == "answer":
        return {"authorities": (state["approval"] or {}).get("authorities", ())}
    return {}


def _initial_facts(state: dict) -> dict:
    """The form starts at the facts on record (a new decision corrects them), or empty."""
    decision = state["decision"]
    if decision is None:
        return {}
    facts = decision["facts"]
    flags = {
        k: "true" if facts[k] else "false"
        for k in ("obstacles", "single_function", "simple_technique", "touches_important_street")
    }
    return {
        **flags,
        "voltage_kv": facts["voltage_kv"],
        "excavation_m": facts["excavation_m"],
        "route": "\n".join(facts.get("route") or ()),
        "design_unit": decision["design_unit"],
        "route_description": decision["route_description"],
    }


def _context(request, order, failed: tuple[str, object, object] | None = None) -> dict:
    state = works_state(order)
    user = request.user
    built = {}
    for key, form_class in FORMS.items():
        if failed and failed[0] == key and failed[1] is None:
            built[key] = failed[2]
        elif key not in ("consult_answer", "resolve"):
            initial = _initial_facts(state) if key == "decide" else None
            built[key] = form_class(prefix=key, initial=initial, **_kwargs(key, user, state))
    decision = state["decision"]
    limits = state["limits"]
    effect = None
    if limits["low_risk"] is not None:  # I8: what each decision sets, on this order
        effect = {
            "low_risk": _(
                "简易低风险：免于行政审批，施工前办理告知承诺备案；办理行政审批（备案）手续时限设为 %(d)s 个工作日"
            )
            % {"d": days_text(limits["low_risk"])},
            "not_low_risk": _("非简易低风险：办理行政审批，时限设为 %(d)s 个工作日")
            % {"d": days_text(limits["not_low_risk"])},
            "same": limits["low_risk"] == limits["not_low_risk"],
        }
    consultations = []
    for c in state["consultations"]:
        answer_form = None
        if c["answered_at"] is None:
            if failed and failed[0] == "consult_answer" and failed[1] == c["id"]:
                answer_form = failed[2]
            else:
                answer_form = forms.ConsultAnswerForm(prefix=f"consult_answer-{c['id']}")
        conflicts = []
        for x in c["conflicts"]:
            resolve_form = None
            if x["resolved_at"] is None:
                if failed and failed[0] == "resolve" and failed[1] == x["id"]:
                    resolve_form = failed[2]
                else:
                    resolve_form = forms.ResolveForm(prefix=f"resolve-{x['id']}")
            conflicts.append({**x, "form": resolve_form, "form_id": f"form-resolve-{x['id']}"})
        kind = dict(Consultation.OWNER_KINDS).get(c["owner_kind"], c["owner_kind"])
        consultations.append(
            {**c, "kind": kind, "form": answer_form, "form_id": f"form-answer-{c['id']}", "conflicts": conflicts}
        )
    verdicts = dict(forms.AuthorityAnswer.VERDICTS)
    for answer in (state["approval"] or {}).get("answers", ()):
        answer["verdict_name"] = verdicts.get(answer["verdict"], answer["verdict"])
    may_work = can(user, "approval.decide") and order.status in ("in_transit", "suspended", "created")
    return {
        "order": order,
        "category": labels.category(order.category),
        "state": state,
        "decision": decision,
        "effect": effect,
        "forms": built,
        "consultations": consultations,
        "may_work": may_work,
    }


@login_required
def works_page(request, number: str):
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    return render(request, "approvals/works.html", _context(request, order))


def _target(order, key: str, pk: int | None):
    if key == "consult_answer":
        found = Consultation.objects.filter(order=order, pk=pk).first()
    elif key == "resolve":
        found = RouteConflict.objects.filter(consultation__order=order, pk=pk).select_related("consultation").first()
    else:
        return None
    if found is None:
        raise Http404(f"{key} {pk}")
    return found


def _run(key: str, form, user, order, target) -> str:
    data, common = form.cleaned_data, form.service_kwargs()
    match key:
        case "decide":
            facts, _on = read_facts(form.facts_data())
            decision = works.works_decide(
                order,
                actor=user,
                facts=facts,
                design_unit=data["design_unit"],
                route_description=data["route_description"],
                override_low_risk=data.get("override"),
                override_reason=data.get("override_reason", ""),
                **common,
            )
            return _("已判定为简易低风险") if decision.low_risk else _("已判定为需行政审批")
        case "file":
            record = filing.filing_record(order, actor=user, **common)
            return _("已办理告知承诺备案：%(n)s") % {"n": record.letter_number}
        case "submit":
            approval.approval_submit(
                order, actor=user, authorities=form.authority_list(), occurred_at=common["occurred_at"]
            )
            return _("行政审批已提交")
        case "answer":
            approval.approval_answer(
                order,
                actor=user,
                authority=data["authority"],
                verdict=data["verdict"],
                note=data["note"],
                suspend=data["suspend"],
                **common,
            )
            return _("已登记审批答复")
        case "consult":
            consultation.consultation_request(
                order,
                actor=user,
                owner_kind=data["owner_kind"],
                owner_name=data["owner_name"],
                request=data["request"],
                occurred_at=common["occurred_at"],
            )
            return _("已登记路径征询")
        case "consult_answer":
            consultation.consultation_answer(
                target,
                actor=user,
                answer=data["answer"],
                conflicts=form.conflict_list(),
                occurred_at=common["occurred_at"],
            )
            return _("已登记征询答复")
        case "resolve":
            consultation.conflict_resolve(
                target, actor=user, resolution=data["resolution"], occurred_at=common["occurred_at"]
            )
            return _("已登记冲突处理")
    raise ValueError(key)


@login_required
@require_POST
def works_action(request, number: str, key: str, pk: int | None = None):
    require_action(request.user, "order.view")
    if key not in FORMS:
        raise Http404(key)
    require_action(request.user, "approval.decide")
    order = _order(request.user, number)
    target = _target(order, key, pk)
    state = works_state(order)
    prefix = f"{key}-{pk}" if pk is not None else key
    form = FORMS[key](request.POST, prefix=prefix, **_kwargs(key, request.user, state))
    if form.is_valid():
        try:
            message = _run(key, form, request.user, order, target)
        except YekuoError as error:
            add_service_error(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("works_page", args=[order.number]))
    order.refresh_from_db()
    return render(request, "approvals/works.html", _context(request, order, (key, pk, form)), status=400)


@login_required
def letter_page(request, number: str):
    """The commitment letter as a printable page (the browser prints it to paper or PDF)."""
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    try:
        context = letter.letter_context(order)
    except YekuoError as error:
        raise Http404(error.message) from None
    return render(request, "approvals/letter.html", {"order": order, "letter": context})


@login_required
def letter_download(request, number: str):
    require_action(request.user, "order.view")
    order = _order(request.user, number)
    try:
        pdf = letter.letter_pdf(order)
    except YekuoError as error:
        raise Http404(error.message) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="commitment-{order.number}.pdf"'
    return response
