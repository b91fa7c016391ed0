"""The rule that sends a suspension to a second person (I5), its actions, and their scope."""

from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.common.errors import Forbidden
from yekuo.orders import services
from yekuo.orders.models import EventSource, Suspension
from yekuo.orders.suspension_review import awaiting_review, suspension_approve, suspension_reject
from yekuo.web.tests.helpers import complete, make_order
from yekuo.workcal.tests.conftest import at

WEB = EventSource.WEB


@pytest.fixture
def not_backdated(settings):
    """Fixed past dates, as if each entry were recorded when it happened (the back-dating rule is its own test)."""
    settings.YEKUO_BACKDATE_MINUTES = 10**8


def at_grid_works(cast, branch=None):
    """An LV residential order whose supply plan is done: grid_works (project manager) is active and running."""
    order = make_order(cast, when="2026-09-29 09:00", branch=branch)
    east = branch is None or branch == cast.east
    complete(order, cast.clerk if east else cast.west_clerk, "acceptance", "2026-09-29 10:00")
    complete(order, cast.customer_manager if east else cast.west_customer_manager, "survey_plan", "2026-09-29 11:00")
    return order


def grid_works(order):
    return order.clocks.get(code="grid_works")


def suspend(order, actor, when, **options):
    return services.order_suspend(order, actor=actor, reason_code="customer_request", evidence_note="客户书面要求暂缓",
                                  occurred_at=at(when), source=WEB, **options)  # fmt: skip


def test_own_suspension_waits_for_a_second_person_and_then_pauses_from_its_start(cast, not_backdated):
    order = at_grid_works(cast)
    suspend(order, cast.project_manager, "2026-09-29 14:30")
    suspension = Suspension.objects.get(order=order)
    assert (suspension.review, suspension.review_reasons) == ("pending", ["self"])
    order.refresh_from_db()
    assert order.status == "suspended" and grid_works(order).state == "running"  # the clock runs on
    assert list(awaiting_review(cast.branch_manager)) == [suspension]

    with pytest.raises(Forbidden):  # not a reviewer
        suspension_approve(order, actor=cast.project_manager, position=0, occurred_at=at("2026-09-30 09:00"))
    suspension_approve(order, actor=cast.branch_manager, position=0, occurred_at=at("2026-09-30 09:00"), source=WEB)
    clock = grid_works(order)
    assert clock.state == "paused" and clock.pauses == [["2026-09-29T06:30:00+00:00", None]]
    assert list(awaiting_review(cast.branch_manager)) == []
    services.order_resume(order, actor=cast.project_manager, occurred_at=at("2026-10-08 14:30"), source=WEB)
    out = StringIO()
    call_command("orders", "verify", stdout=out)  # the log replays to the rows
    assert "1 consistent, 0 differ" in out.getvalue()


def test_someone_else_s_suspension_of_the_moment_needs_no_review(cast, not_backdated):
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30")  # grid_works is the project manager's
    assert Suspension.objects.get(order=order).review == ""
    assert grid_works(order).state == "paused"


def test_a_back_dated_suspension_needs_review(cast):
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30", reason="客户当天来电，次日补录")
    suspension = Suspension.objects.get(order=order)
    assert (suspension.review, suspension.review_reasons) == ("pending", ["backdated"])
    assert grid_works(order).state == "running"


def test_the_self_rule_can_be_turned_off(cast, not_backdated, settings):
    settings.YEKUO_SUSPENSION_REVIEW_SELF = False
    order = at_grid_works(cast)
    suspend(order, cast.project_manager, "2026-09-29 14:30")
    assert Suspension.objects.get(order=order).review == ""


def test_a_long_suspension_is_reviewed_when_it_ends(cast, not_backdated, settings):
    settings.YEKUO_SUSPENSION_REVIEW_DAYS = 2
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30")
    assert grid_works(order).state == "paused"
    services.order_resume(order, actor=cast.customer_manager, occurred_at=at("2026-10-09 14:30"), source=WEB)
    suspension = Suspension.objects.get(order=order)
    assert (suspension.review, suspension.review_reasons) == ("pending", ["long"])
    assert grid_works(order).pauses == []  # withdrawn until approved
    suspension_reject(
        order, actor=cast.dispatcher, position=0, note="无客户书面材料", occurred_at=at("2026-10-09 15:00")
    )
    suspension.refresh_from_db()
    assert suspension.review == "rejected" and grid_works(order).pauses == []


def test_a_short_suspension_is_not_long(cast, not_backdated, settings):
    settings.YEKUO_SUSPENSION_REVIEW_DAYS = 2
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30")
    services.order_resume(order, actor=cast.customer_manager, occurred_at=at("2026-09-30 14:30"), source=WEB)
    assert Suspension.objects.get(order=order).review == ""


def test_the_sender_cannot_set_the_review_itself(cast, not_backdated):
    order = at_grid_works(cast)
    payload = {"reason": "customer_request", "evidence": "x", "review": "approved", "review_reasons": []}
    services.apply_event(order, "suspension.started", actor=cast.project_manager, payload=payload,
                         occurred_at=at("2026-09-29 14:30"), source=WEB)  # fmt: skip
    assert Suspension.objects.get(order=order).review == "pending"


def test_the_one_who_started_it_cannot_approve_it(cast, not_backdated):
    order = at_grid_works(cast)
    services.order_suspend(order, actor=cast.administrator, reason_code="customer_request", evidence_note="x",
                           occurred_at=at("2026-09-29 14:30"), source=WEB, reason="")  # fmt: skip
    # The administrator holds no node role and is no assignee: no review, so make one that needs it.
    order2 = at_grid_works(cast)
    services.order_assign(order2, actor=cast.administrator, node="grid_works", assignee=cast.administrator)
    services.order_suspend(order2, actor=cast.administrator, reason_code="customer_request", evidence_note="x",
                           occurred_at=at("2026-09-29 14:30"), source=WEB)  # fmt: skip
    assert Suspension.objects.get(order=order2).review == "pending"
    with pytest.raises(Forbidden, match="second person"):
        suspension_approve(order2, actor=cast.administrator, position=0, occurred_at=at("2026-09-30 09:00"))


def test_reviews_are_kept_to_each_branch(cast, not_backdated):
    east = at_grid_works(cast)
    west = at_grid_works(cast, branch=cast.west)
    suspend(east, cast.project_manager, "2026-09-29 14:30")
    suspend(west, cast.west_project_manager, "2026-09-29 14:30")
    assert [s.order for s in awaiting_review(cast.branch_manager)] == [east]
    assert [s.order for s in awaiting_review(cast.west_branch_manager)] == [west]
    assert {s.order for s in awaiting_review(cast.dispatcher)} == {east, west}  # the customer service center
    assert list(awaiting_review(cast.project_manager)) == []
    with pytest.raises(Forbidden):
        suspension_approve(east, actor=cast.west_branch_manager, position=0, occurred_at=at("2026-09-30 09:00"))


def test_a_suspension_awaiting_review_is_not_customer_time(cast, not_backdated):
    from yekuo.orders.selectors import time_split

    order = at_grid_works(cast)
    suspend(order, cast.project_manager, "2026-09-29 14:30")
    services.order_resume(order, actor=cast.project_manager, occurred_at=at("2026-09-30 14:30"), source=WEB)
    order.refresh_from_db()
    pending = time_split(order, at("2026-09-30 15:00"))
    assert pending.suspended_seconds == 0 and pending.customer_seconds == 0
    suspension_approve(order, actor=cast.branch_manager, position=0, occurred_at=at("2026-09-30 15:00"), source=WEB)
    order.refresh_from_db()
    approved = time_split(order, at("2026-09-30 15:00"))
    assert approved.suspended_seconds == 420 * 60 == approved.customer_seconds


def test_an_open_suspension_goes_to_review_when_it_passes_the_length(cast, not_backdated, settings, monkeypatch):
    """I5: longer than YEKUO_SUSPENSION_REVIEW_DAYS is reviewed when it passes that length, not only at its
    end; time is frozen at chosen instants around the passing."""
    from datetime import timedelta

    from yekuo.orders import tasks
    from yekuo.orders.suspension_review import _working_days, flag_long_suspensions, passes_limit_at

    settings.YEKUO_SUSPENSION_REVIEW_DAYS = 5
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30")  # not the grid works' own manager: no review yet
    suspension = Suspension.objects.get(order=order)
    assert suspension.review == "" and grid_works(order).state == "paused"
    passed = passes_limit_at(order, suspension.started_at, 5)
    assert _working_days(order, suspension.started_at, passed) == 5

    frozen = {"now": passed - timedelta(minutes=1)}
    monkeypatch.setattr("yekuo.orders.suspension_review.timezone.now", lambda: frozen["now"])
    assert tasks.review_long_suspensions.call_local() == 0  # not yet
    assert list(awaiting_review(cast.branch_manager)) == []
    frozen["now"] = passed + timedelta(minutes=1)
    assert tasks.review_long_suspensions.call_local() == 1
    monkeypatch.undo()  # the clock runs again
    assert flag_long_suspensions(passed + timedelta(days=3)) == 0  # once

    suspension.refresh_from_db()
    assert (suspension.review, suspension.review_reasons, suspension.ended_at) == ("pending", ["long"], None)
    flagged = order.events.get(type="suspension.flagged")
    assert flagged.occurred_at == passed and flagged.actor is None and flagged.source == EventSource.SYSTEM
    order.refresh_from_db()
    assert order.status == "suspended" and grid_works(order).state == "running"  # runs until approved
    assert list(awaiting_review(cast.branch_manager)) == [suspension]

    approved_at = passed + timedelta(hours=1)
    suspension_approve(order, actor=cast.branch_manager, position=0, occurred_at=approved_at, source=WEB)
    clock = grid_works(order)
    assert clock.state == "paused" and clock.pauses == [["2026-09-29T06:30:00+00:00", None]]  # from its start
    services.order_resume(order, actor=cast.customer_manager, occurred_at=passed + timedelta(days=1), source=WEB)
    assert Suspension.objects.get(order=order).review == "approved"  # not sent to review again at its end
    out = StringIO()
    call_command("orders", "verify", stdout=out)
    assert "1 consistent, 0 differ" in out.getvalue()


def test_a_flagged_suspension_ended_before_review_stays_pending_once(cast, not_backdated, settings):
    from datetime import timedelta

    from yekuo.orders.suspension_review import flag_long_suspensions, passes_limit_at

    settings.YEKUO_SUSPENSION_REVIEW_DAYS = 2
    order = at_grid_works(cast)
    suspend(order, cast.customer_manager, "2026-09-29 14:30")
    passed = passes_limit_at(order, Suspension.objects.get(order=order).started_at, 2)
    assert flag_long_suspensions(passed + timedelta(minutes=5)) == 1
    services.order_resume(order, actor=cast.customer_manager, occurred_at=passed + timedelta(days=1), source=WEB)
    suspension = Suspension.objects.get(order=order)
    assert (suspension.review, suspension.review_reasons) == ("pending", ["long"])
    assert grid_works(order).pauses == []  # no pause counts until approved
    settings.YEKUO_SUSPENSION_REVIEW_DAYS = None
    assert flag_long_suspensions(passed + timedelta(days=30)) == 0
