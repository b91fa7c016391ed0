from django.urls import path

from yekuo.customers import views

urlpatterns = [
    path("apply", views.apply_start, name="customer_apply"),
    path("apply/<slug:kind>", views.apply, name="customer_apply_kind"),
    path("applied/<str:number>", views.applied, name="customer_applied"),
    path("track", views.track, name="customer_track"),
    path("track/<str:number>", views.order_page, name="customer_order"),
    path("track/<str:number>/rate", views.rate, name="customer_rate"),
    path("track/<str:number>/contract", views.contract_page, name="customer_contract"),
    path("contract/<str:number>.pdf", views.contract_pdf, name="customer_contract_pdf"),
    path("t/<str:token>", views.link, name="customer_link"),
    path("slip/<str:number>.pdf", views.slip_pdf, name="customer_slip_pdf"),
    path("slip/<str:number>", views.slip_page, name="customer_slip"),
    path("documents/<uuid:key>/", views.document, name="customer_document"),
]
