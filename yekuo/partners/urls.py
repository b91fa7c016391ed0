from django.urls import path

from yekuo.partners import views

urlpatterns = [path("partners/answers", views.answers, name="partner_answers")]
