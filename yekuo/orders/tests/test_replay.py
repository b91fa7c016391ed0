"""`yekuo replay` runs the live services on a scratch database and equals a live run (R16)."""

import json
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.replay import clocks_report
from yekuo.workcal.tests.conftest import at

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "replay-10kv.json"


def replay(path, when=None) -> dict:
    out = StringIO()
    call_command("replay", str(path), *(["--at", when] if when else []), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.slow  # starts a subprocess
def test_replay_equals_a_live_run(cast, tmp_path):
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    order = services.order_create(
        actor=cast.dispatcher, category="hv10_single", channel="approval_platform", customer_name="x",
        site_address="东区1号", capacity_kva=630, voltage="10kV", occurred_at=at("2026-09-28 09:00"),
        customer_phone="13912345678",
        source=EventSource.IMPORT, receive=False,
    )  # fmt: skip
    for event in example["events"]:
        payload = {k: v for k, v in event.items() if k not in ("at", "type")}
        services.apply_event(order, event["type"], actor=cast.administrator, payload=payload,
                             occurred_at=datetime.fromisoformat(event["at"]),
                             source=EventSource.IMPORT)  # fmt: skip
    when = "2026-10-20T12:00+08:00"
    live = clocks_report(WorkOrder.objects.get(pk=order.pk), datetime.fromisoformat(when))
    replayed = replay(EXAMPLE, when)
    assert replayed["clocks"] == live["clocks"] and replayed["at"] == "2026-10-20T12:00:00+08:00"
    approval = next(c for c in replayed["clocks"] if c["code"] == "approval")
    assert approval["deadline_at"] == "2026-10-12T10:00:00+08:00" and approval["overdue"] is True
    assert next(c for c in replayed["clocks"] if c["code"] == "grid_works")["state"] == "running"
    # I9: the suspension 09-30 15:00 → 10-09 09:00 is 180 + 420 + 30 = 630 minutes, the customer's; the rest of
    # 09-28 09:00 → 10-20 12:00 is the utility's: 390 + 420 + 240 + 390 + 420 (10-10) + 5 × 420 + 420 + 210 = 4590.
    assert replayed["time"] == {"utility_days": 10.93, "customer_days": 1.5, "suspended_days": 1.5,
                                "waiting_days": 0.0, "calendar_days": 22.12, "ongoing": True}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"order": {"category": "hv10_single", "category": "lv_resident"}}', "'category' is given twice"),
        ('{"order": {"category": "hv10_single"}, "events": []}', "order.channel is required"),
        ('{"order": {"category": "hv10_single", "channel": "counter"}, "events": [{"at": "2026-09-28T09:00", '
         '"type": "order.received"}]}', "no UTC offset"),
        ('{"order": {"category": "hv10_single", "channel": "counter"}, "events": [{"at": "2026-09-28T09:00+08:00", '
         '"type": "node.finished"}]}', "not an event type"),
        pytest.param('{"order": {"category": "hv10_single", "channel": "counter"}, "events": [{"at": '
                     '"2026-09-28T09:00+08:00", "type": "node.completed", "node": "acceptance"}]}', "events[0]",
                     marks=pytest.mark.slow),  # refused by the services, in the scratch subprocess
    ],
)  # fmt: skip
def test_bad_replay_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        replay(path)


@pytest.mark.django_db
@pytest.mark.slow  # starts a subprocess
def test_replay_folds_a_suspension_under_review_and_its_approval(tmp_path):
    """I5: the clocks run on while a suspension awaits review; approved, it pauses from its start."""
    events = [
        {"at": "2026-09-29T09:00+08:00", "type": "order.received"},
        {"at": "2026-09-29T10:00+08:00", "type": "node.completed", "node": "acceptance"},
        {"at": "2026-09-29T11:00+08:00", "type": "suspension.started", "reason": "documents_missing",
         "evidence": "x", "review": "pending", "review_reasons": ["self"]},
        {"at": "2026-10-08T11:00+08:00", "type": "suspension.ended"},
    ]  # fmt: skip
    path = tmp_path / "review.json"
    order = {"category": "lv_resident", "channel": "counter"}
    path.write_text(json.dumps({"order": order, "events": events}), encoding="utf-8")
    survey = next(c for c in replay(path)["clocks"] if c["code"] == "survey_plan")
    assert survey["deadline_at"].startswith("2026-09-30T10:00")  # ran through the suspension
    approval = {"at": "2026-10-09T09:00+08:00", "type": "suspension.approved", "suspension": 0}
    path.write_text(json.dumps({"order": order, "events": [*events, approval]}), encoding="utf-8")
    survey = next(c for c in replay(path)["clocks"] if c["code"] == "survey_plan")
    assert survey["deadline_at"].startswith("2026-10-09T10:00")  # paused from its start


@pytest.mark.slow  # starts a subprocess
@pytest.mark.django_db
def test_replay_refuses_a_suspension_reason_the_live_system_refuses(cast, tmp_path):
    """I5: one set of reasons. Replay copies the live, active reasons; it never invents one."""
    from yekuo.orders.models import SuspensionReason

    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    made_up = {**example, "events": [
        {**e, "reason": "weather"} if e["type"] == "suspension.started" else e for e in example["events"]
    ]}  # fmt: skip
    path = tmp_path / "made-up-reason.json"
    path.write_text(json.dumps(made_up), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown suspension reason 'weather'"):
        replay(path)
    # A reason switched off in the live system is refused as the live services refuse it.
    SuspensionReason.objects.filter(code="documents_missing").update(active=False)
    with pytest.raises(CommandError, match="unknown suspension reason 'documents_missing'"):
        replay(EXAMPLE)
    SuspensionReason.objects.create(code="weather", name="天气原因", requires_evidence=False)
    assert replay(path)["clocks"]
