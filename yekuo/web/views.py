from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from yekuo.workcal.models import CalendarYear
from yekuo.workcal.selectors import calendar_revision


def home(request):
    today = timezone.localdate()
    years = list(CalendarYear.objects.all())
    return render(
        request,
        "web/home.html",
        {
            "today": today,
            "official": [y for y in years if not y.provisional],
            "provisional": [y for y in years if y.provisional],
        },
    )


def healthz(request):
    return JsonResponse({"status": "ok", "calendar_revision": calendar_revision()})
