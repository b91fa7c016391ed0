"""Real browser: honest numbers (O5) — a zero-day clock, a finished clock, a paused clock that had run
over, 我的待办's groups, a cancelled order in the list."""

import pytest
from playwright.sync_api import expect

from yekuo.orders import services
from yekuo.orders.models import Clock
from yekuo.web.tests.helpers import IMPORT, complete, make_order
from yekuo.web.tests.test_browser import local, sign_in
from yekuo.workcal.tests.conftest import at


def decide(order, actor, low_risk, when):
    services.approval_decide(order, actor=actor, low_risk=low_risk, occurred_at=at(when), source=IMPORT)


@pytest.mark.django_db(transaction=True)
def test_clocks_say_what_they_mean_in_the_pages(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    # A zero-day approval (I3), finished the same day.
    zero = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="即办客户")
    complete(zero, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(zero, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    decide(zero, cast.project_manager, True, "2026-11-02 11:30")
    complete(zero, cast.project_manager, "approval", "2026-11-02 15:00")
    # Suspended after its survey clock had run over: paused, never red.
    paused = make_order(cast, when="2026-11-02 09:00", customer_name="暂停客户")
    complete(paused, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(paused, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来函",
                           occurred_at=at("2026-11-05 10:00"), source=IMPORT)  # fmt: skip
    # Two running survey clocks: the one created later falls due first.
    late = make_order(cast, when="2026-11-02 09:00", customer_name="后到期客户")
    complete(late, cast.clerk, "acceptance", "2026-11-06 10:00")
    soon = make_order(cast, when="2026-11-03 09:00", customer_name="先到期客户")
    complete(soon, cast.clerk, "acceptance", "2026-11-03 10:00")
    # 10 kV dual-source: the drawing review waits for the customer's design documents.
    design = make_order(cast, category="hv10_dual", when="2026-11-02 09:00", customer_name="设计客户")
    complete(design, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(design, cast.customer_manager, "survey_plan", "2026-11-03 10:00")
    # Cancelled while its survey was being worked.
    cancelled = make_order(cast, when="2026-11-02 09:00", customer_name="撤销客户")
    complete(cancelled, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_cancel(cancelled, actor=cast.branch_manager, cancel_reason="客户撤回", occurred_at=at(
        "2026-11-02 11:00"), source=IMPORT)  # fmt: skip

    sign_in(page, base, "customer_manager", cast.password)
    page.goto(f"{base}/orders/{zero.number}/")
    approval = page.locator("[data-clock='approval']")
    expect(approval.locator(".yk-limit")).to_have_text("0 工作日（即办，当日办结）")
    expect(approval.locator(".yk-deadline")).to_have_text("2026-11-02 18:00")  # the end of that working day
    expect(approval.locator(".yk-used")).not_to_have_text("—")
    expect(approval.locator(".yk-remaining")).to_have_text("—")  # finished: used time, not time left
    survey = page.locator("[data-clock='survey_plan']")
    expect(survey.locator(".yk-remaining")).to_have_text("—")

    page.goto(f"{base}/orders/{paused.number}/")
    clock = page.locator("[data-clock='survey_plan']")
    expect(clock.locator(".yk-badge")).to_have_text("暂停")
    expect(clock.locator(".text-danger")).to_have_count(0)
    expect(clock.locator(".yk-remaining")).to_contain_text("暂停前已超期")

    page.goto(f"{base}/orders/")
    row = page.locator(f".yk-order[data-number='{paused.number}']")
    expect(row.locator(".yk-suspended")).to_contain_text("暂停")
    expect(row.locator(".yk-suspended")).to_contain_text("工作日")
    expect(row.locator(".text-danger")).to_have_count(0)
    expect(page.locator(f".yk-order[data-number='{cancelled.number}']")).to_contain_text("当前节点：—")

    # A cancelled order has no node waiting to be worked: the survey was cancelled, the rest never will be.
    page.goto(f"{base}/orders/{cancelled.number}/")
    expect(page.locator("#nodes [data-node='survey_plan'] .yk-node-state")).to_have_text("已撤销")
    expect(page.locator("#nodes [data-node='grid_works'] .yk-node-state")).to_have_text("不再办理")
    expect(page.locator("#nodes tbody")).not_to_contain_text("等待")

    page.goto(f"{base}/work/")
    due = page.locator("#work-due .yk-work")
    expect(due).to_have_count(2)
    expect(due.nth(0)).to_have_attribute("data-number", soon.number)
    expect(due.nth(1)).to_have_attribute("data-number", late.number)
    soon_deadline = Clock.objects.get(order=soon, code="survey_plan").deadline_at
    expect(due.nth(0)).to_contain_text(local(soon_deadline))
    waiting = page.locator("#work-waiting")
    expect(waiting.locator(f"[data-number='{paused.number}'] .yk-awaiting")).to_contain_text("等待客户：客户要求暂缓")
    expect(waiting.locator(f"[data-number='{paused.number}'] .text-danger")).to_have_count(0)
    expect(waiting.locator(f"[data-number='{design.number}'][data-node='drawing_review'] .yk-awaiting")).to_have_text(
        "等待客户：客户提交设计文件"
    )
    expect(page.locator(f"[data-number='{cancelled.number}']")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_paused_zero_day_clock_keeps_its_hours_not_today(page, live_server, live_cast):
    """I3, O5: a zero-day approval paused at 15:00 has three working hours left for when it resumes; on a later
    day that is not "今日剩余", and the list never reads "剩余 今日剩余"."""
    cast, base = live_cast, live_server.url
    order = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="即办暂停客户")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    decide(order, cast.project_manager, True, "2026-11-02 11:30")
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来函",
                           occurred_at=at("2026-11-02 15:00"), source=IMPORT)  # fmt: skip
    assert Clock.objects.get(order=order, code="approval").state == "paused"

    sign_in(page, base, "project_manager", cast.password)
    page.goto(f"{base}/orders/{order.number}/")
    remaining = page.locator("[data-clock='approval'] .yk-remaining")
    expect(remaining).to_have_text("3 小时")
    page.goto(f"{base}/orders/")
    left = page.locator(f".yk-order[data-number='{order.number}'] .yk-due-left")
    expect(left).to_have_text("暂停中 · 剩余 3 小时")
    page.goto(f"{base}/work/")
    left = page.locator(f"#work-waiting [data-number='{order.number}'] .yk-due-left")
    expect(left).to_have_text("暂停中 · 剩余 3 小时")
