"""回访 pages (R11)."""

from django.urls import path

from yekuo.visits import views

urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("export.xlsx", views.visit_export, name="visit_export"),
    path("plan/", views.visit_plan, name="visit_plan"),
    path("import/", views.visit_import, name="visit_import"),
    path("<int:pk>/", views.visit_record, name="visit_record"),
    path("problems/", views.problem_list, name="visit_problems"),
    path("problems/<int:pk>/follow-up/", views.problem_follow_up, name="visit_follow_up"),
]
