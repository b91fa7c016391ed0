from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("yekuo.orders.api.urls")),
    path("api/v1/", include("yekuo.partners.urls")),
    path("api/v1/", include("yekuo.intake.api.urls")),
    path("intake/", include("yekuo.intake.urls")),
    path("monitoring/", include("yekuo.monitoring.urls_stats")),
    path("inbox/", include("yekuo.monitoring.urls")),
    path("api/v1/", include("yekuo.approvals.api")),
    path("", include("yekuo.approvals.urls")),
    path("visits/", include("yekuo.visits.urls")),
    path("normativity/", include("yekuo.normativity.urls")),
    path("", include("yekuo.bulletin.urls")),
    path("", include("yekuo.web.urls")),
    path("api/v1/", include("yekuo.reports.api")),
]

# JSON errors for /api/ paths that no API view handles; Django's pages everywhere else (docs/api.md).
handler404 = "yekuo.common.api.handler404"
handler500 = "yekuo.common.api.handler500"
