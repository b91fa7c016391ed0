"""The dashboard and the daily overdue-warning list (R9, R10)."""

from django.urls import path

from yekuo.monitoring import views_stats

urlpatterns = [
    path("dashboard/", views_stats.dashboard, name="monitoring_dashboard"),
    path("alarms/", views_stats.alarms, name="monitoring_alarms"),
    path("alarms/export.xlsx", views_stats.alarms_export, name="monitoring_alarms_export"),
]
