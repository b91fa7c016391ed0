"""A what-if: `yekuo replay` evaluates a planned history whose events lie in the future, at any instant; the live
services keep refusing a future time (R16). Dates are relative to today, so the tests hold whenever the
suite runs; the expected deadlines come from the clock engine, which tests/workcal check by hand."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from yekuo.common.errors import InvalidInput
from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource
from yekuo.orders.tests.test_replay import replay
from yekuo.workcal.engine import SHANGHAI

IMPORT = EventSource.IMPORT
pytestmark = pytest.mark.django_db


def ahead(days: int, hm: str) -> datetime:
    """A local time `days` after today: in the future whenever the suite runs."""
    return datetime.combine(timezone.localdate() + timedelta(days=days), time.fromisoformat(hm), SHANGHAI)


def create(cast, **options):
    return services.order_create(
        actor=cast.clerk, category="lv_resident", channel="counter", customer_name="张三", site_address="东区康和路1号",
        customer_phone="13912345678", capacity_kva=8, voltage="220V", source=IMPORT, **options,
    )  # fmt: skip


def test_the_live_services_refuse_a_future_time(cast):
    with pytest.raises(InvalidInput, match="in the future"):
        create(cast, occurred_at=ahead(3, "09:00"))
    order = create(cast, occurred_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(InvalidInput, match="in the future"):
        services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=ahead(3, "10:00"), source=IMPORT)


def test_a_what_if_is_an_explicit_parameter_that_accepts_future_times(cast):
    order = create(cast, occurred_at=ahead(3, "09:00"), what_if=True)
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=ahead(3, "10:00"), source=IMPORT, what_if=True
    )
    acceptance = Clock.objects.get(order=order, code="acceptance")
    assert order.created_at == ahead(3, "09:00") and acceptance.completed_at == ahead(3, "10:00")


def plan(tmp_path) -> str:
    """'If the survey is done in ten days, what is the approval's deadline?'"""
    events = [
        {"at": ahead(7, "09:00").isoformat(), "type": "order.received"},
        {"at": ahead(7, "10:00").isoformat(), "type": "node.completed", "node": "acceptance"},
        {"at": ahead(10, "16:00").isoformat(), "type": "node.completed", "node": "survey_plan"},
    ]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"order": {"category": "hv10_single", "channel": "counter"}, "events": events}))
    return str(path)


@pytest.mark.slow  # replay runs in a scratch process
def test_replay_evaluates_a_planned_history_at_its_last_event(tmp_path, table):
    result = replay(plan(tmp_path))
    assert result["at"] == ahead(10, "16:00").isoformat() and "events_after_at" not in result
    clocks = {c["code"]: c for c in result["clocks"]}
    assert clocks["survey_plan"]["state"] == "done" and clocks["approval"]["state"] == "running"
    expected = table.deadline(ahead(10, "16:00"), 3).at  # approval: 3 days until R6 decides (I2)
    assert clocks["approval"]["started_at"] == ahead(10, "16:00").isoformat()
    assert clocks["approval"]["deadline_at"] == expected.isoformat()
    assert result["time"]["ongoing"] is True and result["time"]["customer_days"] == 0


@pytest.mark.slow  # replay runs in a scratch process
def test_replay_at_an_earlier_instant_applies_only_the_events_up_to_it(tmp_path, table):
    result = replay(plan(tmp_path), ahead(8, "12:00").isoformat())
    assert result["at"] == ahead(8, "12:00").isoformat() and result["events_after_at"] == 1
    clocks = {c["code"]: c for c in result["clocks"]}
    assert clocks["survey_plan"]["state"] == "running" and clocks["approval"]["state"] == "not_started"
    used = table.elapsed(ahead(7, "10:00"), ahead(8, "12:00"))
    assert clocks["survey_plan"]["used_days"] == round(used.working_seconds / used.day_seconds, 6)
