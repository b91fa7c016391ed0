"""Real browser: the reserve library page (R5) — filter, open a project, follow it up, at desktop width and at
360 px, with the Content-Security-Policy watched."""

import pytest
from playwright.sync_api import expect

from yekuo.reserve import services
from yekuo.reserve.tests.conftest import CODE
from yekuo.web.tests.conftest import allow_async_unsafe, browser, csp_watch, live_cast, page  # noqa: F401
from yekuo.web.tests.test_browser import sign_in, sign_in_phone

pytestmark = pytest.mark.slow


def projects(cast):
    services.project_create(actor=cast.customer_manager, name="东区物流园", investor_name="某物流有限公司",
                            investor_code=CODE, site_address="东区康和路1号", expected_load=800)  # fmt: skip
    services.project_create(actor=cast.customer_manager, name="东区学校", investor_name="某教育局",
                            site_address="东区学府路2号")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_library_filters_and_a_project_is_followed_up(page, live_server, live_cast):  # noqa: F811
    cast, base = live_cast, live_server.url
    projects(cast)
    sign_in(page, base, "customer_manager", cast.password)
    page.click("nav >> text=储备库")
    expect(page.locator("#reserve-list tbody tr")).to_have_count(2)
    expect(page.locator("[data-figure=total]")).to_have_text("2")
    page.fill("#id_q", "物流")
    page.click("#reserve-filter button[type=submit]")
    expect(page.locator("#reserve-list tbody tr")).to_have_count(1)
    page.click("#reserve-list >> text=东区物流园")
    page.select_option("#id_follow_up-method", "phone")
    page.fill("#id_follow_up-content", "电话联系投资方，确认明年开工")
    page.click("#follow-up-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#follow-ups")).to_contain_text("确认明年开工")
    page.select_option("#id_stage-stage", "contacted")
    page.click("#stage-form button[type=submit]")
    expect(page.locator("#project-stage")).to_have_text("已对接")
    expect(page.locator("#history tr[data-kind=stage]")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_the_library_works_at_360_px(browser, live_server, live_cast):  # noqa: F811
    cast, base = live_cast, live_server.url
    projects(cast)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    problems = csp_watch(context)
    phone = context.new_page()
    try:
        sign_in_phone(phone, base, cast.password)  # the acceptance clerk, who also follows projects up
        phone.goto(f"{base}/reserve/")
        expect(phone.locator("#reserve-list tbody tr")).to_have_count(2)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.locator("#reserve-list a", has_text="东区学校").click()
        expect(phone.locator("#follow-up-form")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert not problems, problems
