import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from yekuo.common import migrated
from yekuo.workcal.models import CalendarYear
from yekuo.workcal.selectors import calendar_revision

logger = logging.getLogger(__name__)


def home(request):
    from yekuo.monitoring import dashboard as selectors
    from yekuo.monitoring import views_stats

    if selectors.sees_dashboard(request.user):  # R9: the control room's home is its dashboard
        return views_stats.dashboard(request)
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
    """Liveness for load balancers and `make run` users: the database and the cache both answer."""
    checks = {}
    try:
        checks["calendar_revision"] = calendar_revision()
        checks["database"] = "ok"
    except DatabaseError as exc:
        logger.warning("healthz: the database does not answer: %s", exc)
        checks["database"] = f"error: {migrated.CODE if migrated.missing_object(exc) else exc.__class__.__name__}"
    try:
        cache.set("yekuo:healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("yekuo:healthz") == "ok" else "error: no round trip"
    except Exception as exc:  # any cache backend failure is a health failure, not a 500
        logger.warning("healthz: the cache does not answer: %r", exc)
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = checks["database"] == "ok" and checks["cache"] == "ok"
    checks["cache_backend"] = "redis" if settings.REDIS_URL else "files"
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
