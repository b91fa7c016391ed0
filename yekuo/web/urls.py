"""The staff pages. URL names are global (no namespace) so that settings.LOGIN_URL = "login" resolves."""

from django.contrib.auth import views as auth_views
from django.urls import path

from yekuo.web.views import audit, detail, exports, orders, progress, reviews, status, work

urlpatterns = [
    path("", status.home, name="home"),
    path("healthz", status.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("progress/", progress.progress, name="progress"),  # R1: a redirect to /c/track (yekuo/customers)
    path("work/", work.my_work_page, name="my_work"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/<int:pk>/", reviews.review_decide, name="review_decide"),
    path("reviews/entries/<int:pk>/", reviews.entry_decide, name="entry_decide"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/export.xlsx", orders.order_export, name="order_export"),
    path("exports/<int:pk>/", exports.export_job, name="export_job"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<str:number>/", detail.order_detail, name="order_detail"),
    path("orders/<str:number>/actions/<slug:key>/", detail.order_action, name="order_action"),
    path("orders/<str:number>/evidence/<int:position>/", detail.suspension_evidence, name="suspension_evidence"),
    path("orders/<str:number>/reveal/<slug:field>/", detail.reveal, name="reveal_personal_data"),
    path("audit/personal-data/", audit.reveals, name="audit_reveals"),
    path("audit/sign-ins/", audit.sign_ins, name="audit_sign_ins"),
]
