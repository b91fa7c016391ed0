from django.urls import path

from yekuo.monitoring import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.inbox_read, name="inbox_read"),
    path("channels/", views.inbox_channels, name="inbox_channels"),
]
