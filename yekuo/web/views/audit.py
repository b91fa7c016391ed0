"""Audit records for the auditor role: who revealed which customer's personal data, when (O9)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yekuo.accounts.scope import restrict
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
