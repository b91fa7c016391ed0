"""Orders with running clocks for the monitoring tests, made through the write path with back-dated entries."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT


def create(cast, when="2026-11-02 09:00", **kwargs):
    """An lv_business counter order received at `when`: its acceptance clock (0.5 working days) runs."""
    defaults = {
        "actor": cast.clerk, "category": "lv_business", "channel": "counter", "customer_name": "张三",
        "site_address": "东区康和路1号", "capacity_kva": 50, "voltage": "380V", "occurred_at": at(when),
        "source": IMPORT, "customer_phone": "13912345678",
    }  # fmt: skip
    return services.order_create(**{**defaults, **kwargs})


def complete(cast, order, node, when, actor=None):
    return services.node_complete(order, actor=actor or cast.clerk, node=node, occurred_at=at(when), source=IMPORT)


def suspend(cast, order, when):
    return services.order_suspend(
        order, actor=cast.customer_manager, reason_code="documents_missing", evidence_note="缺资料",
        occurred_at=at(when), source=IMPORT,
    )  # fmt: skip


def resume(cast, order, when):
    return services.order_resume(order, actor=cast.customer_manager, occurred_at=at(when), source=IMPORT)


@pytest.fixture(autouse=True)
def _quiet_hours_off(settings):
    """Tests of the thresholds run at any hour; quiet hours have their own tests."""
    settings.YEKUO_QUIET_HOURS = None
