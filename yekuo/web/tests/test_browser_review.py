"""Real browser: a worker's own suspension waits on the review page of their branch manager (I5)."""

import pytest
from playwright.sync_api import expect

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, Suspension
from yekuo.web.tests.helpers import complete, make_order
from yekuo.web.tests.test_browser import act, sign_in, sign_out
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.slow  # a browser against a live server


@pytest.mark.django_db(transaction=True)
def test_an_own_suspension_is_approved_on_the_review_page(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00")
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.WEB, reason="纸质受理单补录")  # fmt: skip
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    west = make_order(cast, when="2026-11-02 09:00", branch=cast.west)
    complete(west, cast.west_clerk, "acceptance", "2026-11-02 10:00")
    complete(west, cast.west_customer_manager, "survey_plan", "2026-11-02 11:00")

    sign_in(page, base, "project_manager", cast.password)
    page.goto(f"{base}/orders/{order.number}/")
    act(page, "suspend", "已暂停计时", reason_code="customer_request", evidence_note="本人所写说明")
    expect(page.locator(".yk-suspension")).to_contain_text("待审核")
    assert Clock.objects.get(order=order, code="grid_works").state == "running"  # runs on until approved
    sign_out(page)
    sign_in(page, base, "west_project_manager", cast.password)
    page.goto(f"{base}/orders/{west.number}/")
    act(page, "suspend", "已暂停计时", reason_code="customer_request", evidence_note="西区说明")
    sign_out(page)

    sign_in(page, base, "branch_manager", cast.password)
    page.click("nav >> text=暂停审核")
    review = page.locator(f".yk-review[data-order='{order.number}']")
    expect(review).to_contain_text("本人暂停本人计时")
    expect(review).to_contain_text("本人所写说明")
    expect(review).to_contain_text("project_manager")
    expect(page.locator(".yk-review")).to_have_count(1)  # the west branch's is not in this scope
    review.locator("select").select_option("reject")
    review.locator("button[type=submit]").click()
    expect(page.locator(f".yk-review[data-order='{order.number}'] .invalid-feedback")).to_contain_text("须填写审核意见")
    review = page.locator(f".yk-review[data-order='{order.number}']")
    review.locator("select").select_option("approve")
    review.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已同意暂停计时：{order.number}")
    expect(page.locator("#no-reviews")).to_be_visible()
    suspension = Suspension.objects.get(order=order)
    assert suspension.review == "approved"
    assert Clock.objects.get(order=order, code="grid_works").state == "paused"
    # The back-dated completion waits for its check, and leaves the list once checked.
    entry = page.locator(f".yk-entry[data-order='{order.number}']")
    expect(entry).to_contain_text("纸质受理单补录")
    expect(page.locator(".yk-entry")).to_have_count(1)
    entry.locator("select").select_option("approve")
    entry.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(f"补录已核实：{order.number}")
    expect(page.locator("#no-entries")).to_be_visible()
    page.goto(f"{base}/orders/{order.number}/")
    expect(page.locator("#events tr[data-type='entry.reviewed']")).to_contain_text("已核实")
    expect(page.locator(".yk-suspension")).to_contain_text("已审核同意")
    expect(page.locator("#events")).to_contain_text("同意暂停计时")


@pytest.mark.django_db(transaction=True)
def test_the_review_page_works_on_a_phone(browser, live_server, live_cast):
    """O5: at 360×740 the review page does not scroll sideways, even with a long unbroken evidence note,
    and a suspension is approved there with the thumb."""
    cast, base = live_cast, live_server.url
    name = "鄂尔多斯市东胜区某某房地产开发有限责任公司第二分公司"
    order = make_order(cast, when="2026-11-02 09:00", customer_name=name)
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    services.order_suspend(order, actor=cast.project_manager, reason_code="customer_request",
                           evidence_note="客户书面申请" + "A" * 80, source=EventSource.WEB)  # fmt: skip
    assert Suspension.objects.get(order=order).review == "pending"
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/login/")
        page.fill("#id_username", "branch_manager")
        page.fill("#id_password", cast.password)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/reviews/")
        review = page.locator(f".yk-review[data-order='{order.number}']")
        expect(review).to_contain_text("本人暂停本人计时")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"/reviews/ scrolls sideways at 360 px: scrollWidth {width}"
        button = review.locator("button[type=submit]")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        review.locator("select").select_option("approve")
        button.click()
        expect(page.locator(".alert-success")).to_contain_text(f"已同意暂停计时：{order.number}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_back_dated_entries_are_listed_per_branch(page, live_server, live_cast):
    """I5: the customer service center reviews every branch; each branch's back-dated entries come under
    its name, as its suspensions do."""
    cast, base = live_cast, live_server.url
    east = make_order(cast, when="2026-11-02 09:00", customer_name="东区补录客户")
    services.node_complete(east, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.WEB, reason="东区纸质单补录")  # fmt: skip
    west = make_order(cast, when="2026-11-02 09:00", branch=cast.west, customer_name="西区补录客户")
    services.node_complete(west, actor=cast.west_clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.WEB, reason="西区纸质单补录")  # fmt: skip

    sign_in(page, base, "dispatcher", cast.password)
    page.goto(f"{base}/reviews/")
    for branch, order, reason in (("east", east, "东区纸质单补录"), ("west", west, "西区纸质单补录")):
        group = page.locator(f".yk-entry-branch[data-branch='{branch}']")
        expect(group.locator("h3")).to_have_text(str(getattr(cast, branch)))
        expect(group.locator(f".yk-entry[data-order='{order.number}']")).to_contain_text(reason)
        expect(group.locator(".yk-entry")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_s_own_entry_is_left_to_another_reviewer(page, live_server, live_cast):
    """I5: a back-dated entry is checked by a second person; the one who made it sees it listed, with no form
    that could only be refused."""
    cast, base = live_cast, live_server.url
    order = make_order(cast, channel="online", when="2026-11-02 09:00", customer_name="本人补录客户")
    services.order_receive(order, actor=cast.dispatcher, occurred_at=at("2026-11-02 10:00"),
                           source=EventSource.WEB, reason="系统故障后补录")  # fmt: skip
    sign_in(page, base, "dispatcher", cast.password)
    page.goto(f"{base}/reviews/")
    entry = page.locator(f".yk-entry[data-order='{order.number}']")
    expect(entry).to_contain_text("系统故障后补录")
    expect(entry.locator("form")).to_have_count(0)
    expect(entry.locator(".yk-own")).to_have_text("本人所录，由其他审核人核实")
    sign_out(page)  # the branch manager of the order's branch checks it
    sign_in(page, base, "branch_manager", cast.password)
    page.goto(f"{base}/reviews/")
    expect(page.locator(f".yk-entry[data-order='{order.number}'] form")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_s_own_suspension_is_left_to_another_reviewer(page, live_server, live_cast):
    """I5: a suspension is reviewed by a second person; a worker who also reviews (two roles) sees their own
    suspension listed, with no form that could only be refused, and another reviewer decides it."""
    from yekuo.accounts.models import Role

    cast, base = live_cast, live_server.url
    order = make_order(cast, when="2026-11-02 09:00", customer_name="本人暂停客户")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    cast.project_manager.roles.add(Role.objects.get(code="branch_manager"))
    services.order_suspend(order, actor=cast.project_manager, reason_code="customer_request",
                           evidence_note="客户书面申请", source=EventSource.WEB)  # fmt: skip
    assert Suspension.objects.get(order=order).review == "pending"

    sign_in(page, base, "project_manager", cast.password)
    page.goto(f"{base}/reviews/")
    review = page.locator(f".yk-review[data-order='{order.number}']")
    expect(review).to_contain_text("客户书面申请")
    expect(review.locator("form")).to_have_count(0)
    expect(review.locator(".yk-own")).to_have_text("本人所录，由其他审核人审核")
    sign_out(page)
    sign_in(page, base, "branch_manager", cast.password)
    page.goto(f"{base}/reviews/")
    review = page.locator(f".yk-review[data-order='{order.number}']")
    review.locator("select").select_option("approve")
    review.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已同意暂停计时：{order.number}")
    assert Suspension.objects.get(order=order).review == "approved"
