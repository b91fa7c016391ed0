"""Orders with running clocks for the monitoring tests, made through the write path with back-dated entries."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.orders.tests.test_due import create  # an lv_business counter order: its 0.5-day acceptance clock runs
from yekuo.workcal.tests.conftest import at

__all__ = ["complete", "create", "resume", "suspend"]

IMPORT = EventSource.IMPORT


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
