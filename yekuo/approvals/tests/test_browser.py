"""Real browser (Debian's Chromium): the project manager classifies the works on a phone (R6, 360 px),
sees each criterion pass or fail and what the decision set (I8), and files the low-risk works."""

import pytest
from playwright.sync_api import expect

from yekuo.approvals.models import Filing
from yekuo.orders.models import Clock
from yekuo.web.tests.conftest import (  # noqa: F401  (the browser fixtures, shared with the web app's tests)
    TIMEOUT_MS,
    allow_async_unsafe,
    browser,
    csp_watch,
    live_cast,
)
from yekuo.web.tests.helpers import complete, make_order

pytestmark = pytest.mark.slow


def fill_facts(page, excavation: str) -> None:
    form = page.locator("#form-decide")
    form.locator("[name='decide-voltage_kv']").fill("10")
    form.locator("[name='decide-excavation_m']").fill(excavation)
    form.locator("[name='decide-obstacles']").select_option("false")
    form.locator("[name='decide-single_function']").select_option("true")
    form.locator("[name='decide-simple_technique']").select_option("true")
    form.locator("[name='decide-touches_important_street']").select_option("false")
    form.locator("[name='decide-route']").fill("康和路\n团结路")
    form.locator("button[type=submit]").click()


def assert_results_in_view(page) -> None:
    """Each criterion's 符合/不符合 is on the screen, not in a table that scrolls sideways out of sight."""
    for badge in page.locator("#criteria tbody tr .badge").all():
        box = badge.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box


@pytest.mark.django_db(transaction=True)
def test_the_classification_form_on_a_phone(browser, live_server, live_cast):  # noqa: F811
    cast, base = live_cast, live_server.url
    order = make_order(cast, category="hv10_single", when="2026-11-02 09:00", voltage="10kV")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    problems = csp_watch(context)
    page = context.new_page()
    try:
        page.goto(f"{base}/login/")
        page.fill("#id_username", "project_manager")
        page.fill("#id_password", cast.password)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/orders/{order.number}/")
        page.locator("#works-card a").click()
        page.wait_for_url(f"{base}/orders/{order.number}/works/")
        expect(page.locator("#effect")).to_contain_text("时限设为 0 个工作日")
        expect(page.locator("#effect")).to_contain_text("时限设为 3 个工作日")
        expect(page.locator("[name='decide-obstacles']")).to_have_value("")  # nothing is chosen for the person

        fill_facts(page, "501")  # 501 m: not low-risk
        expect(page.locator(".alert-success")).to_contain_text("已判定为需行政审批")
        expect(page.locator("#verdict")).to_have_attribute("data-low-risk", "false")
        expect(page.locator("#limit")).to_have_text("办理时限 3 个工作日")
        row = page.locator("#criteria tr[data-criterion='excavation']")
        expect(row).to_have_attribute("data-passed", "false")
        expect(row).to_contain_text("不符合")
        expect(page.locator("#criteria tbody tr")).to_have_count(6)
        expect(page.locator("#gate")).to_contain_text("行政审批未提交")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        assert_results_in_view(page)

        fill_facts(page, "500")  # the form starts at the facts on record; 500 m is low-risk
        expect(page.locator("#verdict")).to_have_attribute("data-low-risk", "true")
        expect(page.locator("#limit")).to_have_text("办理时限 0 个工作日")
        expect(page.locator("#criteria tr[data-passed='true']")).to_have_count(6)
        assert_results_in_view(page)
        expect(page.locator("#history")).to_contain_text("需行政审批")
        expect(page.locator("#gate")).to_contain_text("告知承诺备案未办理")
        assert Clock.objects.get(order=order, code="approval").limit_days == 0

        page.locator("#form-file button[type=submit]").click()
        expect(page.locator("#filed")).to_contain_text(f"已备案：BA{order.number}")
        expect(page.locator("#gate")).to_contain_text("无未办结事项")
        assert Filing.objects.filter(order=order).exists()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert not problems, "the browser reported: " + "; ".join(problems)
