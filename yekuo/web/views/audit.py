"""Audit records for the auditor role: who revealed which customer's personal data, when (O9), and who signed
in or failed to (S2)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yekuo.accounts.scope import restrict
from yekuo.accounts.selectors import sign_in_records
from yekuo.orders.models import PersonalDataReveal
from yekuo.web.views.common import require_action

PAGE_SIZE = 50


@login_required
@require_GET
def reveals(request):
    require_action(request.user, "audit.view")
    rows = restrict(PersonalDataReveal.objects.select_related("order", "user"), request.user, "audit.view")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/audit_reveals.html", {"page": page})


SIGN_IN_KINDS = ("success", "failure")


@login_required
@require_GET
def sign_ins(request):
    """Successful and failed sign-ins to the staff pages and the admin (django-axes' records, S2), for the
    auditor role without the admin site (docs/security.md)."""
    require_action(request.user, "audit.view")
    kind = request.GET.get("kind") if request.GET.get("kind") in SIGN_IN_KINDS else "success"
    username = (request.GET.get("username") or "").strip()[:150]
    rows = sign_in_records(request.user, kind, username)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "kind": kind, "username": username, "query": query.urlencode()}
    return render(request, "web/audit_sign_ins.html", context)
