"""Shared set-up of the API tests: an authenticated client and orders made through the services."""

from rest_framework.test import APIClient

from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.workcal.tests.conftest import at


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make_order(cast, when="2026-09-29 09:00", **kwargs):
    """A counter order (received at creation), in the past and so entered as an import."""
    defaults = {
        "actor": cast.clerk, "category": "lv_resident", "channel": "counter", "customer_name": "张三",
        "customer_id_number": "152701199001011239", "customer_phone": "13912345678",
        "site_address": "西区园林路2号" if kwargs.get("branch") == cast.west else "东区康和路1号",
        "capacity_kva": 8, "voltage": "220V", "occurred_at": at(when), "source": EventSource.IMPORT,
    }  # fmt: skip
    return services.order_create(**{**defaults, **kwargs})


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message"} and isinstance(body["message"], str), body
    if code:
        assert body["code"] == code, body
    return body
