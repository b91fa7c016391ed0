"""储备库 pages (R5)."""

from django.urls import path

from yekuo.reserve import views

urlpatterns = [
    path("", views.library, name="reserve_library"),
    path("export.xlsx", views.library_export, name="reserve_export"),
    path("template.xlsx", views.import_template, name="reserve_template"),
    path("new/", views.project_new, name="reserve_new"),
    path("import/", views.project_import, name="reserve_import"),
    path("matches/<int:pk>/<slug:decision>/", views.match_decide, name="reserve_match"),
    path("<int:pk>/", views.project_page, name="reserve_project"),
    path("<int:pk>/<slug:action>/", views.project_action, name="reserve_action"),
]
