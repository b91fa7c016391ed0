"""Real browser: what people write is kept and shown on the order page (O5), and a cancelled order
shows no node as being worked (O5)."""

import pytest
from playwright.sync_api import expect

from yekuo.approvals import works
from yekuo.approvals.facts import read_facts
from yekuo.orders.models import OrderEvent
from yekuo.web.tests.helpers import complete, make_order
from yekuo.web.tests.test_browser import act, sign_in, sign_out


@pytest.mark.django_db(transaction=True)
def test_notes_decisions_and_reasons_are_shown_on_the_order_page(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, category="lv_business", when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    detail = f"{base}/orders/{order.number}/"

    sign_in(page, base, "customer_manager", cast.password)
    page.goto(detail)
    form = page.locator("#action-complete")
    form.locator("[name='complete-note']").fill("现场条件具备，方案已答复")
    form.locator("summary").click()
    form.locator("[name='complete-occurred_at']").fill("2026-11-02T11:00")
    form.locator("[name='complete-reason']").fill("现场无网络，次日补录")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成节点")
    assert OrderEvent.objects.get(order=order, type="node.completed", payload__node="survey_plan").payload["note"] == (
        "现场条件具备，方案已答复"
    )
    sign_out(page)

    # R6: the project manager records the facts; yekuo decides (the form itself: approvals/tests/test_browser.py).
    facts, _on = read_facts({"voltage_kv": 0.4, "excavation_m": 80, "obstacles": False, "single_function": True,
                             "simple_technique": True, "touches_important_street": False})  # fmt: skip
    works.works_decide(order, actor=cast.project_manager, facts=facts)

    sign_in(page, base, "customer_manager", cast.password)
    page.goto(detail)
    act(page, "suspend", "已暂停计时", reason_code="customer_request", evidence_note="客户来函要求暂缓")
    act(page, "resume", "已恢复计时")
    sign_out(page)

    sign_in(page, base, "branch_manager", cast.password)
    page.goto(detail)
    act(page, "cancel", "工单已撤销", cancel_reason="客户撤回申请")

    events = page.locator("#events")
    survey = events.locator("tr[data-type='node.completed']").nth(1)
    expect(survey).to_contain_text("办理意见：现场条件具备，方案已答复")
    expect(survey).to_contain_text("现场无网络，次日补录")
    expect(events.locator("tr[data-type='approval.decided']")).to_contain_text(
        "简易低风险：是（告知承诺备案） · 办理行政审批（备案）手续时限 0 工作日"
    )
    started = events.locator("tr[data-type='suspension.started']")
    expect(started).to_contain_text("暂停原因：客户要求暂缓")
    expect(started).to_contain_text("证明：客户来函要求暂缓")
    expect(events.locator("tr[data-type='order.cancelled']")).to_contain_text("原因：客户撤回申请")

    nodes = page.locator("#nodes")
    expect(nodes.locator("[data-node='acceptance'] .yk-completed-by")).to_have_text("clerk")
    expect(nodes.locator("[data-node='survey_plan'] .yk-completed-by")).to_have_text("customer_manager")
    expect(nodes.locator("[data-node='approval'] .yk-assignee")).to_contain_text("未指派")
    # Cancelled: nothing is being worked any more.
    expect(nodes).not_to_contain_text("办理中")
    expect(nodes.locator("[data-node='approval']")).to_contain_text("已撤销")


@pytest.mark.django_db(transaction=True)
def test_lists_in_the_log_read_as_english_with_the_switch(page, live_server, live_cast):
    """O5: with the switch on English, what the log lists (why a suspension is reviewed) is joined the English
    way, not by the Chinese list comma 、."""
    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    sign_in(page, base, "customer_manager", cast.password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/orders/{order.number}/")
    form = page.locator("#action-suspend")
    form.locator("[name='suspend-reason_code']").select_option("customer_request")
    form.locator("[name='suspend-evidence_note']").fill("letter")
    form.locator("summary").click()
    form.locator("[name='suspend-occurred_at']").fill("2026-11-02T11:00")
    form.locator("[name='suspend-reason']").fill("late entry")
    form.locator("button[type=submit]").click()
    started = page.locator("#events tr[data-type='suspension.started']")
    expect(started).to_contain_text("Paused their own clock, Back-dated")
    assert "、" not in started.text_content()
