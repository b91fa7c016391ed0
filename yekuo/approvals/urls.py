"""The works pages of an order (R6, R7), beside the order's own pages."""

from django.urls import path

from yekuo.approvals import views

urlpatterns = [
    path("orders/<str:number>/works/", views.works_page, name="works_page"),
    path("orders/<str:number>/works/letter/", views.letter_page, name="works_letter"),
    path("orders/<str:number>/works/letter.pdf", views.letter_download, name="works_letter_pdf"),
    path("orders/<str:number>/works/<slug:key>/", views.works_action, name="works_action"),
    path("orders/<str:number>/works/<slug:key>/<int:pk>/", views.works_action, name="works_item_action"),
]
