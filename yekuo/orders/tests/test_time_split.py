"""Utility time and customer time (REQUIREMENTS I9, I5): each category, worked by hand in working minutes.

The 2026 calendar: 09-25..09-27 and 10-01..10-07 are holidays, 10-10 (a Saturday) is a make-up working day;
office hours 08:30–12:00 and 14:30–18:00, 420 minutes a day.
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.projection import Event, project
from yekuo.orders.selectors import time_split
from yekuo.orders.tests.api_helpers import client_for, make_order
from yekuo.orders.tests.test_projection import REGULATION
from yekuo.orders.time_split import split_state
from yekuo.web.tests.helpers import login
from yekuo.workcal.tests.conftest import at

MINUTE = 60
IMPORT = EventSource.IMPORT


def split_of(table, category, events, now=None):
    evs = [Event(type, at(when), payload, seq=i) for i, (when, type, payload) in enumerate(events)]
    state = project(REGULATION.category(category), REGULATION.rules, "counter", evs, table)
    return split_state(state, applied_at=evs[0].at, table=table, now=now and at(now))


def minutes(split) -> tuple[int, int, int]:
    return split.utility_seconds // MINUTE, split.customer_seconds // MINUTE, split.suspended_seconds // MINUTE


def test_lv_resident_a_suspension_is_the_customers(table):
    split = split_of(
        table,
        "lv_resident",
        [
            ("2026-09-29 09:00", "order.received", {}),
            ("2026-09-29 10:00", "node.completed", {"node": "acceptance"}),
            ("2026-09-29 11:00", "suspension.started", {"reason": "customer_request", "evidence": "来电"}),
            ("2026-10-08 11:00", "suspension.ended", {}),
            ("2026-10-08 15:00", "node.completed", {"node": "survey_plan"}),
            ("2026-10-09 10:00", "node.completed", {"node": "grid_works"}),
            ("2026-10-09 16:00", "node.completed", {"node": "contract_energize"}),
        ],
    )
    # utility: 09-29 09:00–11:00 = 120; 10-08 11:00–12:00 + 14:30–18:00 = 270; 10-09 08:30–16:00 = 300.
    # customer: the suspension 09-29 11:00 → 10-08 11:00 = 60 + 210 + 420 (09-30) + 150 (10-08) = 840.
    assert minutes(split) == (690, 840, 840) and split.waiting_seconds == 0
    assert (split.utility_days, split.customer_days) == (1.64, 2.0)
    # 09-29 09:00 → 10-09 16:00: 10 days and 7 hours.
    assert split.calendar_days == 10.29 and split.ongoing is False and split.until == at("2026-10-09 16:00")


def test_lv_business_in_transit_is_measured_up_to_now(table):
    split = split_of(
        table,
        "lv_business",
        [
            ("2026-09-28 09:00", "order.received", {}),
            ("2026-09-28 10:00", "node.completed", {"node": "acceptance"}),
            ("2026-09-28 15:00", "node.completed", {"node": "survey_plan"}),
            ("2026-09-28 16:00", "suspension.started", {"reason": "customer_request", "evidence": "来电"}),
        ],
        now="2026-09-30 10:00",
    )
    # utility: 09-28 09:00–12:00 + 14:30–16:00 = 270; customer (suspended, still open):
    # 09-28 16:00–18:00 = 120, 09-29 = 420, 09-30 08:30–10:00 = 90 → 630.
    assert minutes(split) == (270, 630, 630)
    assert split.ongoing is True and split.until == at("2026-09-30 10:00")
    assert split.calendar_days == 2.04  # 2 days 1 hour


def test_hv10_dual_waits_for_the_customers_documents_and_works(table):
    split = split_of(
        table,
        "hv10_dual",
        [
            ("2026-09-28 08:30", "order.received", {}),
            ("2026-09-28 10:00", "node.completed", {"node": "acceptance"}),
            ("2026-09-29 10:00", "node.completed", {"node": "survey_plan"}),
            ("2026-09-29 15:00", "node.completed", {"node": "approval"}),
            ("2026-09-30 10:00", "customer.design_submitted", {}),
            ("2026-09-30 11:00", "node.completed", {"node": "grid_works"}),
            ("2026-09-30 15:00", "node.completed", {"node": "drawing_review"}),
            ("2026-10-08 09:30", "customer.inspection_requested", {}),
            ("2026-10-08 11:00", "suspension.started", {"reason": "customer_request", "evidence": "来电"}),
            ("2026-10-08 15:00", "suspension.ended", {}),
            ("2026-10-08 16:00", "node.completed", {"node": "mid_inspection"}),
            ("2026-10-09 09:00", "customer.works_completed", {}),
            ("2026-10-10 10:00", "node.completed", {"node": "contract_inspection"}),
        ],
    )
    # utility: some clock runs 09-28 08:30 → 09-30 15:00 = 420 + 420 + 240 = 1080; the inspection 10-08
    # 09:30–11:00 and 15:00–16:00 = 150; the contract 10-09 09:00 → 10-10 10:00 (make-up Saturday) = 390 + 90
    # = 480. Total 1710.
    # customer: waiting for the inspection request 09-30 15:00 → 10-08 09:30 (National Day) = 180 + 60 = 240;
    # suspended 10-08 11:00–15:00 = 60 + 30 = 90; waiting for the works 10-08 16:00 → 10-09 09:00 = 120 + 30 =
    # 150. Total 480, of which 90 suspended.
    assert minutes(split) == (1710, 480, 90) and split.waiting_seconds == 390 * MINUTE
    assert split.calendar_days == 12.06  # 09-28 08:30 → 10-10 10:00: 12 days 1.5 hours


def test_an_order_not_received_has_no_utility_or_customer_time_yet(table):
    split = split_of(table, "lv_resident", [("2026-09-28 09:00", "order.created", {})], now="2026-09-29 09:00")
    assert minutes(split) == (0, 0, 0) and split.calendar_days == 1.0 and split.ongoing


@pytest.fixture
def hv10_single(cast):
    """A 10 kV single-source order whose customer-side works span National Day 2026."""
    order = make_order(cast, category="hv10_single", voltage="10kV", capacity_kva=630, when="2026-09-28 08:30")
    options = {"source": IMPORT}
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-09-28 10:00"), **options)
    services.node_complete(
        order, actor=cast.customer_manager, node="survey_plan", occurred_at=at("2026-09-28 16:00"), **options
    )
    services.approval_decide(
        order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-09-28 16:30"), **options
    )
    for node, when in (("approval", "2026-09-28 17:00"), ("grid_works", "2026-09-29 11:00")):
        services.node_complete(order, actor=cast.project_manager, node=node, occurred_at=at(when), **options)
    services.customer_event(
        order, "customer.works_completed", actor=cast.customer_manager, occurred_at=at("2026-10-09 09:30"), **options
    )
    services.node_complete(
        order, actor=cast.customer_manager, node="contract_inspection", occurred_at=at("2026-10-09 15:00"), **options
    )
    return WorkOrder.objects.get(pk=order.pk)


# utility: 09-28 08:30 → 09-29 11:00 = 420 + 150 = 570, and the contract 10-09 09:30–15:00 = 150 + 30 = 180.
# customer: no clock runs from the grid works' completion to the customer's works, 09-29 11:00 → 10-09 09:30:
# 60 + 210 (09-29) + 420 (09-30) + 0 (National Day) + 420 (10-08) + 60 (10-09) = 1170.
HV10_SINGLE = {"utility_minutes": 750, "customer_minutes": 1170, "utility_days": 1.79, "customer_days": 2.79}


def test_hv10_single_customer_works_across_national_day_are_the_customers(hv10_single):
    assert hv10_single.status == "energized"
    split = time_split(hv10_single)
    assert minutes(split) == (750, 1170, 0)
    assert split.calendar_days == 11.27  # 09-28 08:30 → 10-09 15:00: 11 days 6.5 hours


def test_the_api_gives_the_split(cast, hv10_single):
    body = client_for(cast.clerk).get(f"/api/v1/orders/{hv10_single.number}/").json()["time"]
    assert body == {
        **HV10_SINGLE,
        "suspended_days": 0.0,
        "waiting_days": 2.79,
        "calendar_days": 11.27,
        "measured_to": "2026-10-09T15:00:00+08:00",
        "ongoing": False,
    }


def test_the_page_and_the_export_give_the_split(client, cast, hv10_single):
    login(client, cast.clerk, cast)
    page = client.get(f"/orders/{hv10_single.number}/").content.decode()
    assert "供电企业 1.79 工作日 · 客户 2.79 工作日" in page and "自申请历时 11.27 自然日" in page
    assert 'id="time-ongoing"' not in page
    response = login(client, cast.auditor, cast).get("/orders/export.xlsx?category=hv10_single")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["供电企业用时(工作日)"], row["客户用时(工作日)"], row["历时(自然日)"]) == (1.79, 2.79, 11.27)


def test_an_open_order_says_it_is_measured_so_far(client, cast):
    order = make_order(cast, when="2026-09-29 09:00")
    page = login(client, cast.clerk, cast).get(f"/orders/{order.number}/").content.decode()
    assert 'id="time-ongoing"' in page
    assert client_for(cast.clerk).get(f"/api/v1/orders/{order.number}/").json()["time"]["ongoing"] is True
