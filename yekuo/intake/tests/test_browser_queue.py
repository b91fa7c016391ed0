"""Real browser: the dispatcher's queue (R3), at desktop and at 360 px."""

import pytest
from playwright.sync_api import expect

from yekuo.intake import credentials
from yekuo.intake.models import Application
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.testing import application, signed
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.web.tests.conftest import allow_async_unsafe, browser, csp_watch, live_cast, page  # noqa: F401
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow


def pushed(cast, *bodies):
    from django.test import Client

    platform = platform_ensure("approval_platform", cast.company)
    issued = credentials.key_issue(platform)
    for body in bodies:
        path, raw, headers = signed(issued.key.key_id, issued.secret, platform.code, body)
        assert Client().post(path, data=raw, content_type="application/json", headers=headers).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_the_dispatcher_dispatches_with_an_override_and_returns_one(page, live_server, live_cast):  # noqa: F811
    cast, base = live_cast, live_server.url
    pushed(cast, application("BR-1", address="东区幸福路8号"), application("BR-2", address="西区长安街2号"))
    sign_in(page, base, "dispatcher", cast.password)
    page.click("nav >> text=审核派单")
    first = page.locator(".yk-application[data-application='BR-1']")
    expect(first).to_contain_text("东区幸福路8号")
    expect(first.locator(".yk-proposed")).to_have_text("东区供电分公司")
    expect(first.locator(".yk-waiting")).to_contain_text("等待")
    first.locator(".yk-dispatch select").select_option(label="西区供电分公司")
    first.locator(".yk-dispatch button").click()
    expect(page.locator(".alert-success")).to_contain_text("已派单")
    expect(page.locator(".yk-application")).to_have_count(1)
    order = WorkOrder.objects.get(application__external_id="BR-1")
    assert order.branch == cast.west and order.received_at is not None
    second = page.locator(".yk-application[data-application='BR-2']")
    second.locator("summary").click()
    second.locator(".yk-return input[name$='reason']").fill("缺少产权证明")
    second.locator(".yk-return button").click()
    expect(page.locator(".alert-success")).to_contain_text("已退回平台")
    expect(page.locator("#no-applications")).to_be_visible()
    assert Application.objects.get(external_id="BR-2").state == "returned"
    assert OrderEvent.objects.filter(type="order.returned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_queue_works_at_360_px(browser, live_server, live_cast):  # noqa: F811
    cast, base = live_cast, live_server.url
    pushed(cast, application("PH-1", address="东区幸福路8号"))
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    problems = csp_watch(context)
    phone = context.new_page()
    try:
        phone.goto(f"{base}/login/")
        phone.fill("#id_username", "dispatcher")
        phone.fill("#id_password", cast.password)
        phone.click("form button[type=submit]")
        phone.wait_for_url(f"{base}/")
        phone.goto(f"{base}/intake/")
        card = phone.locator(".yk-application[data-application='PH-1']")
        expect(card.locator(".yk-dispatch button")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        card.locator(".yk-dispatch button").click()
        expect(phone.locator(".alert-success")).to_contain_text("已派单")
    finally:
        context.close()
    assert not problems, problems
