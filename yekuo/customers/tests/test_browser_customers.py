"""Real browser at phone width (360 px): a resident applies, tracks with an SMS code, signs the supply contract and
rates (R1, R2); the code's refusals; an enterprise with the licence service up and down; upload limits; someone
else's order. Few and bounded: the machine has two cores. The simulators run in threads; the SMS gateway's
received messages give the codes."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from yekuo.customers import services
from yekuo.customers.tests.conftest import CODE, PDF, PNG, codes_sent, energize
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.partners.simulators.elicence import licence
from yekuo.partners.tests.conftest import set_mode
from yekuo.web.tests.conftest import csp_watch
from yekuo.web.tests.helpers import make_order

pytestmark = pytest.mark.slow  # a browser against a live server and simulators
PHONE = "13900001111"
WIDTH = 360


@pytest.fixture
def phone(browser):
    """A page at phone size; it fails the test when the browser reports a CSP violation or a script error."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 780}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    problems = csp_watch(context)
    yield context
    context.close()
    assert not problems, problems


@pytest.fixture
def partners(elicence, identity, gateway):
    return elicence, identity, gateway


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways at {WIDTH} px: scrollWidth {width}"


def files(tmp_path) -> dict[str, Path]:
    made = {"deed.png": PNG, "deed.pdf": PDF, "photo.jpg": b"<html><body>not a photo</body></html>"}
    for name, content in made.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in made}


def fill_common(page, upload: Path) -> None:
    page.fill("#id_phone", PHONE)
    page.fill("#id_site_address", "东区幸福路8号")
    page.set_input_files("#id_property_doc", str(upload))
    page.check("#id_terms")


def open_with_code(page, base: str, gateway, number: str) -> None:
    page.goto(f"{base}/c/track")
    page.fill("#id_number", number)
    page.click("#track-send button[type=submit]")
    expect(page.locator("#track-sent")).to_be_visible()
    page.fill("#id_code", codes_sent(gateway, PHONE)[-1])
    page.click("#track-check button[type=submit]")
    expect(page.locator("#progress-status")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_resident_applies_tracks_and_rates_on_a_phone(phone, live_server, live_cast, partners, tmp_path):
    _licence, _identity, gateway = partners
    base, paths = live_server.url, files(tmp_path)
    page = phone.new_page()
    page.goto(f"{base}/c/apply")
    fits(page)
    page.click("#apply-resident")
    page.click("#apply-face")
    expect(page.locator("#apply-verified")).to_contain_text("已通过刷脸核验")
    fill_common(page, paths["deed.png"])
    page.check("input[name=joint_units][value=water]")
    fits(page)
    page.click("#apply-submit")
    expect(page.locator("#applied")).to_contain_text("申请已提交")
    number = page.locator("#applied-number").inner_text()
    order = WorkOrder.objects.get(number=number)
    assert order.channel == "online" and order.category == "lv_resident" and order.customer_phone == PHONE
    assert OrderEvent.objects.filter(order=order, type="joint.offered").exists()
    Path(django_settings.DATA_DIR, "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(django_settings.DATA_DIR, "screenshots", "customer-applied-360.png")), full_page=True)

    # Another phone: the order opens with the SMS code only; the timeline names roles, never people.
    other = phone.new_page()
    other.context.clear_cookies()
    other.goto(f"{base}/c/track/{number}")
    expect(other.locator("#track-send")).to_be_visible()  # not bound: sent to the lookup
    open_with_code(other, base, gateway, number)
    expect(other.locator("#progress-summary")).to_contain_text("客户服务中心")
    fits(other)
    # The supply plan answered: the contract is signed on the phone (R1), then the order is energized.
    energize(order, live_cast, until="survey_plan")
    other.reload()
    other.click("#contract-sign")
    expect(other.locator("#contract")).to_contain_text("低压供用电合同")
    fits(other)
    other.fill("#id_signer", "王五")
    other.check("#id_agree")
    other.click("#contract-form button[type=submit]")
    expect(other.locator("#contract-signed")).to_contain_text("王五")
    shot = Path(django_settings.DATA_DIR, "screenshots", "customer-contract-360.png")
    other.screenshot(path=str(shot), full_page=True)
    assert OrderEvent.objects.filter(order=order, type="customer.contract_signed").count() == 1
    fits(other)
    other.goto(f"{base}/c/track/{number}")
    expect(other.locator("#contract-done")).to_be_visible()
    energize(order, live_cast)
    other.reload()
    expect(other.locator("#progress-status")).to_have_text("已接电")
    other.locator("#rating-form input[name=score][value='5']").check()
    other.fill("#id_comment", "办得很快")
    other.click("#rating-form button[type=submit]")
    expect(other.locator("#rating-done")).to_contain_text("办得很快")
    assert OrderEvent.objects.get(order=order, type="customer.rated").payload == {"score": 5, "comment": "办得很快"}
    fits(other)

    # Someone else's order: its number is not enough.
    theirs = make_order(live_cast, customer_phone="13700002222")
    other.goto(f"{base}/c/track/{theirs.number}")
    expect(other.locator("#track-send")).to_be_visible()
    expect(other.locator("#progress")).to_have_count(0)
    assert other.goto(f"{base}/c/slip/{theirs.number}").status == 404


@pytest.mark.django_db(transaction=True)
def test_codes_wrong_expired_limited_and_locked(phone, live_server, live_cast, partners):
    _licence, _identity, gateway = partners
    base, order = live_server.url, make_order(live_cast, customer_phone=PHONE)
    page = phone.new_page()
    page.goto(f"{base}/progress/")  # the old address
    expect(page).to_have_url(f"{base}/c/track")
    page.fill("#id_number", order.number)
    page.click("#track-send button[type=submit]")
    code = codes_sent(gateway, PHONE)[-1]
    wrong = "000000" if code != "000000" else "111111"
    page.fill("#id_code", wrong)
    page.click("#track-check button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    from django.utils import timezone

    from yekuo.customers.models import OneTimeCode

    OneTimeCode.objects.update(expires_at=timezone.now())
    page.fill("#id_code", code)
    page.click("#track-check button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码已过期")
    for _ in range(services.CHECKS_PER_ORDER.limit):
        page.fill("#id_code", wrong)
        page.click("#track-check button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("错误次数过多")
    # Sends: the limit per phone number.
    for _ in range(services.SENDS_PER_PHONE.limit):
        page.goto(f"{base}/c/track")
        page.fill("#id_number", order.number)
        page.click("#track-send button[type=submit]")
    expect(page.locator("#track-send .alert-danger")).to_contain_text("过于频繁")
    fits(page)


@pytest.mark.django_db(transaction=True)
def test_an_enterprise_with_the_licence_service_up_and_down_and_upload_checks(
    phone, live_server, live_cast, partners, tmp_path, settings
):
    licence_service, _identity, _gateway = partners
    base, paths = live_server.url, files(tmp_path)
    page = phone.new_page()
    page.goto(f"{base}/c/apply/business")
    page.fill("#id_credit_code", CODE)
    page.click("#apply-lookup")
    expect(page.locator("#apply-verified")).to_contain_text(licence(CODE)["company_name"])
    # A file whose content does not match its name is refused, and the form says what is accepted.
    fill_common(page, paths["photo.jpg"])
    page.click("#apply-submit")
    expect(page.locator("#apply-form .invalid-feedback")).to_contain_text("按文件内容判断")
    assert not WorkOrder.objects.exists()
    page.set_input_files("#id_property_doc", str(paths["deed.pdf"]))
    page.check("#id_terms")
    page.click("#apply-submit")
    expect(page.locator("#applied")).to_be_visible()
    first = WorkOrder.objects.get()
    assert first.customer_name == licence(CODE)["company_name"]

    # The licence service is down: the application is still saved, waiting for verification.
    set_mode(licence_service, mode="error")
    page.goto(f"{base}/c/apply/business")
    page.fill("#id_credit_code", CODE)
    page.click("#apply-lookup")
    expect(page.locator("#apply-verified")).to_contain_text("核验服务暂时无法连接")
    fill_common(page, paths["deed.pdf"])
    page.click("#apply-submit")
    expect(page.locator("#applied")).to_be_visible()
    second = WorkOrder.objects.exclude(pk=first.pk).get()
    assert second.customer_name.startswith("待核验企业") and second.verifications.get().state == "waiting"
    fits(page)

    # A file over the limit is refused before it is received whole.
    settings.YEKUO_UPLOAD_MAX_BYTES = 1024
    (tmp_path / "big.pdf").write_bytes(PDF + b"0" * 4096)
    page.goto(f"{base}/c/apply/business")
    page.fill("#id_credit_code", CODE)
    fill_common(page, tmp_path / "big.pdf")
    page.click("#apply-submit")
    expect(page.locator("body")).to_contain_text("文件过大")
    assert WorkOrder.objects.count() == 2
