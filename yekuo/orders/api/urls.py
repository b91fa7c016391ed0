"""/api/v1/: orders, their actions, and the control layer's events (docs/api.md)."""

from django.urls import path

from .actions import ACTION_VIEWS
from .events import EventsSlashView, EventsView
from .views import OrderDetailView, OrderListNoSlashView, OrderListView

urlpatterns = [
    path("orders/", OrderListView.as_view(), name="api-orders"),
    path("orders", OrderListNoSlashView.as_view()),
    path("orders/<str:number>/", OrderDetailView.as_view(), name="api-order"),
    *(
        path(f"orders/<str:number>/{name}", view.as_view(), name=f"api-order-{name}")
        for name, view in ACTION_VIEWS.items()
    ),
    path("events", EventsView.as_view(), name="api-events"),
    path("events/", EventsSlashView.as_view()),
]
