"""The order detail: header, timeline, history, and every action through its form (O5)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yekuo.orders.models import Clock, OrderEvent, Suspension
from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def act(client, order, key, **data):
    return client.post(f"/orders/{order.number}/actions/{key}/", {f"{key}-{k}": v for k, v in data.items()})


def test_detail_shows_header_timeline_and_history(client, cast):
    order = make_order(cast, category="hv10_single", when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-03 10:00")
    text = login(client, cast.clerk, cast).get(f"/orders/{order.number}/").content.decode()
    assert order.number in text and "10千伏单电源" in text and "营业厅" in text and "ordos-2022-64" in text
    assert "152***********1239" in text and "东区供电分公司" in text
    for clock in Clock.objects.filter(order=order, started_at__isnull=False):
        assert local(clock.deadline_at) in text
    approval = text.split('data-clock="approval"', 1)[1].split("</li>", 1)[0]
    assert "0/3 待定" in approval and "办理行政审批（备案）手续" in approval and "超期" in approval
    grid = text.split('data-clock="grid_works"', 1)[1].split("</li>", 1)[0]
    assert "13 工作日" in grid and "未开始" in grid
    assert text.count("完成节点") >= 2 and "创建工单" in text  # the history


def test_another_branchs_order_is_not_found(client, cast):
    west = make_order(cast, branch=cast.west)
    login(client, cast.clerk, cast)
    assert client.get(f"/orders/{west.number}/").status_code == 404
    assert act(client, west, "complete", node="acceptance").status_code == 404
    assert login(client, cast.dispatcher, cast).get(f"/orders/{west.number}/").status_code == 200


def test_actions_offered_follow_roles_and_node_owners(client, cast):
    order = make_order(cast, when=None)

    def offered(user) -> set[str]:
        page = login(client, user, cast).get(f"/orders/{order.number}/")
        return {action.key for action, _form in page.context["actions"]}

    assert offered(cast.clerk) == {"complete", "suspend", "edit", "joint"}  # joint: R4, offered at acceptance
    assert offered(cast.customer_manager) == {"suspend", "edit"}  # survey not active yet: nothing to complete
    assert offered(cast.branch_manager) == {"assign", "cancel"}
    assert offered(cast.auditor) == set()
    login(client, cast.auditor, cast)
    assert act(client, order, "complete", node="acceptance").status_code == 403
    assert act(client, order, "nonsense").status_code == 404


def test_complete_a_node_redirects_with_a_message(client, cast):
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    response = act(client, order, "complete", node="acceptance", note="资料齐全")
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert "已完成节点：业务受理" in client.get(response["Location"]).content.decode()
    assert OrderEvent.objects.filter(order=order, type="node.completed").get().payload["note"] == "资料齐全"


def test_refusals_are_shown_on_the_form_never_a_500(client, cast):
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    missing = act(client, order, "suspend", reason_code="documents_missing")
    assert missing.status_code == 400 and "须提供证明" in missing.content.decode()
    early = act(
        client, order, "complete", node="acceptance", occurred_at=local(order.created_at - timedelta(minutes=1))
    )
    assert early.status_code == 400 and "早于工单创建时间" in early.content.decode()
    future = act(client, order, "resume", occurred_at="2099-01-01T10:00")
    assert future.status_code == 400 and "流程不允许" not in future.content.decode()
    fragment = client.post(
        f"/orders/{order.number}/actions/suspend/", {"suspend-reason_code": "documents_missing"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200 and "须提供证明" in fragment.content.decode()
    assert "navbar" not in fragment.content.decode()


def test_back_dated_entry_needs_a_reason_then_is_flagged(client, cast):
    order = make_order(cast, when="2026-11-02 09:00")
    login(client, cast.clerk, cast)
    refused = act(client, order, "complete", node="acceptance", occurred_at="2026-11-02T10:00")
    assert refused.status_code == 400 and refused.context["form"].errors["reason"]
    ok = act(client, order, "complete", node="acceptance", occurred_at="2026-11-02T10:00", reason="系统故障后补录")
    assert ok.status_code == 302
    event = OrderEvent.objects.get(order=order, type="node.completed")
    assert event.backdated and event.reason == "系统故障后补录" and local(event.occurred_at) == "2026-11-02 10:00"
    assert "补录" in client.get(f"/orders/{order.number}/").content.decode()


def test_suspend_with_evidence_file_and_resume(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    scan = b"%PDF-1.4\n" + "客户未提供产权证明".encode()
    upload = SimpleUploadedFile("缺件通知.pdf", scan, content_type="application/pdf")
    response = client.post(
        f"/orders/{order.number}/actions/suspend/",
        {
            "suspend-reason_code": "documents_missing",
            "suspend-evidence_note": "缺产权证明",
            "suspend-evidence_file": upload,
        },
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get(order=order)
    assert suspension.evidence_file and suspension.evidence_note == "缺产权证明"
    text = client.get(f"/orders/{order.number}/").content.decode()
    assert "客户资料不全" in text and "缺产权证明" in text and 'class="mb-2 ms-3' in text
    evidence = client.get(f"/orders/{order.number}/evidence/0/")
    assert b"".join(evidence.streaming_content) == scan and evidence["Content-Type"] == "application/pdf"
    assert act(client, order, "resume").status_code == 302
    suspension.refresh_from_db()
    assert suspension.ended_at is not None


def test_cancel_reopen_assign_by_branch_manager(client, cast):
    order = make_order(cast, when=None)
    login(client, cast.branch_manager, cast)
    assert act(client, order, "cancel", cancel_reason="").status_code == 400
    assert act(client, order, "cancel", cancel_reason="客户撤回").status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert act(client, order, "reopen", reopen_reason="客户重新申请").status_code == 302
    assert act(client, order, "assign", target=f"acceptance:{cast.clerk.pk}").status_code == 302
    assert order.nodes.get(code="acceptance").assignee == cast.clerk
    assert act(client, order, "assign", target=f"acceptance:{cast.west_clerk.pk}").status_code == 400


def test_approval_decision_and_customer_events(client, cast):
    order = make_order(cast, category="hv10_dual", when=None)
    login(client, cast.clerk, cast)
    assert act(client, order, "complete", node="acceptance").status_code == 302
    login(client, cast.customer_manager, cast)
    assert act(client, order, "complete", node="survey_plan").status_code == 302
    keys = {a.key for a, _f in client.get(f"/orders/{order.number}/").context["actions"]}
    assert "customer" in keys and "approval" not in keys  # R6: decided from the facts, on the works page
    facts = {"voltage_kv": "10", "excavation_m": "620", "obstacles": "false", "single_function": "true",
             "simple_technique": "true", "touches_important_street": "false"}  # fmt: skip
    login(client, cast.project_manager, cast)
    decided = client.post(f"/orders/{order.number}/works/decide/", {f"decide-{k}": v for k, v in facts.items()})
    assert decided.status_code == 302
    login(client, cast.customer_manager, cast)
    assert act(client, order, "customer", type="customer.design_submitted").status_code == 302
    again = act(client, order, "customer", type="customer.design_submitted")
    assert again.status_code == 400  # no longer offered: the clock it starts has started
    clocks = {c.code: c for c in Clock.objects.filter(order=order)}
    assert clocks["drawing_review"].state == "running" and clocks["approval"].condition_pending is False


def test_gantt_lanes_are_cut_by_suspensions_and_carry_the_deadlines(cast):
    from yekuo.orders import services
    from yekuo.web.presenters import gantt, timeline
    from yekuo.web.tests.helpers import IMPORT
    from yekuo.workcal.tests.conftest import at

    def ms(text):
        return int(at(text).timestamp() * 1000)

    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-03 10:00")
    services.order_suspend(order, actor=cast.customer_manager, reason_code="customer_request", evidence_note="书面",
                           occurred_at=at("2026-11-03 14:00"), source=IMPORT)  # fmt: skip
    services.order_resume(order, actor=cast.customer_manager, occurred_at=at("2026-11-05 09:00"), source=IMPORT)
    when = at("2026-11-06 09:00")
    chart = gantt(timeline(order, when), when)
    clocks = {c.code: c for c in Clock.objects.filter(order=order)}
    lanes = {lane["code"]: lane for lane in chart["lanes"]}
    assert [lane["code"] for lane in chart["lanes"]] == ["acceptance", "survey_plan", "grid_works"]
    assert lanes["acceptance"]["spans"] == [[ms("2026-11-02 09:00"), ms("2026-11-02 10:00")]]
    assert lanes["acceptance"]["gaps"] == [] and lanes["acceptance"]["colour"] == "success"
    grid = lanes["grid_works"]
    assert grid["spans"] == [
        [ms("2026-11-03 10:00"), ms("2026-11-03 14:00")],
        [ms("2026-11-05 09:00"), ms("2026-11-06 09:00")],
    ]
    assert grid["gaps"] == [[ms("2026-11-03 14:00"), ms("2026-11-05 09:00")]]
    assert grid["name"] == "电网配套工程实施 → 签订合同、正式接电" and grid["limit"] == "3 工作日"
    for code, lane in lanes.items():  # the marks are the engine's deadlines, never recomputed here
        assert lane["deadline"] == int(clocks[code].deadline_at.timestamp() * 1000)
    assert chart["now"] == ms("2026-11-06 09:00") and chart["offset_ms"] == 8 * 3600 * 1000

    # A cancelled order's lanes end where its clocks stopped; nothing runs on to "now".
    services.order_cancel(
        order, actor=cast.branch_manager, cancel_reason="客户撤回", occurred_at=at("2026-11-06 10:00"), source=IMPORT
    )
    later = at("2026-11-09 09:00")
    grid = {lane["code"]: lane for lane in gantt(timeline(order, later), later)["lanes"]}["grid_works"]
    assert grid["spans"][-1] == [ms("2026-11-05 09:00"), ms("2026-11-06 10:00")] and len(grid["gaps"]) == 1
    row = next(r for r in timeline(order, later) if r.kind == "clock" and r.clock.code == "grid_works")
    assert row.pauses == [(at("2026-11-03 14:00"), at("2026-11-05 09:00"))]  # the cancellation is no pause


def test_a_clock_suspended_then_cancelled_shows_the_pause_ending_at_the_cancellation(cast):
    from yekuo.orders import services
    from yekuo.web.presenters import gantt, timeline
    from yekuo.web.tests.helpers import IMPORT
    from yekuo.workcal.tests.conftest import at

    order = make_order(cast, when="2026-11-02 09:00")
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="电话",
                           occurred_at=at("2026-11-02 10:00"), source=IMPORT)  # fmt: skip
    services.order_cancel(
        order, actor=cast.branch_manager, cancel_reason="客户撤回", occurred_at=at("2026-11-04 10:00"), source=IMPORT
    )
    later = at("2026-11-09 09:00")
    rows = timeline(order, later)
    acceptance = next(r for r in rows if r.kind == "clock" and r.clock.code == "acceptance")
    assert acceptance.pauses == [(at("2026-11-02 10:00"), at("2026-11-04 10:00"))]
    lane = gantt(rows, later)["lanes"][0]
    ms = [int(at(t).timestamp() * 1000) for t in ("2026-11-02 09:00", "2026-11-02 10:00", "2026-11-04 10:00")]
    assert lane["spans"] == [[ms[0], ms[1]]] and lane["gaps"] == [[ms[1], ms[2]]]


def test_detail_page_carries_the_gantt_data_and_its_scripts(client, cast):
    order = make_order(cast, when="2026-11-02 09:00")
    text = login(client, cast.clerk, cast).get(f"/orders/{order.number}/").content.decode()
    assert 'id="gantt"' in text and 'id="gantt-data"' in text
    assert "vendor/echarts.min.js" in text and "web/gantt.js" in text
