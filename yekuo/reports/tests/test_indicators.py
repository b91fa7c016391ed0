"""The month's indicators (R12) on a synthetic October 2026 whose every answer is worked by hand.

The 2026 calendar: 10-01..10-07 are holidays (National Day), 10-10 (a Saturday) a make-up working day;
office hours 08:30–12:00 and 14:30–18:00, 420 minutes a day. Times are Asia/Shanghai.

The orders (east and west are the cast's two branches of one company):
- A east lv_resident, counter, applied 09-29 09:00, suspended by the customer 09-29 11:00 → 10-08 11:00
  (across National Day), energized 10-09 16:00: on time.
- B east hv10_single, counter, applied 09-28 08:30, customer-side works until 10-09 09:30, energized
  10-09 15:00: on time.
- C west lv_business, Mengsuban, applied 10-12 09:00, survey a day late, energized 10-16 10:00: late.
- D east lv_resident, online, applied 10-31 23:30 (+08:00, 15:30 UTC): October's.
- E east lv_resident, counter, applied 11-01 00:10 (+08:00, 10-31 16:10 UTC): November's.
- F east lv_resident, gov_portal, applied 10-01 00:05 (+08:00, 09-30 16:05 UTC): October's.
- S east lv_resident, counter, applied 09-30 23:50 (+08:00): September's.
- G east lv_resident, counter, applied 10-20 09:00, acceptance done only 11-02: overdue at the month's end.
- H west lv_resident, counter, applied 10-13 09:00, cancelled 10-14: created, never energized.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yekuo.accounts.models import Branch
from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.tests.api_helpers import make_order
from yekuo.reports.indicators import (
    energized_orders,
    late_orders,
    month_bounds,
    monthly,
    open_overdue_orders,
    overdue_clocks,
)
from yekuo.reports.services import fee_record
from yekuo.workcal.tests.conftest import at

IMPORT = {"source": EventSource.IMPORT}


def done(order, actor, node, when):
    services.node_complete(order, actor=actor, node=node, occurred_at=at(when), **IMPORT)


@pytest.fixture
def october(cast):
    clerk, manager, project = cast.clerk, cast.customer_manager, cast.project_manager
    west = ("clerk", "customer_manager", "project_manager")
    west_clerk, west_manager, west_project = (cast.users[f"west_{n}"] for n in west)

    a = make_order(cast, when="2026-09-29 09:00")
    done(a, clerk, "acceptance", "2026-09-29 10:00")
    services.order_suspend(a, actor=clerk, reason_code="customer_request", evidence_note="客户来电要求暂缓",
                           occurred_at=at("2026-09-29 11:00"), **IMPORT)  # fmt: skip
    services.order_resume(a, actor=clerk, occurred_at=at("2026-10-08 11:00"), **IMPORT)
    done(a, manager, "survey_plan", "2026-10-08 15:00")
    done(a, project, "grid_works", "2026-10-09 10:00")
    done(a, manager, "contract_energize", "2026-10-09 16:00")

    b = make_order(cast, category="hv10_single", voltage="10kV", capacity_kva=630, when="2026-09-28 08:30")
    done(b, clerk, "acceptance", "2026-09-28 10:00")
    done(b, manager, "survey_plan", "2026-09-28 16:00")
    services.approval_decide(b, actor=project, low_risk=True, occurred_at=at("2026-09-28 16:30"), **IMPORT)
    done(b, project, "approval", "2026-09-28 17:00")
    done(b, project, "grid_works", "2026-09-29 11:00")
    services.customer_event(b, "customer.works_completed", actor=manager, occurred_at=at("2026-10-09 09:30"), **IMPORT)
    done(b, manager, "contract_inspection", "2026-10-09 15:00")

    c = make_order(cast, branch=cast.west, actor=west_clerk, category="lv_business", channel="mengsuban",
                   receive=True, capacity_kva=50, voltage="380V", when="2026-10-12 09:00")  # fmt: skip
    done(c, west_clerk, "acceptance", "2026-10-12 10:00")
    done(c, west_manager, "survey_plan", "2026-10-14 10:00")  # a day after its deadline, 10-13 10:00
    services.approval_decide(c, actor=west_project, low_risk=True, occurred_at=at("2026-10-14 10:30"), **IMPORT)
    done(c, west_project, "approval", "2026-10-14 11:00")
    done(c, west_project, "grid_works", "2026-10-15 11:00")
    done(c, west_manager, "contract_energize", "2026-10-16 10:00")

    d = make_order(cast, channel="online", when="2026-10-31 23:30")
    e = make_order(cast, when="2026-11-01 00:10")
    f = make_order(cast, channel="gov_portal", when="2026-10-01 00:05")
    s = make_order(cast, when="2026-09-30 23:50")
    g = make_order(cast, when="2026-10-20 09:00")
    done(g, clerk, "acceptance", "2026-11-02 09:00")
    h = make_order(cast, branch=cast.west, actor=west_clerk, when="2026-10-13 09:00")
    services.order_cancel(h, actor=cast.users["west_branch_manager"], cancel_reason="客户撤回申请",
                          occurred_at=at("2026-10-14 09:00"), **IMPORT)  # fmt: skip

    fee_record(c, actor=west_clerk, item="metering", amount="1200.50", charged_at=at("2026-10-15 09:00"))
    fee_record(g, actor=clerk, item="other", amount="99", charged_at=at("2026-10-20 10:00"))  # not energized
    orders = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "s": s, "g": g, "h": h}
    return {k: WorkOrder.objects.get(pk=v.pk) for k, v in orders.items()}


def rows_by(result, key=("branch", "category")):
    """Rows keyed by their key fields (one field: by its value)."""
    return {(r[key[0]] if len(key) == 1 else tuple(r[k] for k in key)): r for r in result}


def test_month_bounds_are_asia_shanghai():
    start, end = month_bounds("2026-10")
    assert (start.isoformat(), end.isoformat()) == ("2026-10-01T00:00:00+08:00", "2026-11-01T00:00:00+08:00")
    assert month_bounds("2026-12")[1].isoformat() == "2027-01-01T00:00:00+08:00"
    for bad in ("2026-13", "2026-1", "26-10", "", "2026-10-01"):
        with pytest.raises(InvalidInput):
            month_bounds(bad)


def test_the_orders_are_as_the_fixture_says(october):
    assert [october[k].status for k in "abc"] == ["energized"] * 3
    assert october["h"].status == "cancelled" and october["g"].status == "in_transit"
    assert october["d"].received_at is None and october["f"].received_at is None


def test_rows_per_branch_and_category(october):
    result = monthly("2026-10")
    assert result["month"] == "2026-10" and result["from"] == "2026-10-01T00:00:00+08:00"
    rows = rows_by(result["rows"])
    assert set(rows) == {("east", "lv_resident"), ("east", "hv10_single"), ("west", "lv_business"),
                         ("west", "lv_resident")}  # fmt: skip
    east = rows[("east", "lv_resident")]
    # created: D (10-31 23:30), F (10-01 00:05), G; not E (11-01 00:10) nor S (09-30 23:50) nor A (09-29).
    assert (east["created"], east["online"], east["online_rate"], east["mengsuban"]) == (3, 2, 0.6667, 0)
    assert east["channels"]["online"] == 1 and east["channels"]["gov_portal"] == 1 and east["channels"]["counter"] == 1
    # A: utility 09-29 09:00–11:00 = 120, 10-08 11:00–18:00 = 270, 10-09 08:30–16:00 = 300 → 690 min = 1.64;
    # customer = the suspension 09-29 11:00 → 10-08 11:00 (National Day off) = 840 min = 2.0; 10 days 7 hours.
    assert (east["energized"], east["on_time"], east["late"], east["on_time_rate"]) == (1, 1, 0, 1.0)
    assert (east["utility_days_mean"], east["customer_days_mean"], east["suspended_days_mean"]) == (1.64, 2.0, 2.0)
    assert east["calendar_days_mean"] == 10.29 and east["utility_days_p90"] == 1.64
    assert east["procedures_mean"] == 2 and east["cost_total_yuan"] == 0 and east["cost_mean_yuan"] == 0
    # G (acceptance due 10-20 15:00, done 11-02) and S (acceptance due 10-08 12:00, never done); not D or F
    # (online, never received) nor E (November's).
    assert east["open_overdue"] == 2

    hv = rows[("east", "hv10_single")]
    # B: utility 09-28 08:30 → 09-29 11:00 = 570 and 10-09 09:30–15:00 = 180 → 750 min = 1.79; customer: no
    # clock runs from the grid works to the customer's works, 09-29 11:00 → 10-09 09:30 = 1170 min = 2.79.
    assert (hv["created"], hv["energized"], hv["on_time"]) == (0, 1, 1)
    assert (hv["utility_days_mean"], hv["customer_days_mean"], hv["suspended_days_mean"]) == (1.79, 2.79, 0.0)
    assert hv["calendar_days_mean"] == 11.27 and hv["procedures_mean"] == 3
    assert hv["online_rate"] is None and hv["mengsuban_rate"] is None

    c = rows[("west", "lv_business")]
    # C: every clock runs from receipt 10-12 09:00 to 10-16 10:00: 390 + 3 × 420 + 90 = 1740 min = 4.14.
    assert (c["created"], c["online"], c["mengsuban"], c["mengsuban_rate"]) == (1, 1, 1, 1.0)
    assert (c["energized"], c["on_time"], c["late"], c["on_time_rate"]) == (1, 0, 1, 0.0)
    assert (c["utility_days_mean"], c["customer_days_mean"], c["calendar_days_mean"]) == (4.14, 0.0, 4.04)
    assert (c["cost_total_yuan"], c["cost_mean_yuan"], c["cost_orders"]) == (1200.5, 1200.5, 1)

    h = rows[("west", "lv_resident")]
    assert (h["created"], h["energized"], h["utility_days_mean"], h["on_time_rate"], h["open_overdue"]) == (
        1, 0, None, None, 0)  # fmt: skip


def test_company_rows_add_up_and_recompute_the_means(october):
    company = rows_by(monthly("2026-10")["company"], key=("category",))
    assert list(company) == ["lv_resident", "lv_business", "hv10_single", "hv10_dual", "all"]
    assert (company["lv_resident"]["created"], company["lv_resident"]["online"]) == (4, 2)
    assert company["hv10_dual"]["created"] == 0 and company["hv10_dual"]["utility_days_mean"] is None
    total = company["all"]
    assert (total["created"], total["online"], total["online_rate"], total["mengsuban"]) == (5, 3, 0.6, 1)
    assert (total["energized"], total["on_time"], total["on_time_rate"], total["open_overdue"]) == (3, 2, 0.6667, 2)
    # (1.64 + 1.79 + 4.14) / 3, (2.0 + 2.79 + 0) / 3, (10.29 + 11.27 + 4.04) / 3, (2 + 3 + 2) / 3
    assert (total["utility_days_mean"], total["customer_days_mean"], total["calendar_days_mean"]) == (2.52, 1.6, 8.53)
    assert total["procedures_mean"] == 2.33
    assert total["utility_days_p90"] == 3.67  # 1.79 + 0.8 × (4.14 − 1.79)
    assert (total["cost_total_yuan"], total["cost_mean_yuan"], total["cost_orders"]) == (1200.5, 400.17, 1)


def test_nodes_completed_in_the_month(october):
    nodes = rows_by(monthly("2026-10")["nodes"], key=("branch", "category", "node"))
    assert set(nodes) == {
        ("east", "lv_resident", "survey_plan"),
        ("east", "lv_resident", "grid_works"),
        ("east", "lv_resident", "contract_energize"),
        ("east", "hv10_single", "contract_inspection"),
        ("west", "lv_business", "acceptance"),
        ("west", "lv_business", "survey_plan"),
        ("west", "lv_business", "approval"),
        ("west", "lv_business", "grid_works"),
        ("west", "lv_business", "contract_energize"),
    }  # fmt: skip  (A's acceptance was September's, G's November's)
    days = {k: v["working_days_mean"] for k, v in nodes.items()}
    # A: survey 09-29 10:00–11:00 and, after the suspension, 10-08 11:00–15:00: 150 min; grid works 10-08
    # 15:00 → 10-09 10:00: 270; the contract from the grid works' completion 10-09 10:00 → 16:00: 210.
    assert days[("east", "lv_resident", "survey_plan")] == 0.36
    assert days[("east", "lv_resident", "grid_works")] == 0.64
    assert days[("east", "lv_resident", "contract_energize")] == 0.5
    # B: the inspection's clock starts at the customer's works, 10-09 09:30 → 15:00: 180 min.
    assert days[("east", "hv10_single", "contract_inspection")] == 0.43
    # C: 60 min; 10-12 10:00 → 10-14 10:00 = 840; 60; 10-14 11:00 → 10-15 11:00 = 420; → 10-16 10:00 = 360.
    business = ("acceptance", "survey_plan", "approval", "grid_works", "contract_energize")
    assert [days[("west", "lv_business", n)] for n in business] == [0.14, 2.0, 0.14, 1.0, 0.86]
    late = nodes[("west", "lv_business", "survey_plan")]
    assert (late["completed"], late["on_time"], late["overdue"], late["on_time_rate"]) == (1, 0, 1, 0.0)
    assert late["working_days_p90"] == 2.0
    ok = nodes[("east", "lv_resident", "grid_works")]
    assert (ok["completed"], ok["on_time"], ok["overdue"], ok["on_time_rate"]) == (1, 1, 0, 1.0)
    company = rows_by(monthly("2026-10")["company_nodes"], key=("category", "node"))
    assert company[("lv_business", "survey_plan")]["overdue"] == 1


def test_one_branch(october):
    result = monthly("2026-10", "west")
    assert {(r["branch"], r["category"]) for r in result["rows"]} == {("west", "lv_business"), ("west", "lv_resident")}
    total = rows_by(result["company"], key=("category",))["all"]
    assert (total["created"], total["energized"], total["on_time"]) == (2, 1, 0)
    assert {n["branch"] for n in result["nodes"]} == {"west"}
    with pytest.raises(InvalidInput):
        monthly("2026-10", "nowhere")


def test_the_months_either_side(october):
    november = rows_by(monthly("2026-11")["rows"])
    assert november[("east", "lv_resident")]["created"] == 1  # E
    assert november[("east", "lv_resident")]["energized"] == 0
    september = rows_by(monthly("2026-09")["rows"])
    assert september[("east", "lv_resident")]["created"] == 2  # A and S
    assert september[("east", "hv10_single")]["created"] == 1  # B


def test_an_empty_month_has_nulls_not_zeros(db):
    result = monthly("2025-01")
    assert result["rows"] == [] and result["nodes"] == []
    total = rows_by(result["company"], key=("category",))["all"]
    assert total["created"] == 0 and total["online_rate"] is None and total["utility_days_mean"] is None


def test_the_result_is_json_in_a_stable_order(october):
    result = monthly("2026-10")
    assert json.loads(json.dumps(result)) == result
    assert [(r["branch"], r["category"]) for r in result["rows"]] == [
        ("east", "lv_resident"), ("east", "hv10_single"), ("west", "lv_resident"), ("west", "lv_business")
    ]  # fmt: skip
    assert [n["node"] for n in result["nodes"] if n["branch"] == "west"] == [
        "acceptance", "survey_plan", "approval", "grid_works", "contract_energize"
    ]  # fmt: skip


def test_the_command_prints_json(october, tmp_path):
    out = StringIO()
    call_command("report", "monthly", "--month", "2026-10", "--format", "json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["month"] == "2026-10" and len(body["rows"]) == 4
    target = tmp_path / "october.json"
    call_command("report", "monthly", "--month", "2026-10", "--format", "json", "--output", str(target),
                 "--branch", "west", stdout=StringIO())  # fmt: skip
    assert {r["branch"] for r in json.loads(target.read_text())["rows"]} == {"west"}


def test_fees_are_checked(cast):
    order = make_order(cast, when="2026-10-12 09:00")
    with pytest.raises(InvalidInput):
        fee_record(order, actor=cast.clerk, item="bribe", amount=1, charged_at=at("2026-10-12 10:00"))
    with pytest.raises(InvalidInput):
        fee_record(order, actor=cast.clerk, item="other", amount="x", charged_at=at("2026-10-12 10:00"))
    with pytest.raises(InvalidInput):
        fee_record(order, actor=cast.clerk, item="other", amount=-5, charged_at=at("2026-10-12 10:00"))
    with pytest.raises(InvalidInput):
        fee_record(order, actor=cast.clerk, item="other", amount=5, charged_at=at("2026-10-11 10:00"))
    with pytest.raises(Forbidden):
        fee_record(order, actor=cast.users["west_clerk"], item="other", amount=5, charged_at=at("2026-10-12 10:00"))
    with pytest.raises(Forbidden):
        fee_record(order, actor=cast.auditor, item="other", amount=5, charged_at=at("2026-10-12 10:00"))
    fee = fee_record(order, actor=cast.clerk, item="other", amount=-5, charged_at=at("2026-10-12 10:00"), note="更正")
    assert str(fee.amount) == "-5.00"


def test_the_command_refuses_a_bad_month_or_format(db):
    with pytest.raises(CommandError, match="invalid_input: month must be YYYY-MM") as error:
        call_command("report", "monthly", "--month", "2026-13", stdout=StringIO())
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="invalid_input: unknown format 'docx'"):
        call_command("report", "monthly", "--month", "2026-10", "--format", "docx", stdout=StringIO())


def test_a_registered_format_is_served(db, tmp_path, monkeypatch):
    from yekuo.reports.management.commands import report

    monkeypatch.setitem(report.FORMATS, "csv", report.Format(lambda data, options: data["month"].encode(), False))
    with pytest.raises(CommandError, match="needs --output"):  # not text: never to stdout
        call_command("report", "monthly", "--month", "2026-10", "--format", "csv", stdout=StringIO())
    target = tmp_path / "m.csv"
    call_command(
        "report", "monthly", "--month", "2026-10", "--format", "csv", "--output", str(target), stderr=StringIO()
    )
    assert target.read_bytes() == b"2026-10"


def test_the_lists_behind_the_counts(october):
    numbers = lambda queryset: sorted(queryset.values_list("number", flat=True))  # noqa: E731
    assert numbers(energized_orders("2026-10")) == sorted(october[k].number for k in "abc")
    assert numbers(late_orders("2026-10")) == [october["c"].number]
    assert numbers(late_orders("2026-10", "east")) == []
    assert numbers(open_overdue_orders("2026-10")) == sorted(october[k].number for k in "gs")
    # The bulletin's list reads both kinds in one pass over the clocks: the same orders, each of one kind.
    clocks = overdue_clocks("2026-10").values_list("order__number", "kind")
    assert sorted(set(clocks)) == sorted([(october["c"].number, "late"), *((october[k].number, "open") for k in "gs")])
    east = Branch.objects.get(code="east").pk
    assert {n for n, _ in overdue_clocks("2026-10", [east]).values_list("order__number", "kind")} == {
        o.number for o in (october["c"], october["g"], october["s"]) if o.branch_id == east
    }


def test_fees_by_api(cast):
    from yekuo.orders.tests.api_helpers import client_for

    order = make_order(cast, when="2026-10-12 09:00")
    url = f"/api/v1/orders/{order.number}/fees"
    body = {"item": "metering", "amount": "350.00", "charged_at": "2026-10-12T10:00:00+08:00", "note": "电能表"}
    response = client_for(cast.clerk).post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert (
        response.json()["total_yuan"] == "350.00" and response.json()["fees"][0]["recorded_by"] == cast.clerk.username
    )
    refused = client_for(cast.auditor).post(url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # A negative amount corrects an earlier fee: it needs a note saying which.
    bad = client_for(cast.clerk).post(url, {**body, "amount": "-1", "note": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    listed = client_for(cast.auditor).get(url).json()
    assert [f["amount"] for f in listed["fees"]] == ["350.00"]
    assert client_for(cast.users["west_clerk"]).get(url).status_code == 404
