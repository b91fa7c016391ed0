"""Sign-in records (django-axes) in the admin for auditors as well as administrators (S2, R16).

Axes registers its three lists (attempts being counted, every successful sign-in and sign-out, every failure) for
users with Django's model permissions. Auditors read the sign-ins on their own page (登录记录, web/views/audit.py),
without the admin site; one who is also given the staff flag reads them here by role: read only, with no other
admin page (docs/security.md). Clearing attempts, which unlocks an account or an address, stays with the
administrators.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from yekuo.accounts.permissions import has_role


def _auditor(request) -> bool:
    return has_role(request.user, "auditor")


class AuditorsMayRead:
    def has_module_permission(self, request):
        return _auditor(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _auditor(request) or super().has_view_permission(request, obj)


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (AuditorsMayRead, model_admin), {}))
