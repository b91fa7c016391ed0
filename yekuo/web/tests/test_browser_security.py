"""Real browser (S1): under the Content-Security-Policy the pages still work (the conftest's `page`
fails a test on any violation the console reports), and an uploaded file never runs as a page."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from yekuo.orders import services
from yekuo.orders.models import Suspension
from yekuo.web.tests.helpers import make_order
from yekuo.web.tests.test_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # a browser against a live server

HOSTILE = b"<!doctype html><title>x</title><script>document.title = 'ran'; fetch('/api/v1/orders/')</script>"


def test_the_admin_login_and_the_filters_work_under_the_policy(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    make_order(cast, when="2026-11-02 09:00")
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "superuser")
    page.fill("#id_password", cast.password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{base}/admin/axes/accesslog/")
    expect(page.locator("#result_list")).to_contain_text("superuser")
    page.context.clear_cookies()  # signed out
    sign_in(page, base, "clerk", cast.password)
    page.goto(f"{base}/orders/")
    expect(page.locator("#order-results")).to_be_visible()
    # htmx swaps the results in when a filter changes (its script runs, its request carries the CSRF header).
    page.locator("#filters select").first.select_option(index=1)
    page.wait_for_url("**/orders/?*")  # hx-push-url: htmx made the request and swapped the results in
    expect(page.locator("#order-results")).to_be_visible()


def test_an_uploaded_page_is_downloaded_never_run(page, live_server, live_cast, settings, tmp_path):
    """A file stored before types were checked (or by any path around them) still never renders: it is a
    sandboxed download of application/octet-stream."""
    settings.MEDIA_ROOT = tmp_path
    cast, base = live_cast, live_server.url
    order = make_order(cast, when=None)
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="书面")
    Suspension.objects.get(order=order).evidence_file.save("old/notice.html", ContentFile(HOSTILE), save=True)
    sign_in(page, base, "clerk", cast.password)
    with page.expect_download() as caught:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.click(); }",
                      f"{base}/orders/{order.number}/evidence/0/")  # fmt: skip
    assert caught.value.suggested_filename == "notice.html"
    assert page.title() != "ran"
