"""业务规范性 pages (R12)."""

from django.urls import path

from yekuo.normativity import views

urlpatterns = [
    path("", views.finding_list, name="normativity"),
    path("export.xlsx", views.finding_export, name="normativity_export"),
]
