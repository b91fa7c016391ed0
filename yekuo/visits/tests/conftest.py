"""Energized orders for the return-visit and normativity tests, made through the order services with
entries dated in the past (source import: no reason needed, not a staff back-dated entry)."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import EventSource, OrderEvent, WorkOrder
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT
# lv_resident: acceptance → survey_plan → grid_works → contract_energize, no approval node (I6).
STEPS = (("acceptance", "clerk"), ("survey_plan", "customer_manager"), ("grid_works", "project_manager"),
         ("contract_energize", "customer_manager"))  # fmt: skip


def create(cast, when="2026-11-02 09:00", *, branch="east", category="lv_resident", **kwargs):
    actor = cast.clerk if branch == "east" else cast.west_clerk
    values = {
        "actor": actor, "category": category, "channel": "counter", "customer_name": "张三",
        "site_address": "康和路1号", "capacity_kva": 8, "voltage": "220V", "occurred_at": at(when),
        "service_area": cast.east_area if branch == "east" else cast.west_area,
        "source": IMPORT, "customer_phone": "13912345678",
    }  # fmt: skip
    return services.order_create(**{**values, **kwargs})


def energize(cast, day="2026-11-02", *, branch="east", times=("09:30", "11:00", "16:00", "17:00"), next_day=False):
    """An lv_resident order created at 09:00 on `day` and worked through every node on the same day (the
    last, grid works and energization, the next working day when `next_day`)."""
    order = create(cast, f"{day} 09:00", branch=branch)
    prefix = "west_" if branch == "west" else ""
    for (node, role), when in zip(STEPS, times, strict=True):
        name = {"clerk": "clerk"}.get(role, role)
        actor = getattr(cast, f"{prefix}{name}")
        services.node_complete(order, actor=actor, node=node, occurred_at=at(f"{day} {when}"), source=IMPORT)
    return WorkOrder.objects.get(pk=order.pk)


def rate(order, score, comment="", when=None):
    """The customer's rating from the tracking page (`customer.rated`), written to the log as the customer
    pages record it (the visits read only the log)."""
    order = WorkOrder.objects.get(pk=order.pk)
    seq = order.event_count + 1
    OrderEvent.objects.create(
        order=order,
        seq=seq,
        type="customer.rated",
        occurred_at=when or order.closed_at,
        source="web",
        payload={"score": score, "comment": comment},
    )
    WorkOrder.objects.filter(pk=order.pk).update(event_count=seq)


@pytest.fixture(autouse=True)
def _works_gate_off(settings):
    settings.YEKUO_WORKS_GATE = ()
