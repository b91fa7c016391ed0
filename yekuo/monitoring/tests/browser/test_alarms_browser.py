"""Real browser: 时限超期预警 flags a suspended order as the list and 我的待办 do (O5): suspended, for how
many working days at the list's instant, and awaiting review while its clocks still run (I5)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from yekuo.orders import services
from yekuo.orders.models import EventSource, Suspension
from yekuo.web.tests.helpers import IMPORT, complete, make_order
from yekuo.web.tests.test_browser import sign_in
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.slow  # a browser against a live server


@pytest.mark.django_db(transaction=True)
def test_the_alarm_list_flags_suspended_orders(page, live_server, live_cast):
    cast, base = live_cast, live_server.url
    # Paused (by the clerk, for the customer manager's survey): no alarm, listed under 暂停.
    paused = make_order(cast, when="2026-11-02 09:00", customer_name="暂停客户")
    complete(paused, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(paused, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来函",
                           occurred_at=at("2026-11-03 09:00"), source=IMPORT)  # fmt: skip
    # The customer manager's own, back-dated suspension awaits review: the survey clock runs on, overdue.
    pending = make_order(cast, when="2026-11-02 09:00", customer_name="待审核客户")
    complete(pending, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(pending, actor=cast.customer_manager, reason_code="customer_request",
                           evidence_note="本人所写", occurred_at=at("2026-11-02 11:00"), reason="忘了录",
                           source=EventSource.WEB)  # fmt: skip
    assert Suspension.objects.get(order=pending).review == "pending"

    sign_in(page, base, "branch_manager", cast.password)
    page.goto(f"{base}/monitoring/alarms/?date=2026-11-05")
    row = page.locator(f".yk-alarm[data-number='{pending.number}']")
    expect(row).to_have_attribute("data-state", "overdue")
    expect(row.locator(".yk-suspended")).to_contain_text("待审核")
    expect(row.locator(".yk-suspended")).to_contain_text("工作日")
    expect(page.locator(f".yk-alarm[data-number='{paused.number}']")).to_have_count(0)

    page.goto(f"{base}/monitoring/alarms/?date=2026-11-05&state=suspended")
    row = page.locator(f".yk-alarm[data-number='{paused.number}']")
    # Paused at 09:00 on Tuesday the 3rd (its day starts at 08:30); the list's instant is the start of Thursday
    # the 5th: 6.5 + 7 working hours of 7 a day.
    expect(row.locator(".yk-suspended")).to_have_text("暂停 1.93 工作日")
    expect(row.locator(".text-bg-danger")).to_have_count(0)

    # The Excel of the same list carries the same flag, in its own column.
    response = page.request.get(f"{base}/monitoring/alarms/export.xlsx?date=2026-11-05&state=suspended")
    rows = list(load_workbook(BytesIO(response.body())).active.iter_rows(values_only=True))
    assert rows[1][-1] == "暂停"
    flags = {row[1]: row[-1] for row in rows[2:]}
    assert flags[paused.number] == "暂停 1.93 工作日"
