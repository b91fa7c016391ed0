"""The bulletin (月度通报, R12) and the assessment (绩效考核, R13) pages."""

from django.urls import path

from yekuo.bulletin import views

urlpatterns = [
    path("bulletin/", views.bulletin_index, name="bulletin_index"),
    path("bulletin/<str:month>/", views.bulletin_month, name="bulletin_month"),
    path("bulletin/<str:month>/r<int:revision>.<str:fmt>", views.bulletin_download, name="bulletin_download"),
    path("assessment/", views.assessment_index, name="assessment_index"),
    path("assessment/<str:month>/", views.assessment_month, name="assessment_month"),
    path("assessment/<str:month>/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessment/<str:month>/<slug:action>/", views.assessment_action, name="assessment_action"),
]
