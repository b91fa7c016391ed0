"""Real browser: a visitor records a return visit on a 360 px phone, from the month's plan (R11).
Bounded: the machine has two cores."""

import pytest
from playwright.sync_api import expect

from yekuo.orders.models import PersonalDataReveal
from yekuo.visits.models import ProblemCategory, Visit
from yekuo.visits.services import plan_month
from yekuo.visits.tests.conftest import energize
from yekuo.web.tests.conftest import csp_watch
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server


def test_a_visit_recorded_on_a_phone(browser, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = energize(cast, "2026-11-02")
    plan_month("2026-11")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    problems = csp_watch(context)
    page = context.new_page()
    try:
        sign_in(page, base, "dispatcher", cast.password)
        page.goto(f"{base}/visits/?month=2026-11&status=planned")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator(f".yk-visit[data-order='{order.number}']").click()
        page.wait_for_url(f"{base}/visits/*/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # O9: the visitor calls the customer: the phone is revealed with one tap, and that is recorded.
        phone = page.locator("#visit-order #personal-customer_phone")
        expect(phone).to_contain_text("139****5678")
        phone.locator("button").click()
        expect(page.locator("#visit-order a[href='tel:13912345678']")).to_have_text("13912345678")
        assert PersonalDataReveal.objects.filter(order=order, user=cast.dispatcher, field="customer_phone").exists()
        page.check("input[name='reached'][value='yes']")
        page.select_option("#id_satisfaction", "4")
        page.select_option("#id_time_agrees", "no")
        page.select_option("#id_time_node", "survey_plan")
        page.fill("#id_time_offset_days", "-2")
        page.check("input[name='problems'][value='slow']")
        page.fill("#id_description", "客户称勘察提前两天")
        button = page.locator("#visit-form button[type=submit]")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        button.click()
        expect(page.locator(".alert-success")).to_contain_text(order.number)
        visit = Visit.objects.get(order=order)
        assert (visit.satisfaction, visit.time_node, visit.time_offset_days) == (4, "survey_plan", -2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert not problems, "the browser reported: " + "; ".join(problems)


def test_problem_categories_in_english_on_english_pages(browser, live_server, live_cast):
    """The problem categories carry an English name (R11): an English visitor sees it on the visit form and
    in the problems page's filter, not the Chinese name."""
    cast, base = live_cast, live_server.url
    # the migration's row (a transactional test before this one may have flushed it)
    ProblemCategory.objects.update_or_create(code="slow", defaults={"name": "办电时间长", "name_en": "Took too long"})
    energize(cast, "2026-11-02")
    visit = plan_month("2026-11") and Visit.objects.get()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-US")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    problems = csp_watch(context)
    page = context.new_page()
    try:
        sign_in(page, base, "dispatcher", cast.password)
        page.goto(f"{base}/visits/{visit.pk}/")
        expect(page.locator("label", has=page.locator("input[name='problems'][value='slow']"))).to_contain_text(
            "Took too long"
        )
        assert "办电时间长" not in page.inner_text("body")
        page.goto(f"{base}/visits/problems/")
        expect(page.locator("#p-category option[value='slow']")).to_have_text("Took too long")
    finally:
        context.close()
    assert not problems, "the browser reported: " + "; ".join(problems)
