"""The customer's pages under /c/ (R1 一网办·掌上办·一次办; docs/customers.md) and the staff's slip and documents.

No account: an order is opened by a one-time SMS code or the slip's signed link and bound to the browser's
session (`access`); a page of an order not bound answers as if it did not exist. Personal data: never cached.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yekuo.accounts.permissions import can
from yekuo.common import uploads
from yekuo.common.errors import YekuoError
from yekuo.common.throttle import client_address, client_ip
from yekuo.customers import access, contract, selectors, services, slip
from yekuo.customers.forms import ApplyForm, CodeForm, ContractForm, NumberForm, RatingForm
from yekuo.customers.models import CustomerDocument, DocumentKind
from yekuo.orders.selectors import ORDER_NUMBER, mask, orders_for
from yekuo.partners.models import VerificationState
from yekuo.web.refusals import page_message
from yekuo.web.views.common import add_service_error

KINDS = ("resident", "business")
# The intake's payload names (FieldErrors of push_receive) → the form's fields.
PAYLOAD_FIELDS = {
    "customer.name": "name", "customer.phone": "phone", "customer.id_number": "credit_code",
    "site.address": "site_address", "site.area_code": "site_address", "capacity_kva": "capacity_kva",
    "voltage": "voltage",
}  # fmt: skip


# ------------------------------------------------------------------------------------------ apply
@never_cache
def apply_start(request):
    return render(request, "customers/apply_start.html", {})


def _outcome_text(kind: str, outcome) -> tuple[str, str]:
    """(Bootstrap colour, sentence) of a verification's outcome as the customer reads it."""
    if outcome.state == VerificationState.WAITING:
        return "warning", _("核验服务暂时无法连接。您可以继续提交申请，系统将自动补做核验，核验完成后继续办理。")
    if kind == "business":
        return "success", _("已从电子证照库获取企业信息：%(name)s（法定代表人 %(rep)s）") % {
            "name": outcome.data.get("company_name", ""),
            "rep": mask(outcome.data.get("legal_representative", ""), 1, 1),
        }
    return "success", _("已通过刷脸核验（%(party)s）：%(name)s") % {
        "party": outcome.data.get("verifying_party", ""),
        "name": mask(outcome.data.get("name", ""), 1, 1),
    }


def stand_in_reference() -> str:
    """The reference the platform's face verification would give, made here where it stands in for the platform.
    It ends in 0: the identity simulator takes a reference ending in F as failed and one ending in 404 as
    unknown (partners/simulators/identity.py), and a random one ended in F once in 16 tries."""
    return f"FV{secrets.token_hex(6).upper()}0"


def _verify(form, kind: str, data) -> object | None:
    """Ask the licence or identity service for what the form names (R2); an answer that refuses the application
    is the form's error, a service that is down is accepted (waiting)."""
    field = "credit_code" if kind == "business" else "identity_ref"
    subject = (data.get(field) or "").strip()
    if not subject:
        form.add_error(field, _("请填写统一社会信用代码") if kind == "business" else _("请先完成刷脸核验"))
        return None
    try:
        outcome = services.verification_for(kind, subject)
    except YekuoError as error:
        form.add_error(field, error.message)
        return None
    if outcome.state == VerificationState.NOT_FOUND:
        form.add_error(
            field, _("电子证照中查无此统一社会信用代码") if kind == "business" else _("未找到该刷脸核验记录")
        )
        return None
    if kind == "resident" and outcome.verified and outcome.data.get("result") != "passed":
        form.add_error(field, _("刷脸核验未通过，请重新核验"))
        return None
    return outcome


@never_cache
def apply(request, kind: str):
    if kind not in KINDS:
        raise Http404("no such kind")
    action = request.POST.get("action", "")
    form = ApplyForm(kind, request.POST or None, request.FILES or None)
    context = {"form": form, "kind": kind, "terms_version": services.TERMS_VERSION,
               "max_mb": settings.YEKUO_UPLOAD_MAX_BYTES // (1024 * 1024)}  # fmt: skip
    if request.method == "POST" and action == "face":
        # The platform's face verification stands in here: it gives a reference that yekuo then asks about.
        data = request.POST.copy()
        data["identity_ref"] = data.get("identity_ref") or stand_in_reference()
        form = ApplyForm(kind, data)
        context["form"] = form
        action = "lookup"
    if request.method == "POST" and action == "lookup":
        form.errors.clear()  # only the verification is looked at now
        outcome = _verify(form, kind, form.data)
        if outcome is not None:
            context["verified"] = _outcome_text(kind, outcome)
        return render(request, "customers/apply.html", context, status=200 if outcome else 400)
    if request.method == "POST":
        outcome = _verify(form, kind, form.data)
        if form.is_valid() and outcome is not None:
            data = form.cleaned_data
            if kind == "resident" and not (outcome.verified and outcome.data.get("name")) and not data.get("name"):
                form.add_error("name", _("请填写姓名"))
            else:
                uploads_ = [services.Upload(DocumentKind.PROPERTY, data["property_doc"])]
                if data.get("other_doc"):
                    uploads_.append(services.Upload(DocumentKind.OTHER, data["other_doc"]))
                try:
                    order = services.application_submit(
                        kind=kind, application_id=data["application_id"], phone=data["phone"],
                        site_address=data["site_address"], capacity_kva=data["capacity_kva"], voltage=data["voltage"],
                        name=data.get("name", ""), outcome=outcome, uploads=uploads_, terms=data["terms"],
                        joint_units=data.get("joint_units") or (),
                    )  # fmt: skip
                except YekuoError as error:
                    errors = getattr(error, "errors", None)
                    if errors:
                        if "site.area_code" in errors:  # the customer cannot choose an area: say what to write
                            errors["site.area_code"] = [_("未能识别用电地址所属营业区，请写明旗区、镇（街道）等地名")]
                        error.errors = {PAYLOAD_FIELDS.get(k, k): v for k, v in errors.items()}
                    elif error.field in PAYLOAD_FIELDS:
                        error.field = PAYLOAD_FIELDS[error.field]
                    add_service_error(form, error)
                else:
                    access.bind(request, order.number)
                    return redirect("customer_applied", number=order.number)
        if outcome is not None:
            context["verified"] = _outcome_text(kind, outcome)
        return render(request, "customers/apply.html", context, status=400)
    return render(request, "customers/apply.html", context)


def _bound_order(request, number: str):
    """The order, when this browser has opened it; else None (the caller sends it to the lookup)."""
    number = (number or "").upper()
    if not ORDER_NUMBER.fullmatch(number) or not access.is_bound(request, number):
        return None
    return services.order_by_number(number)


@never_cache
def applied(request, number: str):
    order = _bound_order(request, number)
    if order is None:
        return redirect("customer_track")
    return render(request, "customers/applied.html", {"order": order, **selectors.progress(order)})


# ------------------------------------------------------------------------------------------ track
@never_cache
def track(request):
    """The lookup: the order number, then the code sent to the phone on file."""
    client = client_address(request)
    action = request.POST.get("action", "")
    context, status = {}, 200
    number_form = NumberForm(request.POST if action == "send" else None,
                             initial={"number": request.GET.get("number", "")})  # fmt: skip
    code_form = None
    if action == "send":
        if number_form.is_valid():
            number = number_form.cleaned_data["number"]
            if services.code_send(number, client) == services.Sent.LIMITED:
                number_form.add_error(None, _("获取验证码过于频繁，请 %(minutes)s 分钟后再试。") %
                                      {"minutes": services.SENDS_PER_PHONE.minutes})  # fmt: skip
                status = 429
            else:
                code_form = CodeForm(initial={"number": number})
                context["sent"] = True
        else:
            status = 400
    elif action == "check":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            number, code = code_form.cleaned_data["number"], code_form.cleaned_data["code"]
            outcome, order = services.code_check(number, code, client)
            if outcome == services.Checked.OK:
                access.bind(request, order.number)
                return redirect("customer_order", number=order.number)
            messages_ = {
                services.Checked.WRONG: _("验证码不正确，请核对短信中的6位数字。"),
                services.Checked.EXPIRED: _("验证码已过期，请重新获取。"),
                services.Checked.LOCKED: _("验证码错误次数过多，已暂停验证 %(minutes)s 分钟，请稍后重新获取验证码。")
                % {"minutes": services.CHECKS_PER_ORDER.minutes},
            }
            code_form.add_error("code", messages_[outcome])
            status = 429 if outcome == services.Checked.LOCKED else 400
        else:
            status = 400
    context.update(number_form=number_form, code_form=code_form, bound=access.bound_numbers(request))
    return render(request, "customers/track.html", context, status=status)


@never_cache
def link(request, token: str):
    """The slip's QR code: a signed, expiring link that opens the order's progress page."""
    number = access.link_number(token)
    if number is None:
        messages.error(request, _("二维码链接无效或已过期，请用工单编号和短信验证码查询。"))
        return redirect("customer_track")
    access.bind(request, number)
    return redirect("customer_order", number=number)


def _to_lookup(request, number: str):
    """A page of an order this browser has not opened sends it to the lookup, the number filled in."""
    messages.info(request, _("请先验证手机号码，才能查看该申请。"))
    return redirect(f"{reverse('customer_track')}?{urlencode({'number': number[:20]})}")


@never_cache
def order_page(request, number: str):
    order = _bound_order(request, number)
    if order is None:
        return _to_lookup(request, number)
    context = {**selectors.progress(order), "rating": services.rated(order), **_contract_state(order)}
    if context["energized"] and context["rating"] is None:
        context["rating_form"] = RatingForm()
    return render(request, "customers/order.html", context)


def _contract_state(order) -> dict:
    signature = contract.signature_of(order)
    return {"contract_signature": signature, "contract_open": signature is None and contract.refusal(order) is None}


@never_cache
@require_POST
def rate(request, number: str):
    order = _bound_order(request, number)
    if order is None:
        raise Http404("no such order")
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate(order, form.cleaned_data["score"], form.cleaned_data["comment"])
        except YekuoError as error:
            messages.error(request, page_message(error, error.message))
        else:
            messages.success(request, _("感谢您的评价！"))
        return redirect("customer_order", number=order.number)
    context = {**selectors.progress(order), "rating": None, "rating_form": form, **_contract_state(order)}
    return render(request, "customers/order.html", context, status=400)


# ------------------------------------------------------------------------------------------ contract
@never_cache
def contract_page(request, number: str):
    """R1: the supply contract made from the order's facts; signed here by the customer who opened the order."""
    order = _bound_order(request, number)
    if order is None:
        return _to_lookup(request, number)
    signature = contract.signature_of(order)
    form, status = None, 200
    if signature is None and contract.refusal(order) is None:
        form = ContractForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                contract.sign(order, form.cleaned_data["signer"], form.cleaned_data["agree"], client_ip(request),
                              request.META.get("HTTP_USER_AGENT", ""))  # fmt: skip
            except YekuoError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("供用电合同已在线签订，客户经理将据此办理接电。"))
                return redirect("customer_contract", number=order.number)
        if request.method == "POST":
            status = 400
    elif request.method == "POST":
        status = 409
    facts = contract.context(order, signature)
    context = {"contract": facts, "order": order, "signature": signature, "form": form,
               "refusal": None if signature else contract.refusal(order)}  # fmt: skip
    return render(request, "customers/contract.html", context, status=status)


@never_cache
def contract_pdf(request, number: str):
    """The signed contract's file, as it was signed (its digest is on the order's log): to the customer who
    opened the order and to staff who may see it; 404 before it is signed."""
    order, _staff = _slip_order(request, number)
    signature = contract.signature_of(order)
    if signature is None:
        raise Http404("no signed contract")
    return uploads.file_response(signature.file)


# ------------------------------------------------------------------------------------------ slip
def _slip_order(request, number: str):
    """The customer's own order, or an order in a staff member's scope."""
    if request.user.is_authenticated and can(request.user, "order.view") and ORDER_NUMBER.fullmatch(number):
        found = orders_for(request.user, "order.view").select_related("branch__company").filter(number=number).first()
        if found is not None:
            return found, True
    order = _bound_order(request, number)
    if order is None:
        raise Http404("no such order")
    return order, False


@never_cache
def slip_page(request, number: str):
    order, staff = _slip_order(request, number)
    return render(request, "customers/slip.html", {"slip": slip.slip_context(order), "staff": staff})


@never_cache
def slip_pdf(request, number: str):
    order, _staff = _slip_order(request, number)
    response = HttpResponse(slip.slip_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="slip-{order.number}.pdf"'
    return response


@login_required
def document(request, key):
    """A customer's uploaded document, only to staff who may see the order (never to the web at large)."""
    row = get_object_or_404(CustomerDocument.objects.select_related("order"), key=key)
    if (
        not can(request.user, "order.view")
        or not orders_for(request.user, "order.view").filter(pk=row.order_id).exists()
    ):
        raise Http404("no such document")
    return uploads.file_response(row.file)


def progress_redirect(request):
    """The former lookup's address: the customer's progress now lives at /c/track."""
    return redirect("customer_track", permanent=True)
