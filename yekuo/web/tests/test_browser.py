"""Real browser: a counter order worked to energization, with a suspension, and the phone layout
(O5). Few and bounded: the machine has two cores."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from yekuo.orders.models import Clock, PersonalDataReveal, WorkOrder
from yekuo.web.tests.conftest import csp_watch
from yekuo.web.tests.helpers import make_order

pytestmark = pytest.mark.slow  # a browser against a live server
SCREENSHOTS = Path(settings.DATA_DIR) / "screenshots"


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    expect(page.locator("nav .navbar-text")).to_contain_text(username)


def sign_out(page) -> None:
    page.click("nav form[action='/logout/'] button")
    page.wait_for_url("**/login/")


def act(page, key: str, message: str, **fields) -> None:
    form = page.locator(f"#action-{key}")
    for name, value in fields.items():
        field = form.locator(f"[name='{key}-{name}']")
        if name == "evidence_file":
            field.set_input_files(value)
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(message)


def ms(value) -> int:
    return int(value.timestamp() * 1000)


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db(transaction=True)
def test_counter_order_to_energization_in_the_browser(page, live_server, live_cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast, base = live_cast, live_server.url
    sign_in(page, base, "clerk", cast.password)
    page.click("nav >> text=营业厅受理")
    page.select_option("#id_category", "lv_resident")
    page.fill("#id_customer_name", "浏览器测试客户")
    page.fill("#id_customer_id_number", "152701199001011239")
    page.fill("#id_customer_phone", "13912345678")
    page.fill("#id_site_address", "东区幸福路8号")
    page.fill("#id_capacity_kva", "8")
    page.select_option("#id_voltage", "220V")
    page.click("#create-order button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("已受理工单")
    order = WorkOrder.objects.get(customer_name="浏览器测试客户")
    detail = f"{base}/orders/{order.number}/"
    assert page.url == detail
    act(page, "complete", "已完成节点：业务受理", node="acceptance")
    sign_out(page)

    sign_in(page, base, "customer_manager", cast.password)
    page.goto(detail)
    act(page, "complete", "已完成节点：现场勘察、编制供电方案", node="survey_plan")
    evidence = tmp_path / "notice.pdf"
    evidence.write_bytes(b"%PDF-1.4\n" + "客户要求暂缓施工的书面说明".encode())
    act(page, "suspend", "已暂停计时", reason_code="customer_request", evidence_note="客户书面要求暂缓",
        evidence_file=str(evidence))  # fmt: skip
    expect(page.locator("#order-status")).to_have_text("暂停（客户原因）")
    expect(page.locator(".yk-suspension")).to_contain_text("客户书面要求暂缓")
    act(page, "resume", "已恢复计时")
    expect(page.locator("#order-status")).to_have_text("在途")
    sign_out(page)

    sign_in(page, base, "project_manager", cast.password)
    page.goto(detail)
    act(page, "complete", "已完成节点：电网配套工程实施", node="grid_works")
    sign_out(page)

    sign_in(page, base, "customer_manager", cast.password)
    page.goto(detail)
    act(page, "complete", "已完成节点：签订合同、正式接电", node="contract_energize")
    expect(page.locator("#order-status")).to_have_text("已接电")

    # The timeline shows exactly the deadlines the engine computed, in Asia/Shanghai.
    clocks = list(Clock.objects.filter(order=order).order_by("position"))
    assert [c.state for c in clocks] == ["done", "done", "done"]
    for clock in clocks:
        row = page.locator(f"[data-clock='{clock.code}']")
        expect(row.locator(".yk-deadline")).to_have_text(local(clock.deadline_at))
        expect(row.locator(".yk-started")).to_have_text(local(clock.started_at))
    expect(page.locator("[data-clock='grid_works'] .yk-limit")).to_have_text("3 工作日")
    expect(page.locator("[data-clock='grid_works']")).to_contain_text("电网配套工程实施 → 签订合同、正式接电")
    expect(page.locator("#events tbody tr")).to_have_count(order.events.count())
    # The same timeline as a chart: drawn (SVG), one lane per clock, the suspension as the gap in grid_works.
    expect(page.locator("#gantt[data-ready='1'] svg")).to_have_count(1)
    expect(page.locator("#gantt svg")).to_contain_text("现场勘察、编制供电方案")
    chart = json.loads(page.locator("#gantt-data").text_content())
    suspension = order.suspensions.get()
    gaps = {lane["code"]: lane["gaps"] for lane in chart["lanes"]}
    assert gaps == {"acceptance": [], "survey_plan": [],
                    "grid_works": [[ms(suspension.started_at), ms(suspension.ended_at)]]}  # fmt: skip
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "order-detail.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_list_and_detail_fit_a_phone_screen(browser, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, category="hv10_dual", when="2026-11-02 09:00",
                       site_address="东区鄂尔多斯大街与伊金霍洛西街交汇处东北角新建商业综合体二期工程")  # fmt: skip
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    problems = csp_watch(context)
    page = context.new_page()
    try:
        sign_in_phone(page, base, cast.password)
        for path, name in (("/orders/", "order-list-375.png"), (f"/orders/{order.number}/", "order-detail-375.png")):
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
            assert width <= 375, f"{path} scrolls sideways at 375 px: scrollWidth {width}"
        assert not problems, problems
    finally:
        context.close()


def sign_in_phone(page, base: str, password: str) -> None:
    """At phone width the navigation is collapsed, so the signed-in check looks at the page instead."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_order_s_actions_come_first(browser, live_server, live_cast):
    """O5: at 360×740 the action forms start on the first screen, not below the chart; the clerk
    reveals the customer's phone there with one tap (O9)."""
    cast, base = live_cast, live_server.url
    order = make_order(cast, category="hv10_dual", when="2026-11-02 09:00")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_phone(page, base, cast.password)
        page.goto(f"{base}/orders/{order.number}/")
        form = page.locator("#action-complete")
        expect(form).to_be_visible()
        top = form.bounding_box()["y"] + page.evaluate("window.scrollY")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "order-detail-360x740.png"))
        assert top < 740, f"the first action form starts {top:.0f} px down, below the first screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # Under 证件/电话 the ID number comes first, then the phone, as in the order list.
        expect(page.locator("#personal-data .yk-personal")).to_have_count(2)
        fields = page.locator("#personal-data .yk-personal").evaluate_all("els => els.map(e => e.dataset.field)")
        assert fields == ["customer_id_number", "customer_phone"]
        phone = page.locator("#personal-customer_phone")
        expect(phone).to_contain_text("139****5678")
        phone.locator("button").click()
        expect(page.locator("#personal-customer_phone a[href='tel:13912345678']")).to_have_text("13912345678")
        assert order.pk in set(PersonalDataReveal.objects.values_list("order_id", flat=True))
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_counter_form_refuses_wrong_data_next_to_each_field(page, live_server, live_cast):
    """O8: 低压居民 at 10 kV and 5,000 kVA, phone "abc", ID "123", an address in Beijing."""
    cast, base = live_cast, live_server.url
    sign_in(page, base, "clerk", cast.password)
    page.goto(f"{base}/orders/new/")
    page.select_option("#id_category", "lv_resident")
    page.fill("#id_customer_name", "错误数据客户")
    page.fill("#id_customer_id_number", "123")
    page.fill("#id_customer_phone", "abc")
    page.fill("#id_site_address", "北京市朝阳区建国路1号")
    page.fill("#id_capacity_kva", "5000")
    page.select_option("#id_voltage", "10kV")
    page.click("#create-order button[type=submit]")

    def error_of(field):
        return page.locator(f"#id_{field} ~ .invalid-feedback")

    expect(error_of("customer_phone")).to_contain_text("请填写11位手机号码")
    expect(error_of("customer_id_number")).to_contain_text("18位居民身份证号码")
    expect(error_of("voltage")).to_contain_text("低压居民 的供电电压应为 220V / 380V")
    expect(error_of("service_area")).to_contain_text("请选择营业区")
    assert not WorkOrder.objects.filter(customer_name="错误数据客户").exists()
    # The clerk picks the area, fixes the rest: the order is made, in that area.
    page.select_option("#id_service_area", label="东区供电分公司 · 东区营业区")
    page.fill("#id_customer_id_number", "152701199001011239")
    page.fill("#id_customer_phone", "0477-8123456")
    page.fill("#id_capacity_kva", "8")
    page.select_option("#id_voltage", "220V")
    page.click("#create-order button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("已受理工单")
    order = WorkOrder.objects.get(customer_name="错误数据客户")
    assert order.service_area == cast.east_area and order.customer_phone == "0477-8123456"


@pytest.mark.django_db(transaction=True)
def test_the_counter_form_s_errors_are_in_english_with_the_switch(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    sign_in(page, base, "clerk", cast.password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/orders/new/")
    page.fill("#id_customer_name", "x")
    page.fill("#id_customer_phone", "abc")
    page.fill("#id_site_address", "东区1号")
    page.select_option("#id_category", "lv_resident")
    page.fill("#id_capacity_kva", "8")
    page.select_option("#id_voltage", "10kV")
    page.click("#create-order button[type=submit]")
    feedback = page.locator("#id_customer_phone ~ .invalid-feedback")
    expect(feedback).to_contain_text("Enter an 11-digit mobile number")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in feedback.text_content())
    voltage = page.locator("#id_voltage ~ .invalid-feedback")
    expect(voltage).to_contain_text("Low-voltage residential")
    assert not any("\u3000" <= ch <= "\u9fff" for ch in voltage.text_content())  # no 、 between the voltages
