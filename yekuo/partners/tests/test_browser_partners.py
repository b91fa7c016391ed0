"""Real browser at phone width: a clerk takes an enterprise's application with its credit code only (R2), then
the customer's joint application (R4), and sees each unit's state on the order."""

import pytest
from playwright.sync_api import expect

from yekuo.orders.models import WorkOrder
from yekuo.outbox.seed import seed_destinations
from yekuo.partners.simulators.elicence import licence
from yekuo.partners.tests.conftest import running, url_of
from yekuo.web.tests.conftest import allow_async_unsafe, browser, live_cast, page  # noqa: F401 (fixtures)
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server and two simulators
CODE = "91150602MA0N5678YM"


@pytest.mark.django_db(transaction=True)
def test_one_certificate_application_and_joint_application_at_phone_width(page, live_server, live_cast, settings):  # noqa: F811
    cast, base = live_cast, live_server.url
    page.set_viewport_size({"width": 360, "height": 800})
    with running("elicence") as service, running("utilities", secret=settings.YEKUO_PARTNER_SECRET) as units:
        settings.YEKUO_ELICENCE_URL = url_of(service)
        seed_destinations(url_of(units))
        sign_in(page, base, "clerk", cast.password)
        page.goto(f"{base}/orders/new/")
        page.select_option("#id_category", "lv_business")
        page.fill("#id_credit_code", CODE)
        page.click("button[name=lookup]")
        company = licence(CODE)["company_name"]
        expect(page.locator("[data-asked=elicence]")).to_contain_text(company)
        name = page.locator("#id_customer_name")
        expect(name).to_have_value(company)
        expect(name).to_be_disabled()
        page.fill("#id_customer_phone", "13800001111")
        page.fill("#id_site_address", "东区幸福路8号")
        page.fill("#id_capacity_kva", "50")
        page.select_option("#id_voltage", "380V")
        page.click("#create-order button[type=submit]")
        expect(page.locator(".alert-success")).to_contain_text("已受理工单")
        expect(page.locator("[data-verification=elicence]")).to_contain_text(licence(CODE)["legal_representative"])
        form = page.locator("#action-joint")
        form.locator("[name='joint-accepted']").select_option("yes")
        form.locator("[name='joint-units'][value='water']").check()
        form.locator("[name='joint-units'][value='telecom']").check()
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("已登记联合报装")
        page.reload()
        expect(page.locator("#joint [data-unit=water]")).to_have_attribute("data-state", "received")
        expect(page.locator("#joint [data-unit=telecom]")).to_have_attribute("data-state", "received")
        assert sorted(unit for unit, _ in units.RequestHandlerClass.applied) == ["telecom", "water"]
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the order page is {width} px wide at phone width"
    order = WorkOrder.objects.get()
    assert order.customer_name == company and order.verifications.get().state == "verified"
