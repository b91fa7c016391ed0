"""每日在途统计 (R10): the in-transit picture as of an instant, from the event log, around each threshold
(warning at 75 % of the budget, overdue at the deadline), across a holiday and on a make-up day; the fast
path from the stored rows agrees with the replay of the logs."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yekuo.monitoring.snapshot import snapshot, working_day_start
from yekuo.monitoring.tests.conftest import create
from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT
pytestmark = pytest.mark.django_db


def picture(when, method="auto") -> dict:
    """{(branch pk, category, node, state): count} at `when` ('2026-11-02 11:00' Asia/Shanghai)."""
    return dict(snapshot(at(when), method=method).counts)


def states(cast, when) -> dict:
    """{node: state} of the east branch's lv_business nodes at `when`, checked by both methods."""
    auto, replay = picture(when), picture(when, "replay")
    assert auto == replay, f"at {when} the stored rows say {auto}, the log {replay}"
    return {node: state for (_b, _c, node, state), n in auto.items() for _ in range(n)}


def test_acceptance_is_normal_then_warning_then_overdue(cast):
    # lv_business acceptance: 0.5 day = 210 working minutes from 09:00 → deadline 15:00, warning at 75 %
    # (157.5 minutes) → 11:37:30.
    create(cast, "2026-11-02 09:00")
    assert states(cast, "2026-11-02 08:59") == {}  # not created yet
    assert states(cast, "2026-11-02 11:37") == {"acceptance": "normal"}
    assert states(cast, "2026-11-02 11:37:30") == {"acceptance": "warning"}
    assert states(cast, "2026-11-02 13:00") == {"acceptance": "warning"}  # lunch: no working time passes
    assert states(cast, "2026-11-02 15:00") == {"acceptance": "warning"}  # at the deadline: not yet past it
    assert states(cast, "2026-11-02 15:00:01") == {"acceptance": "overdue"}


def test_a_later_event_is_not_seen_before_it_occurred(cast):
    order = create(cast, "2026-11-02 09:00")
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 15:30"), source=IMPORT
    )
    # Before the completion the log says overdue acceptance, although the rows now show the survey.
    assert states(cast, "2026-11-02 15:10") == {"acceptance": "overdue"}
    assert states(cast, "2026-11-02 15:31") == {"survey_plan": "normal"}
    result = snapshot(at("2026-11-02 15:10"))
    assert result.folded == 1  # only the order with an event after the instant was replayed
    assert snapshot(at("2026-11-02 15:31")).folded == 0


def test_across_the_national_day_holiday(cast):
    # From 16:00 on 30 September: 120 minutes that day, the rest on 8 October (1–7 October off):
    # warning at 08:30 + 37.5 min, deadline 10:00.
    create(cast, "2026-09-30 16:00")
    assert states(cast, "2026-10-05 12:00") == {"acceptance": "normal"}  # a week of calendar time, no working time
    assert states(cast, "2026-10-08 09:07") == {"acceptance": "normal"}
    assert states(cast, "2026-10-08 09:07:30") == {"acceptance": "warning"}
    assert states(cast, "2026-10-08 10:00:01") == {"acceptance": "overdue"}


def test_on_a_make_up_saturday(cast):
    # Saturday 10 October 2026 is a working day (调休): from Friday 16:00 the deadline is Saturday 10:00.
    create(cast, "2026-10-09 16:00")
    assert states(cast, "2026-10-10 09:07:30") == {"acceptance": "warning"}
    assert states(cast, "2026-10-10 10:00:01") == {"acceptance": "overdue"}
    assert states(cast, "2026-10-11 10:00") == {"acceptance": "overdue"}


def test_suspended_energized_and_cancelled(cast):
    held = create(cast, "2026-11-02 09:00")
    services.order_suspend(held, actor=cast.customer_manager, reason_code="documents_missing", evidence_note="缺",
                           occurred_at=at("2026-11-02 10:00"), source=IMPORT)  # fmt: skip
    cancelled = create(cast, "2026-11-02 09:00")
    services.order_cancel(cancelled, actor=cast.branch_manager, cancel_reason="客户撤回",
                          occurred_at=at("2026-11-02 10:00"), source=IMPORT)  # fmt: skip
    states(cast, "2026-11-02 09:30")
    assert picture("2026-11-02 09:30") == {(cast.east.pk, "lv_business", "acceptance", "normal"): 2}
    # At 16:00 the suspended order is not overdue (its clock is paused) and the cancelled one is gone.
    assert states(cast, "2026-11-02 16:00") == {"acceptance": "suspended"}
    services.order_resume(held, actor=cast.customer_manager, occurred_at=at("2026-11-03 10:00"), source=IMPORT)
    assert states(cast, "2026-11-02 16:00") == {"acceptance": "suspended"}  # the resumption came later
    # Credited the pause: 60 minutes used before it, 150 left from 10:00 on the 3rd → 14:30 + 30 min = 15:00.
    assert states(cast, "2026-11-03 15:00:01") == {"acceptance": "overdue"}


def test_a_whole_life_agrees_with_the_replay_at_every_step(cast):
    order = create(cast, "2026-11-02 09:00")
    steps = [("acceptance", "2026-11-02 10:00"), ("survey_plan", "2026-11-03 11:00"), ("approval", "2026-11-03 16:00"),
             ("grid_works", "2026-11-09 09:00"), ("contract_energize", "2026-11-09 16:00")]  # fmt: skip
    for node, when in steps:
        services.node_complete(order, actor=_actor(cast, order, node), node=node, occurred_at=at(when), source=IMPORT)
    for when in ["2026-11-02 09:30", "2026-11-02 12:00", "2026-11-03 10:00", "2026-11-03 15:00", "2026-11-05 10:00",
                 "2026-11-09 12:00", "2026-11-09 17:00"]:  # fmt: skip
        states(cast, when)  # asserts auto == replay
    assert states(cast, "2026-11-09 17:00") == {}  # energized: not in transit


def _actor(cast, order, node):
    role = order.nodes.get(code=node).role
    return {"acceptance_clerk": cast.clerk, "customer_manager": cast.customer_manager}.get(role, cast.project_manager)


def test_the_stored_rows_and_the_log_agree_for_the_current_instant(cast):
    from django.utils import timezone

    for when in ("2026-11-02 09:00", "2026-11-20 09:00", "2026-11-25 14:00"):
        create(cast, when)
    now = timezone.now()
    fast, replay = snapshot(now), snapshot(now, method="replay")
    assert fast.counts == replay.counts and fast.folded == 0 and fast.total == 3


def test_working_day_start(table):
    assert working_day_start(table, at("2026-11-02 00:00").date()) == at("2026-11-02 08:30")
    assert working_day_start(table, at("2026-10-10 00:00").date()) == at("2026-10-10 08:30")  # make-up Saturday
    assert working_day_start(table, at("2026-10-03 00:00").date()) == at("2026-10-03 00:00")  # holiday: midnight


def test_the_command_prints_json(cast):
    create(cast, "2026-11-02 09:00")
    out = StringIO()
    call_command("monitor", "snapshot", "--at", "2026-11-02T16:00+08:00", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "at": "2026-11-02T16:00:00+08:00",
        "rows": [{"branch": "east", "category": "lv_business", "node": "acceptance", "state": "overdue", "count": 1}],
    }
    with pytest.raises(CommandError, match="no UTC offset"):
        call_command("monitor", "snapshot", "--at", "2026-11-02T16:00", stdout=StringIO())
