"""The order services: each category's full path, suspensions, cancel/reopen, time rules, idempotency,
scope, and `orders verify` (R8, R16)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, NodeInstance, OrderEvent, Suspension, WorkOrder
from yekuo.orders.projection import WorkflowError
from yekuo.orders.selectors import clock_view
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT


def create(cast, category="lv_resident", channel="counter", when="2026-09-29 09:00", **kwargs):
    defaults = {
        "actor": cast.clerk, "category": category, "channel": channel, "customer_name": "张三",
        "site_address": "东区康和路1号", "capacity_kva": 8, "voltage": "220V", "occurred_at": at(when),
        "customer_phone": "13912345678",
        "source": IMPORT,
    }  # fmt: skip
    if kwargs.get("branch") == cast.west:
        defaults["site_address"] = "西区园林路2号"
    return services.order_create(**{**defaults, **kwargs})


def clocks(order):
    return {c.code: c for c in Clock.objects.filter(order=order)}


def test_counter_order_is_received_at_creation_with_readable_number(cast):
    order = create(cast)
    assert order.number.startswith("YK202609") and len(order.number) == 12
    assert order.status == "in_transit" and order.received_at == at("2026-09-29 09:00")
    assert order.branch == cast.east  # proposed from the address
    assert order.regulation_code == "ordos-2022-64"
    acceptance = clocks(order)["acceptance"]
    assert acceptance.state == "running" and acceptance.deadline_at == at("2026-09-29 15:00")
    assert list(order.events.values_list("type", flat=True)) == ["order.created", "order.received"]


def test_platform_order_waits_for_receipt(cast):
    order = create(cast, channel="approval_platform", actor=cast.dispatcher, branch=cast.west)
    assert order.status == "created" and clocks(order)["acceptance"].state == "not_started"
    services.order_receive(order, actor=cast.dispatcher, occurred_at=at("2026-09-29 10:00"), source=IMPORT)
    assert clocks(order)["acceptance"].started_at == at("2026-09-29 10:00")


def test_lv_business_full_path_over_national_day(cast):
    order = create(cast, category="lv_business", voltage="380V", capacity_kva=50)
    steps = [
        (cast.clerk, "acceptance", "2026-09-29 11:00"),
        (cast.customer_manager, "survey_plan", "2026-09-30 10:00"),
        (cast.project_manager, "approval", "2026-09-30 16:00"),
        (cast.project_manager, "grid_works", "2026-10-09 10:00"),
        (cast.customer_manager, "contract_energize", "2026-10-10 17:00"),
    ]
    for actor, node, when in steps:
        if node == "approval":  # I8: low-risk works are filed at once (0 days); otherwise 3
            services.approval_decide(order, actor=actor, low_risk=True, occurred_at=at(when), source=IMPORT)
        services.node_complete(order, actor=actor, node=node, occurred_at=at(when), source=IMPORT)
    order.refresh_from_db()
    assert order.status == "energized" and order.closed_at == at("2026-10-10 17:00")
    c = clocks(order)
    assert c["approval"].deadline_at == at("2026-09-30 18:00")  # 0 days: that working day (I3)
    # 3 days from 09-30 16:00: 120 min + 10-08 + 10-09 + 300 min of the make-up Saturday 10-10.
    assert c["grid_works"].deadline_at == at("2026-10-10 16:00")
    view = clock_view(c["grid_works"])
    assert view.overdue is True and view.state == "done"
    assert not NodeInstance.objects.filter(order=order).exclude(state="done").exists()


def test_hv10_single_low_risk_and_approval_decision(cast):
    order = create(cast, category="hv10_single", voltage="10kV", capacity_kva=630, when="2026-03-02 09:00")
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-03-02 10:00"), source=IMPORT
    )
    services.node_complete(
        order,
        actor=cast.customer_manager,
        node="survey_plan",
        occurred_at=at("2026-03-03 10:00"),
        source=IMPORT,
    )
    approval = clocks(order)["approval"]
    assert (approval.limit_days, approval.condition_pending, approval.deadline_at) == (
        3,
        True,
        at("2026-03-06 10:00"),
    )
    services.approval_decide(
        order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-03-03 11:00"), source=IMPORT
    )
    approval = clocks(order)["approval"]
    assert (approval.limit_days, approval.condition_pending, approval.deadline_at) == (
        0,
        False,
        at("2026-03-03 18:00"),
    )
    order.refresh_from_db()
    assert order.low_risk is True


def test_suspension_with_evidence_pauses_and_resumes(cast):
    order = create(cast)
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=IMPORT
    )
    with pytest.raises(InvalidInput, match="needs evidence"):
        services.order_suspend(
            order,
            actor=cast.clerk,
            reason_code="documents_missing",
            occurred_at=at("2026-09-29 11:00"),
            source=IMPORT,
        )
    with pytest.raises(InvalidInput, match="unknown suspension reason"):
        services.order_suspend(order, actor=cast.clerk, reason_code="weather", evidence_note="x", source=IMPORT)
    services.order_suspend(order, actor=cast.clerk, reason_code="documents_missing", evidence_note="缺产权证明",
                           occurred_at=at("2026-09-29 11:00"), source=IMPORT)  # fmt: skip
    order.refresh_from_db()
    assert order.status == "suspended" and clocks(order)["survey_plan"].state == "paused"
    services.order_resume(order, actor=cast.clerk, occurred_at=at("2026-10-08 11:00"), source=IMPORT)
    survey = clocks(order)["survey_plan"]
    assert survey.state == "running" and survey.deadline_at == at("2026-10-09 10:00")
    suspension = Suspension.objects.get(order=order)
    assert (suspension.reason_id, suspension.evidence_note, suspension.ended_at) == (
        "documents_missing",
        "缺产权证明",
        at("2026-10-08 11:00"),
    )
    with pytest.raises(WorkflowError, match="not suspended"):
        services.order_resume(order, actor=cast.clerk, occurred_at=at("2026-10-08 12:00"), source=IMPORT)


def test_cancel_and_reopen(cast):
    order = create(cast)
    with pytest.raises(Forbidden):
        services.order_cancel(order, actor=cast.clerk, cancel_reason="x", source=IMPORT)
    services.order_cancel(
        order,
        actor=cast.branch_manager,
        cancel_reason="客户撤回申请",
        occurred_at=at("2026-09-29 10:00"),
        source=IMPORT,
    )
    order.refresh_from_db()
    assert order.status == "cancelled"
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.order_reopen(order, actor=cast.branch_manager, reopen_reason=" ", source=IMPORT)
    services.order_reopen(
        order,
        actor=cast.branch_manager,
        reopen_reason="客户重新申请",
        occurred_at=at("2026-09-30 10:00"),
        source=IMPORT,
    )
    order.refresh_from_db()
    assert order.status == "in_transit" and clocks(order)["acceptance"].state == "running"


def test_errors_for_impossible_steps(cast):
    order = create(cast)
    with pytest.raises(WorkflowError, match="before acceptance"):
        services.node_complete(
            order,
            actor=cast.customer_manager,
            node="survey_plan",
            occurred_at=at("2026-09-29 10:00"),
            source=IMPORT,
        )
    with pytest.raises(InvalidInput, match="in the future"):
        services.node_complete(
            order, actor=cast.clerk, node="acceptance", occurred_at=timezone.now() + timedelta(hours=1)
        )
    with pytest.raises(InvalidInput, match="before the order was created"):
        services.node_complete(
            order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-28 10:00"), source=IMPORT
        )
    with pytest.raises(Forbidden, match="customer_manager role"):
        services.node_complete(order, actor=cast.clerk, node="survey_plan", occurred_at=at("2026-09-29 10:00"))


def test_back_dated_web_entry_needs_a_reason_and_is_flagged(cast):
    order = create(cast)
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"))
    event = services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"),
                                   reason="系统故障后补录")  # fmt: skip
    assert event.backdated is True and event.reason == "系统故障后补录"
    fresh = services.node_complete(order, actor=cast.customer_manager, node="survey_plan")
    assert fresh.backdated is False


def test_repeated_requests_with_the_same_key_do_not_duplicate(cast):
    first = create(cast, idempotency_key="push-1")
    again = create(cast, idempotency_key="push-1")
    assert first.pk == again.pk and WorkOrder.objects.count() == 1
    e1 = services.node_complete(first, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"),
                                source=IMPORT, idempotency_key="done-1")  # fmt: skip
    e2 = services.node_complete(first, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"),
                                source=IMPORT, idempotency_key="done-1")  # fmt: skip
    assert e1.pk == e2.pk and OrderEvent.objects.filter(order=first).count() == 3


def test_scope_keeps_each_branch_to_itself(cast):
    order = create(cast)
    with pytest.raises(Forbidden):
        services.node_complete(
            order, actor=cast.west_clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=IMPORT
        )
    with pytest.raises(Forbidden):
        services.node_complete(
            order, actor=cast.outsider, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=IMPORT
        )
    with pytest.raises(Forbidden):
        create(cast, actor=cast.west_clerk, branch=cast.east)


def test_a_failed_action_leaves_nothing_behind(cast):
    order = create(cast)
    before = (OrderEvent.objects.count(), list(Clock.objects.values_list("state", "deadline_at")))
    with pytest.raises(WorkflowError):
        services.node_complete(
            order,
            actor=cast.project_manager,
            node="grid_works",
            occurred_at=at("2026-09-29 10:00"),
            source=IMPORT,
        )
    assert (OrderEvent.objects.count(), list(Clock.objects.values_list("state", "deadline_at"))) == before


def test_verify_finds_tampered_rows(cast):
    order = create(cast)
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=IMPORT
    )
    out = StringIO()
    call_command("orders", "verify", stdout=out)
    assert "1 consistent, 0 differ" in out.getvalue()
    Clock.objects.filter(order=order, code="survey_plan").update(deadline_at=at("2026-12-31 18:00"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("orders", "verify", stdout=out)
    assert f"{order.number}: 1 difference(s)" in out.getvalue()
    assert "clocks.survey_plan.deadline_at" in out.getvalue()


def test_a_batch_applies_what_folds_and_reports_the_rest(cast):
    order = create(cast)
    steps = [
        services.Step("node.completed", {"node": "acceptance"}, at("2026-09-29 10:00"), "b-1"),
        services.Step("node.completed", {"node": "grid_works"}, at("2026-09-29 11:00"), "b-2"),  # not yet
        services.Step("node.completed", {"node": "survey_plan"}, at("2026-09-29 12:00"), "b-3"),
        services.Step("node.completed", {"node": "acceptance"}, at("2026-09-29 10:00"), "b-1"),  # repeated key
    ]
    results = services.apply_events(order, steps, actor=cast.administrator, source=IMPORT)
    assert isinstance(results[0], OrderEvent) and isinstance(results[2], OrderEvent)
    assert isinstance(results[1], WorkflowError) and "before survey_plan" in results[1].message
    assert results[3].pk == results[0].pk  # the repeated key is the same event, recorded once
    assert list(order.events.values_list("type", "seq")) == [
        ("order.created", 1), ("order.received", 2), ("node.completed", 3), ("node.completed", 4),
    ]  # fmt: skip
    again = services.apply_events(order, steps[:1], actor=cast.administrator, source=IMPORT)
    assert again[0].pk == results[0].pk  # idempotent across batches
    from yekuo.orders.recompute import verify_orders

    assert all(not d for _, d in verify_orders())


def test_an_atomic_batch_writes_nothing_when_a_step_fails(cast):
    order = create(cast)
    steps = [
        services.Step("node.completed", {"node": "acceptance"}, at("2026-09-29 10:00")),
        services.Step("node.completed", {"node": "grid_works"}, at("2026-09-29 11:00")),
    ]
    with pytest.raises(WorkflowError, match=order.number):
        services.apply_events(order, steps, actor=cast.administrator, source=IMPORT, atomic=True)
    assert order.events.count() == 2


def test_customer_time_is_counted_apart_from_utility_time(cast):
    from yekuo.orders.selectors import time_split

    order = create(cast)  # received 2026-09-29 09:00
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=IMPORT
    )
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来电要求暂缓",
                           occurred_at=at("2026-09-29 11:00"), source=IMPORT)  # fmt: skip
    services.order_resume(order, actor=cast.clerk, occurred_at=at("2026-10-08 11:00"), source=IMPORT)
    split = time_split(WorkOrder.objects.get(pk=order.pk), when=at("2026-10-08 12:00"))
    # utility: 09:00–11:00 on 09-29 and 11:00–12:00 on 10-08 = 180 minutes;
    # customer: 09-29 11:00 → 10-08 11:00 = 60 + 210 (09-29) + 420 (09-30) + 150 (10-08) = 840 minutes.
    assert (split.utility_seconds, split.customer_seconds) == (180 * 60, 840 * 60)
    assert (split.utility_days, split.customer_days) == (0.43, 2.0)


def test_an_order_created_with_its_history_equals_one_worked_step_by_step(cast):
    from yekuo.orders.recompute import verify_orders
    from yekuo.orders.replay import clocks_report

    history = [
        ("node.completed", {"node": "acceptance"}, "2026-09-29 10:00"),
        ("suspension.started", {"reason": "customer_request", "evidence": "电话"}, "2026-09-29 11:00"),
        ("suspension.ended", {}, "2026-10-08 11:00"),
        ("node.completed", {"node": "survey_plan"}, "2026-10-08 15:00"),
    ]
    steps = [services.Step(kind, payload, at(when)) for kind, payload, when in history]
    at_once = create(cast, steps=steps, actor=cast.administrator)
    one_by_one = create(cast, actor=cast.administrator)
    for kind, payload, when in history:
        services.apply_event(
            one_by_one, kind, actor=cast.administrator, payload=payload, occurred_at=at(when), source=IMPORT
        )
    when = at("2026-10-09 12:00")
    assert clocks_report(at_once, when) == clocks_report(one_by_one, when)
    assert Suspension.objects.get(order=at_once).ended_at == at("2026-10-08 11:00")
    assert all(not d for _, d in verify_orders())
    bad = [*steps, services.Step("node.completed", {"node": "contract_energize"}, at("2026-10-08 16:00"))]
    with pytest.raises(WorkflowError):
        create(cast, steps=bad, actor=cast.administrator)
    assert WorkOrder.objects.count() == 2
