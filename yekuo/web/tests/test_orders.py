"""The order list (filters, masking, pagination), its Excel export and the counter-order form."""

from datetime import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, WorkOrder
from yekuo.orders.selectors import clock_view, first_due
from yekuo.orders.services import table_for
from yekuo.web.presenters import days
from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(cast):
    resident = make_order(cast, when=None)  # now: its clock is running, neither warned nor overdue
    business = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="李四商行")
    complete(business, cast.clerk, "acceptance", "2026-11-02 10:00")
    west = make_order(cast, branch=cast.west, when="2026-11-03 09:00", customer_name="王五")
    return resident, business, west


def numbers(page) -> set[str]:
    return {n for n in WorkOrder.objects.values_list("number", flat=True) if f'data-number="{n}"' in page}


def test_list_shows_scope_masks_and_badges(client, cast, orders):
    resident, business, west = orders
    text = login(client, cast.clerk, cast).get("/orders/").content.decode()
    assert numbers(text) == {resident.number, business.number}  # east clerk: never the west order
    assert "152***********1239" in text and "139****5678" in text and "152701199001011239" not in text
    assert "超期" in text  # business's survey clock ran out weeks ago
    assert numbers(login(client, cast.dispatcher, cast).get("/orders/").content.decode()) == {
        resident.number,
        business.number,
        west.number,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=lv_business", {"business"}),
        ("node=survey_plan", {"business"}),
        ("node=acceptance", {"resident", "west"}),
        ("branch=west", {"west"}),
        ("channel=counter&status=in_transit", {"resident", "business", "west"}),
        ("alarm=overdue", {"business", "west"}),
        ("created_from=2026-11-03", {"resident", "west"}),
        ("created_to=2026-11-02", {"business"}),
        ("q=李四", {"business"}),
        ("category=nonsense&created_from=not-a-date", {"resident", "business", "west"}),  # dropped, not a 500
    ],
)
def test_list_filters(client, cast, orders, query, expected):
    named = dict(zip(("resident", "business", "west"), orders, strict=True))
    page = login(client, cast.dispatcher, cast).get(f"/orders/?{query}")
    assert page.status_code == 200
    assert numbers(page.content.decode()) == {named[n].number for n in expected}


def _due(order):
    """What the list shows for an order: its first-due live clock, measured now by the engine."""
    clock = first_due(order.clocks.filter(state="running").order_by("deadline_at", "pk"))
    return clock, clock_view(clock, timezone.now(), table_for(order))


def test_list_shows_what_falls_due_first_with_the_engines_deadline(client, cast, orders, monkeypatch):
    resident, business, _west = orders
    now = timezone.now()  # the page and the test measure the running clocks at one instant
    monkeypatch.setattr(timezone, "now", lambda: now)
    page = login(client, cast.clerk, cast).get("/orders/")
    rows = {row["order"].number: row for row in page.context["rows"]}
    for order in (resident, business):
        clock, view = _due(order)
        shown = rows[order.number]["due"]
        assert shown.clock.pk == clock.pk and shown.view == view
    survey, view = _due(business)
    assert survey.code == "survey_plan" and view.overdue  # weeks past its deadline: shown as the overrun
    card = page.content.decode().split(f'data-number="{business.number}"')[1].split('data-number="')[0]
    deadline = timezone.localtime(survey.deadline_at).strftime("%Y-%m-%d %H:%M")
    assert f"期限 {deadline}" in card and f"超期 {days(-view.remaining_seconds, view.day_seconds)} 工作日" in card
    card = page.content.decode().split(f'data-number="{resident.number}"')[1].split('data-number="')[0]
    assert "剩余" in card and "超期" not in card  # created now: its acceptance clock has time left


def test_list_sorts_by_what_falls_due_first(client, cast, orders):
    resident, business, west = orders
    energized = make_order(cast, when="2026-10-01 09:00", customer_name="已接电")
    WorkOrder.objects.filter(pk=energized.pk).update(status="energized", due_at=None, warn_at=None)
    Clock.objects.filter(order=energized).update(state="done")
    login(client, cast.dispatcher, cast)
    listed = [row["order"].number for row in client.get("/orders/?sort=deadline").context["rows"]]
    due = sorted((resident, business, west), key=lambda o: _due(o)[0].deadline_at)
    assert listed == [o.number for o in due] + [energized.number]  # nothing running: last
    newest = [row["order"].number for row in client.get("/orders/?sort=nonsense").context["rows"]]
    assert newest == [o.number for o in WorkOrder.objects.order_by("-created_at", "-pk")]  # dropped, not a 500


def test_a_suspended_order_shows_its_paused_clock(client, cast, orders):
    resident = orders[0]
    services.order_suspend(resident, actor=cast.customer_manager, reason_code="customer_request",
                           evidence_note="客户来电", source=EventSource.IMPORT)  # fmt: skip
    page = login(client, cast.clerk, cast).get("/orders/")
    row = next(r for r in page.context["rows"] if r["order"].pk == resident.pk)
    assert row["due"].clock.state == "paused" and row["due"].clock.code == "acceptance"
    card = page.content.decode().split(f'data-number="{resident.number}"')[1].split('data-number="')[0]
    assert "期限 恢复后重新计算" in card and "暂停中" in card and "剩余" in card  # time left is known, the date is not


def test_list_paginates_and_htmx_gets_the_results_only(client, cast):
    for day in range(1, 24):
        make_order(cast, when=f"2026-11-{day:02d} 09:00")
    login(client, cast.clerk, cast)
    first = client.get("/orders/").content.decode()
    assert len(numbers(first)) == 20 and "第 1 / 2 页" in first
    assert len(numbers(client.get("/orders/?page=2").content.decode())) == 3
    fragment = client.get("/orders/?q=张三", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-results")
    assert "navbar" not in fragment.content.decode() and "共 23 张工单" in fragment.content.decode()


def test_export_has_the_filtered_scoped_list_with_chinese_headers(client, cast, orders, monkeypatch):
    resident, business, west = orders
    now = timezone.now()  # the export and the test measure the running clocks at one instant
    monkeypatch.setattr(timezone, "now", lambda: now)
    response = login(client, cast.auditor, cast).get("/orders/export.xlsx?channel=counter")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("工单编号", "业务类别", "受理渠道", "供电分公司") and "创建时间" in rows[0]
    assert {r[0] for r in rows[1:]} == {resident.number, business.number, west.number}
    by_number = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    row = by_number[business.number]
    assert row["业务类别"] == "低压非居民" and row["证件号码"] == "152***********1239"
    assert row["创建时间"] == datetime(2026, 11, 2, 9, 0)  # Asia/Shanghai wall-clock time
    assert row["当前节点"] == "现场勘察、编制供电方案" and row["预警状态"] == "超期"
    survey, view = _due(business)
    assert row["当前期限"] == timezone.localtime(survey.deadline_at).replace(tzinfo=None)
    assert row["剩余工作日"] == round(view.remaining_seconds / view.day_seconds, 2) < 0  # overdue: negative
    filtered = login(client, cast.branch_manager, cast).get("/orders/export.xlsx?category=lv_resident")
    rows = list(load_workbook(BytesIO(b"".join(filtered.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [resident.number]  # east branch manager: scope and filter


def test_counter_order_form_creates_and_goes_to_detail(client, cast):
    login(client, cast.clerk, cast)
    form = client.get("/orders/new/").content.decode()
    assert "东区营业区" in form and "西区营业区" not in form  # service areas in the clerk's scope only
    data = {"category": "lv_resident", "customer_name": "赵六", "customer_id_number": "152701199202022225",
            "customer_phone": "13800001111", "site_address": "东区幸福路8号", "service_area": "",
            "capacity_kva": "8", "voltage": "220V"}  # fmt: skip
    response = client.post("/orders/new/", data, follow=True)
    order = WorkOrder.objects.get(customer_name="赵六")
    assert response.redirect_chain[-1][0] == f"/orders/{order.number}/"
    assert order.channel == "counter" and order.status == "in_transit" and order.branch == cast.east
    assert "已受理工单" in response.content.decode()


def test_the_counter_form_records_assisted_applications(client, cast):
    """R1: a clerk records 帮您办 (assisted) as well as the counter; both are received at once (D3)."""
    login(client, cast.clerk, cast)
    form = client.get("/orders/new/").content.decode()
    assert "帮您办" in form and "营业厅" in form and "蒙速办" not in form
    data = {"channel": "assisted", "category": "lv_resident", "customer_name": "钱七", "customer_phone": "13800002222",
            "site_address": "东区幸福路9号", "capacity_kva": "8", "voltage": "220V"}  # fmt: skip
    client.post("/orders/new/", data, follow=True)
    order = WorkOrder.objects.get(customer_name="钱七")
    assert order.channel == "assisted" and order.status == "in_transit"
    assert client.post("/orders/new/", {**data, "channel": "mengsuban"}).status_code == 400


def test_counter_order_form_shows_service_errors_on_fields(client, cast):
    login(client, cast.clerk, cast)
    data = {"category": "lv_resident", "customer_name": "赵六", "site_address": "无名路1号", "capacity_kva": "8",
            "voltage": "220V"}  # fmt: skip
    response = client.post("/orders/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["service_area"] == ["用电地址未能对应到本公司的营业区（地址中应有区、旗、镇等地名），请选择营业区"]
    assert errors["customer_phone"][0].startswith("请填写客户联系电话")
    west = client.post("/orders/new/", {**data, "site_address": "西区园林路2号", "customer_phone": "13800001111"})
    assert west.status_code == 400  # the address lies in another branch: said on the address, in Chinese
    assert west.context["form"].errors["site_address"][0].startswith("用电地址所属的分公司不在您的受理范围内")
    assert not WorkOrder.objects.exists()


def test_export_shows_a_paused_clock_as_paused_with_its_time_frozen(client, cast):
    """O5: a clock paused by a suspension is 暂停 in the export's warning column, never blank or 超期; its
    remaining working days are those at the pause, whenever the list is exported (negative only when it
    had run out before the pause: 暂停前已超期)."""
    from datetime import timedelta

    from yekuo.workcal.tests.conftest import at

    fresh = make_order(cast, when="2026-11-02 09:00", customer_name="刚暂停")
    services.order_suspend(fresh, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来电",
                           occurred_at=at("2026-11-02 09:30"), source=EventSource.IMPORT)  # fmt: skip
    late = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="超期后暂停")
    complete(late, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(late, actor=cast.customer_manager, reason_code="customer_request", evidence_note="客户来电",
                           occurred_at=at("2026-11-20 11:00"), source=EventSource.IMPORT)  # fmt: skip
    response = login(client, cast.auditor, cast).get("/orders/export.xlsx")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    by_name = {r[5]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    for order, alarm in ((fresh, "暂停"), (late, "暂停（暂停前已超期）")):
        row = by_name[order.customer_name]
        assert row["状态"] == "暂停（客户原因）" and row["预警状态"] == alarm
        clock = order.clocks.get(state="paused")
        table = table_for(order)
        now, later = clock_view(clock, None, table), clock_view(clock, timezone.now() + timedelta(days=30), table)
        assert row["剩余工作日"] == round(now.remaining_seconds / now.day_seconds, 2)
        assert now.remaining_seconds == later.remaining_seconds  # frozen while paused
    assert by_name["刚暂停"]["剩余工作日"] == 0.43  # 0.5 day less the 30 minutes before the pause
    assert by_name["超期后暂停"]["剩余工作日"] < 0


def test_the_warning_filter_never_lists_a_paused_clock_as_overdue(client, cast):
    """O5: a suspended order whose clock ran out before the pause is not 超期 on the warning filter; the
    status filter finds it, flagged 暂停 with how long."""
    from yekuo.workcal.tests.conftest import at

    paused = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="超期后暂停")
    complete(paused, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(paused, actor=cast.customer_manager, reason_code="customer_request", evidence_note="来电",
                           occurred_at=at("2026-11-20 11:00"), source=EventSource.IMPORT)  # fmt: skip
    login(client, cast.clerk, cast)
    for alarm in ("overdue", "warning", "any"):
        assert paused.number not in numbers(client.get(f"/orders/?alarm={alarm}").content.decode())
    page = client.get("/orders/?status=suspended").content.decode()
    card = page.split(f'data-number="{paused.number}"')[1].split('data-number="')[0]
    assert "yk-suspended" in card and "工作日" in card and "text-danger" not in card
