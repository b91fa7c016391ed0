"""The control dashboard (R9, R10, O12): the managers' home page, scoped by restrict(), every figure with a
drill-down to the order list that lists exactly what it counts; the day's overdue-warning list and its
Excel file; the breach risk as a column and a sort in the list and in 我的待办."""

import json
from collections import Counter
from datetime import date, datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from yekuo.monitoring import counts
from yekuo.monitoring.daily import store_day
from yekuo.monitoring.dashboard import alarmed_orders, alarms_by_node, in_transit, live_counts
from yekuo.monitoring.models import DailyAlarm, DashboardCount
from yekuo.monitoring.risk import refresh_risks
from yekuo.monitoring.snapshot import snapshot
from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(cast):
    """East: two overdue lv_resident orders (one at the survey), one lv_business; west: one order."""
    a = make_order(cast, when="2026-09-29 09:00")
    b = make_order(cast, when="2026-09-29 09:00")
    complete(b, cast.clerk, "acceptance", "2026-09-29 10:00")
    c = make_order(cast, category="lv_business", when="2026-09-29 09:00")
    d = make_order(cast, when="2026-09-29 09:00", branch=cast.west)
    return a, b, c, d


def data_of(response) -> dict:
    return data_of_html(response.content.decode())


def data_of_html(html: str) -> dict:
    start = html.index(">", html.index('id="dashboard-data"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_managers_get_the_dashboard_as_their_home(client, cast, book):
    response = login(client, cast.branch_manager, cast).get("/")
    assert response.status_code == 200 and "时限管控看板" in response.content.decode()
    client.logout()
    assert "时限管控看板" not in login(client, cast.clerk, cast).get("/").content.decode()


def test_every_figure_drills_down_to_the_list_of_what_it_counts(client, cast, book):
    login(client, cast.dispatcher, cast)
    data = data_of(client.get("/monitoring/dashboard/"))
    transit = {(r["branch"], r["category"]): r for r in data["transit"]}
    assert {k: r["count"] for k, r in transit.items()} == {
        ("east", "lv_business"): 1, ("east", "lv_resident"): 2, ("west", "lv_resident"): 1,
    }  # fmt: skip
    by_node = {(r["node"], r["state"]): r for r in data["by_node"]}
    assert {k: r["count"] for k, r in by_node.items()} == {
        ("acceptance", "overdue"): 3, ("survey_plan", "overdue"): 1,
    }  # fmt: skip
    for row in [*data["transit"], *data["by_node"]]:
        listed = client.get(row["url"]).content.decode()
        assert f"共 {row['count']} 张工单" in listed, row["url"]
    assert (data["orders_overdue"], data["orders_warning"]) == (4, 0)
    assert "共 4 张工单" in client.get("/orders/?alarm=overdue").content.decode()


def test_the_page_reads_the_stored_count_and_says_when(client, cast, book):
    count = counts.refresh()
    login(client, cast.dispatcher, cast)
    first = client.get("/monitoring/dashboard/").content.decode()
    assert data_of_html(first)["counted_at"] == count.counted_at.isoformat()
    assert "统计于" in first
    make_order(cast, when="2026-09-29 09:00")
    assert data_of_html(client.get("/monitoring/dashboard/").content.decode()) == data_of_html(first)  # as counted
    out = StringIO()
    call_command("monitor", "count", stdout=out)
    assert "dashboard counted at" in out.getvalue()
    later = counts.latest()
    data = data_of(client.get("/monitoring/dashboard/"))
    assert sum(r["count"] for r in data["transit"]) == 5 and data["counted_at"] == later.counted_at.isoformat()
    assert list(DashboardCount.objects.values_list("pk", flat=True)) == [later.pk]  # the earlier count is gone


def test_the_stored_count_is_the_live_count_in_every_scope(client, cast, book):
    # A warning too: an order whose survey has used 330 of its 420 minutes at 08:30 on the 30th.
    when = timezone.make_aware(datetime(2026, 9, 30, 8, 30))
    count = counts.refresh(when)
    for user in (cast.dispatcher, cast.branch_manager, cast.west_branch_manager):
        live = live_counts(user, when)
        stored = {
            "transit": {(r["branch"], r["category"]): r["count"] for r in in_transit(user, count)},
            "by_node": {(r["node"], r["state"]): r["count"] for r in alarms_by_node(user, count)},
            **alarmed_orders(user, count),
        }
        assert stored == live, user.username
    by_node = live_counts(cast.dispatcher, when)["by_node"]
    assert by_node == {("acceptance", "overdue"): 3, ("survey_plan", "warning"): 1}
    assert {r["branch"] for r in in_transit(cast.branch_manager, count)} == {"east"}
    # Every node state of every branch: the count's node cells are the in-transit picture at its instant.
    cells = Counter()
    for cell in count.cells.exclude(node=""):
        cells[(cell.branch_id, cell.category, cell.node, cell.state)] += cell.n
    assert cells == +snapshot(when, method="replay").counts


def test_the_branch_manager_sees_only_the_branch(client, cast, book):
    login(client, cast.branch_manager, cast)
    data = data_of(client.get("/monitoring/dashboard/"))
    assert {r["branch"] for r in data["transit"]} == {"east"}
    assert sum(r["count"] for r in data["by_node"]) == 3


def test_the_trend_reads_the_stored_days(client, cast, book):
    today = timezone.localdate()
    store_day(cast.company, today)
    login(client, cast.dispatcher, cast)
    trend = data_of(client.get("/monitoring/dashboard/"))["trend"]
    assert [d["date"] for d in trend] == [today.isoformat()]
    assert trend[0]["overdue"] == 4 and trend[0]["in_transit"] == 4
    listed = client.get(trend[0]["url"] + "&state=overdue").content.decode()
    assert listed.count('class="list-group-item list-group-item-action yk-alarm"') == 4


def test_the_overdue_warning_list_and_its_excel(client, cast, book):
    login(client, cast.branch_manager, cast)
    page = client.get("/monitoring/alarms/", {"date": "2026-09-30"}).content.decode()
    assert page.count("yk-alarm") == 3  # east only: the west order is out of scope
    response = client.get("/monitoring/alarms/export.xlsx", {"date": "2026-09-30"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("供电分公司", "工单编号") and len(rows) == 2 + 3
    # At 08:30 on the 30th both acceptances are overdue, the survey started at 10:00 has used 330 of 420 minutes.
    assert sorted(r[5] for r in rows[2:]) == ["超期", "超期", "预警"]


def test_the_risk_is_a_column_and_a_sort(client, cast, book):
    assert refresh_risks(timezone.now()) == 4
    login(client, cast.dispatcher, cast)
    listed = client.get("/orders/", {"sort": "risk", "status": "open"}).content.decode()
    assert "超期风险 100%" in listed  # all four are overdue
    client.logout()
    login(client, cast.clerk, cast)
    work = client.get("/work/", {"sort": "risk"}).content.decode()
    assert "yk-risk" in work and 'class="btn btn-outline-primary active" href="?sort=risk"' in work


def test_a_day_before_any_order(client, cast, book):
    login(client, cast.dispatcher, cast)
    assert "该时点没有预警或超期的节点" in client.get("/monitoring/alarms/", {"date": "2026-09-01"}).content.decode()
    assert store_day(cast.company, date(2026, 9, 1)).counts.count() == 0


def test_a_stored_day_lists_its_stored_alarms_in_scope(client, cast, book):
    stored = store_day(cast.company, date(2026, 9, 30))
    assert stored.alarms_stored and DailyAlarm.objects.filter(snapshot=stored).count() == 4
    login(client, cast.branch_manager, cast)
    page = client.get("/monitoring/alarms/", {"date": "2026-09-30"}).content.decode()
    assert page.count("yk-alarm") == 3  # east only
    # The page reads the stored list, not the orders: a stored line changed shows as stored.
    DailyAlarm.objects.filter(snapshot=stored, state="warning").update(state="overdue")
    page = client.get("/monitoring/alarms/", {"date": "2026-09-30", "state": "overdue"}).content.decode()
    assert page.count('data-state="overdue"') == 3
    response = client.get("/monitoring/alarms/export.xlsx", {"date": "2026-09-30"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sorted(r[5] for r in list(sheet.iter_rows(values_only=True))[2:]) == ["超期", "超期", "超期"]
