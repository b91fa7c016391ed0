"""/api/v1/platforms/… (signed pushes) and /api/v1/intake/… (the dispatcher's queue); docs/platforms.md."""

from django.urls import path

from .push import PushView
from .queue import DispatchView, QueueView, RejectView, ReturnView, TransferView

urlpatterns = [
    path("platforms/<slug:platform>/applications", PushView.as_view(), name="api-platform-push"),
    path("intake/queue", QueueView.as_view(), name="api-intake-queue"),
    path("intake/applications/<int:pk>/dispatch", DispatchView.as_view(), name="api-intake-dispatch"),
    path("intake/applications/<int:pk>/return", ReturnView.as_view(), name="api-intake-return"),
    path("intake/applications/<int:pk>/reject", RejectView.as_view(), name="api-intake-reject"),
    path("intake/orders/<str:number>/transfer", TransferView.as_view(), name="api-intake-transfer"),
]
