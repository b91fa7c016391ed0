"""Real browser: a click on a dashboard chart opens the order list it counts, with the same filter (R9);
the dashboard fits a 360 px phone. Bounded: the machine has two cores."""

import re

import pytest
from playwright.sync_api import expect

from yekuo.web.tests.conftest import csp_watch
from yekuo.web.tests.helpers import complete, make_order
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server


def click_bar(page, chart_id: str, series: int, index: int) -> None:
    """Click the centre of bar `index` of `series` (where ECharts laid it out), as a person would."""
    box = page.locator(f"#{chart_id}").bounding_box()
    x, y = page.evaluate(
        """([id, series, index]) => {
            const chart = document.getElementById(id).yekuoChart;
            const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
            return [bar.x + bar.width / 2, bar.y + bar.height / 2];
        }""",
        [chart_id, series, index],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)


@pytest.mark.django_db(transaction=True)
def test_a_chart_drills_down_to_the_order_list(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    make_order(cast, when="2026-09-29 09:00")
    overdue_survey = make_order(cast, when="2026-09-29 09:00")
    complete(overdue_survey, cast.clerk, "acceptance", "2026-09-29 10:00")
    make_order(cast, category="lv_business", when="2026-09-29 09:00")
    sign_in(page, base, "branch_manager", cast.password)
    expect(page.locator("h1")).to_have_text("时限管控看板")
    expect(page.locator("#chart-nodes svg")).to_be_visible()
    # Warnings and overdue by node: the first node (acceptance), overdue series: 2 orders.
    click_bar(page, "chart-nodes", 0, 0)
    page.wait_for_url(re.compile(r".*/orders/\?.*node=acceptance.*"))
    assert "node_state=overdue" in page.url
    expect(page.locator(".yk-order")).to_have_count(2)
    expect(page.locator("#id_node_state")).to_have_value("overdue")
    # In transit by branch and category: east, lv_business → 1 order, the filters set in the form.
    page.goto(f"{base}/")
    click_bar(page, "chart-transit", 0, 0)
    page.wait_for_url(re.compile(r".*/orders/\?.*status=open.*"))
    expect(page.locator("#id_branch")).to_have_value("east")
    expect(page.locator(".yk-order")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_on_a_phone(browser, live_server, live_cast):
    cast, base = live_cast, live_server.url
    make_order(cast, when="2026-09-29 09:00")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    problems = csp_watch(context)
    page = context.new_page()
    page.goto(f"{base}/login/")  # on a phone the navigation bar is collapsed: sign_in's check would not see it
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", cast.password)
    page.click("form button[type=submit]")
    expect(page.locator("#chart-transit svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems == []
    context.close()
