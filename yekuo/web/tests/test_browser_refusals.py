"""Real browser: the services' refusals on an order's action forms read in the page's language, next to
the field, with times in Asia/Shanghai, never an English message or an ISO timestamp (O5)."""

import re

import pytest
from playwright.sync_api import expect

from yekuo.web.tests.helpers import make_order
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


def submit(page, key: str, **fields):
    form = page.locator(f"#action-{key}")
    if {"occurred_at", "reason"} & set(fields) and form.locator("details").get_attribute("open") is None:
        form.locator("summary").click()  # the back-dating fields are folded away until asked for
    for name, value in fields.items():
        form.locator(f"[name='{key}-{name}']").fill(value)
    form.locator("button[type=submit]").click()
    return page.locator(f"#action-{key}")


def chinese_only(text: str) -> None:
    assert not ISO.search(text), text
    assert not LATIN_WORDS.search(text.replace("kVA", "")), text


@pytest.mark.django_db(transaction=True)
def test_back_dating_refusals_are_chinese_with_local_times(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00")
    sign_in(page, base, "clerk", cast.password)
    page.goto(f"{base}/orders/{order.number}/")

    form = submit(page, "complete", occurred_at="2026-11-02T10:00")
    reason = form.locator("[name='complete-reason'] ~ .invalid-feedback")
    expect(reason).to_contain_text("须填写补录原因")
    chinese_only(reason.text_content())

    form = submit(page, "complete", occurred_at="2026-11-01T10:00", reason="纸质受理单补录")
    when = form.locator("[name='complete-occurred_at'] ~ .invalid-feedback")
    expect(when).to_contain_text("补录时间 2026-11-01 10:00 早于工单创建时间 2026-11-02 09:00")
    chinese_only(when.text_content())

    form = submit(page, "complete", occurred_at="2099-01-01T10:00", reason="纸质受理单补录")
    expect(form.locator("[name='complete-occurred_at'] ~ .invalid-feedback")).to_contain_text(
        "补录时间 2099-01-01 10:00 晚于当前时间"
    )


@pytest.mark.django_db(transaction=True)
def test_a_workflow_refusal_is_chinese_and_names_the_node(page, live_server, live_cast):
    """The suspension's own form refuses a resume of an order that is not suspended (two tabs: the
    order was resumed in the other), naming the state in words."""
    from yekuo.orders import services
    from yekuo.orders.models import EventSource
    from yekuo.web.tests.helpers import complete
    from yekuo.workcal.tests.conftest import at

    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(order, actor=cast.customer_manager, reason_code="customer_request", evidence_note="客户来电",
                           occurred_at=at("2026-11-02 11:00"), source=EventSource.IMPORT)  # fmt: skip
    sign_in(page, base, "customer_manager", cast.password)
    page.goto(f"{base}/orders/{order.number}/")
    services.order_resume(
        order, actor=cast.customer_manager, occurred_at=at("2026-11-02 14:30"), source=EventSource.IMPORT
    )
    form = submit(page, "resume")
    error = form.locator(".alert-danger, .invalid-feedback, .text-danger").first
    expect(error).to_contain_text("工单没有暂停计时")
    chinese_only(error.text_content())


@pytest.mark.django_db(transaction=True)
def test_refusals_are_english_with_the_switch(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00")
    sign_in(page, base, "clerk", cast.password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/orders/{order.number}/")
    form = submit(page, "complete", occurred_at="2026-11-01T10:00", reason="paper form")
    when = form.locator("[name='complete-occurred_at'] ~ .invalid-feedback")
    expect(when).to_contain_text("2026-11-01 10:00")
    expect(when).to_contain_text("before the order was created")
    assert not ISO.search(when.text_content())
