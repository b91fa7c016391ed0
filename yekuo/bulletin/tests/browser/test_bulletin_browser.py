"""Real browser: the dispatcher runs a month's bulletin, its charts draw under the pages' CSP, a second run
shows what changed and keeps the first; the assessment is confirmed and frozen; the page fits a phone."""

import pytest
from playwright.sync_api import expect

from yekuo.bulletin import services
from yekuo.bulletin.tests.conftest import MONTH
from yekuo.web.tests.conftest import csp_watch
from yekuo.web.tests.test_browser import sign_in, sign_out

pytestmark = pytest.mark.slow  # a browser against a live server


@pytest.mark.django_db(transaction=True)
def test_run_read_rerun_and_confirm(page, live_server, live_cast, month):
    cast, base = live_cast, live_server.url
    services.scheme_load_bundled()
    sign_in(page, base, "dispatcher", cast.password)
    page.click("nav >> text=月度通报")
    page.fill("#id_month", MONTH)
    page.click("#bulletin-run button[type=submit]")
    expect(page.locator("#bulletin-revision")).to_have_text("第 1 版")
    for chart in ("chart-rates", "chart-days", "chart-problems"):
        expect(page.locator(f"#{chart} svg")).to_be_visible()
    ranking = page.locator("#table-ranking tbody tr")
    expect(ranking).to_have_count(2)
    expect(ranking.first).to_contain_text("东区供电分公司")  # 90 % on time against 60 %
    expect(page.locator("#table-overdue")).to_contain_text("W11")
    expect(page.locator("#table-findings")).to_contain_text("跳过环节")
    # The orders change; a second run is a new revision listing the change, the first is kept.
    month.indicators["rows"][2]["on_time"] = 5
    page.click("#bulletin-rerun")
    expect(page.locator("#bulletin-revision")).to_have_text("第 2 版")
    expect(page.locator("#table-changes")).to_contain_text("indicators.rows[branch=west,category=lv_resident].on_time")
    page.select_option("#id_revision", "1")
    page.click("#revision-show")
    expect(page.locator("#bulletin-revision")).to_have_text("第 1 版")
    page.select_option("#id_branch", "east")  # the lists of problem orders of one branch
    page.click("#bulletin-filter button[type=submit]")
    expect(page.locator("#table-overdue")).not_to_contain_text("W11")
    sign_out(page)

    manager = cast.department_manager
    manager.department = cast.departments["marketing_service"]
    manager.save()
    sign_in(page, base, "department_manager", cast.password)
    page.goto(f"{base}/assessment/{MONTH}/")
    page.click("#assessment-compute")
    expect(page.locator("#assessment-state")).to_have_text("待确认")
    expect(page.locator("#chart-scores svg")).to_be_visible()
    expect(page.locator("#table-scores tbody tr").first).to_contain_text("东区供电分公司")
    page.click("#assessment-confirm")
    expect(page.locator("#assessment-state")).to_have_text("已确认")
    expect(page.locator("#assessment-compute")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_the_bulletin_on_a_phone(browser, live_server, live_cast, month):
    cast, base = live_cast, live_server.url
    services.report_run_create(cast.company, MONTH)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    problems = csp_watch(context)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", cast.password)
    page.click("form button[type=submit]")
    page.goto(f"{base}/bulletin/{MONTH}/")
    expect(page.locator("#chart-rates svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems == []
    context.close()
