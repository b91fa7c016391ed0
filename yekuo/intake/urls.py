"""The dispatcher's pages (R3)."""

from django.urls import path

from yekuo.intake import views

urlpatterns = [
    path("", views.queue_page, name="intake_queue"),
    path("export.xlsx", views.queue_export, name="intake_export"),
    path("documents/<int:pk>/", views.document, name="intake_document"),
    path("<int:pk>/<slug:action>/", views.decide, name="intake_decide"),
]
