"""Loading an official schedule recomputes every open clock that depends on it (REQUIREMENTS I7)."""

from pathlib import Path

import pytest

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource
from yekuo.orders.recompute import verify_orders
from yekuo.workcal import services as calendar
from yekuo.workcal.tests.conftest import at

BUNDLED_2026 = Path(calendar.__file__).parent / "data" / "2026.txt"


@pytest.mark.django_db(transaction=False)
def test_official_schedule_moves_open_deadlines_and_records_it(cast, tmp_path, django_capture_on_commit_callbacks):
    def make_order():
        order = services.order_create(
            actor=cast.clerk, category="hv10_single", channel="counter", customer_name="x", site_address="东区1号",
            customer_phone="13912345678",
            capacity_kva=630, voltage="10kV", occurred_at=at("2026-11-16 09:00"), source=EventSource.IMPORT,
        )  # fmt: skip
        for node, when, actor in [
            ("acceptance", "2026-11-16 10:00", cast.clerk),
            ("survey_plan", "2026-11-17 10:00", cast.customer_manager),
        ]:
            services.node_complete(order, actor=actor, node=node, occurred_at=at(when), source=EventSource.IMPORT)
        services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-11-17 11:00"),
                                 source=EventSource.IMPORT)  # fmt: skip
        services.node_complete(order, actor=cast.project_manager, node="approval", occurred_at=at("2026-11-17 15:00"),
                               source=EventSource.IMPORT)  # fmt: skip
        return order

    open_order = make_order()
    works = Clock.objects.get(order=open_order, code="grid_works")
    assert works.deadline_at == at("2026-12-04 15:00")  # 13 working days from 11-17 15:00
    # A (made-up) correction of the 2026 schedule: 2026-12-01 becomes a day off.
    corrected = tmp_path / "2026.txt"
    corrected.write_text(BUNDLED_2026.read_text(encoding="utf-8") + "holiday 2026-12-01 测试调整\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        calendar.calendar_load(corrected, force=True)
    works.refresh_from_db()
    assert works.deadline_at == at("2026-12-07 15:00")  # one working day later, over the weekend
    assert open_order.events.filter(type="calendar.recomputed").count() == 1
    assert open_order.events.get(type="calendar.recomputed").payload == {"years": [2026]}
    assert all(not differences for _, differences in verify_orders())
