"""Real browser: the clerk corrects an order's data on its page under the rules of a new order (O8)."""

import pytest
from playwright.sync_api import expect

from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.web.tests.helpers import make_order
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server


@pytest.mark.django_db(transaction=True)
def test_the_clerk_corrects_the_phone_and_the_log_says_what_changed(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, when=None)
    sign_in(page, base, "clerk", cast.password)
    page.goto(f"{base}/orders/{order.number}/")
    form = page.locator("#action-edit")
    phone = form.locator("[name='edit-customer_phone']")
    expect(phone).to_have_attribute("placeholder", "139****5678")  # never the full number unrevealed (O9)
    expect(phone).to_have_value("")
    phone.fill("abc")
    form.locator("[name='edit-capacity_kva']").fill("5000")
    form.locator("button[type=submit]").click()
    form = page.locator("#action-edit")
    expect(form.locator("[name='edit-customer_phone'] ~ .invalid-feedback")).to_contain_text("请填写11位手机号码")
    expect(form.locator("[name='edit-capacity_kva'] ~ .invalid-feedback")).to_contain_text("0.1–10 kVA")
    assert WorkOrder.objects.get(pk=order.pk).customer_phone == "13912345678"

    form.locator("[name='edit-customer_phone']").fill("136 1234 5678")
    form.locator("[name='edit-capacity_kva']").fill("6")
    form.locator("[name='edit-note']").fill("客户来电更正")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("工单信息已修改")
    row = page.locator("#events tr[data-type='order.edited']")
    expect(row).to_contain_text("联系电话：139****5678 → 136****5678")
    expect(row).to_contain_text("申请容量(kVA)：8 → 6")
    expect(row).to_contain_text("修改说明：客户来电更正")
    saved = WorkOrder.objects.get(pk=order.pk)
    assert saved.customer_phone == "13612345678" and str(saved.capacity_kva) == "6.0"
    assert OrderEvent.objects.filter(order=order, type="order.edited").count() == 1
    assert "13612345678" not in page.content()
