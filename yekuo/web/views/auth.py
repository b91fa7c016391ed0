"""The answer to a sign-in refused by django-axes (settings.AXES_LOCKOUT_CALLABLE): when to try again, and why.

Each failure during a lockout starts the cool-off again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the
lockout ends AXES_COOLOFF_TIME after this very request: the time shown is exact, in Asia/Shanghai.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def locked_out(request, original_response=None, credentials=None):
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "until": timezone.localtime(timezone.now() + cool_off),
        "minutes": int(cool_off.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "web/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
