"""The orders API reads: list filters, masking, detail content, times in +08:00 (O3)."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import EventSource, PersonalDataReveal
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT


@pytest.fixture
def orders(cast):
    east = make_order(cast)
    west = make_order(
        cast, category="hv10_single", channel="approval_platform", voltage="10kV", capacity_kva=630,
        actor=cast.dispatcher, branch=cast.west, customer_name="西区化工厂", site_address="西区工业园",
        when="2026-10-12 09:00",
    )  # fmt: skip
    done = make_order(cast, customer_name="李四", when="2026-11-02 09:00")
    for node, actor, when in (
        ("acceptance", cast.clerk, "2026-11-02 10:00"),
        ("survey_plan", cast.customer_manager, "2026-11-03 10:00"),
        ("grid_works", cast.project_manager, "2026-11-04 10:00"),
        ("contract_energize", cast.customer_manager, "2026-11-05 10:00"),
    ):
        services.node_complete(done, actor=actor, node=node, occurred_at=at(when), source=IMPORT)
    return {"east": east, "west": west, "done": done}


def numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"east", "west", "done"}),
        ("branch=west", {"west"}),
        ("branch=nowhere", set()),
        ("category=hv10_single", {"west"}),
        ("channel=counter", {"east", "done"}),
        ("status=created", {"west"}),
        ("status=energized", {"done"}),
        ("node=acceptance", {"east"}),
        ("alarm=overdue", {"east"}),
        ("alarm=any", {"east"}),
        ("alarm=warning", set()),
        ("created_from=2026-10-01", {"west", "done"}),
        ("created_to=2026-10-12", {"east", "west"}),
        ("created_from=2026-10-01&created_to=2026-10-31", {"west"}),
        ("q=李四", {"done"}),
        ("q=工业园", {"west"}),
    ],
)
def test_list_filters(cast, orders, query, expected):
    response = client_for(cast.administrator).get(f"/api/v1/orders/?{query}")
    assert numbers(response) == {orders[name].number for name in expected}


def test_list_is_paginated_and_masks_id_and_phone(cast, orders):
    body = client_for(cast.auditor).get("/api/v1/orders/?limit=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    row = next(
        r for r in client_for(cast.auditor).get("/api/v1/orders/").json()["results"] if r["customer_name"] == "张三"
    )
    assert row["customer_id_number"] == "152***********1239"
    assert row["customer_phone"] == "139****5678"
    assert row["branch"] == "east" and row["service_area"] == "east" and row["capacity_kva"] == 8.0
    assert row["created_at"] == "2026-09-29T09:00:00+08:00" and row["overdue"] is True


def test_list_sorts_newest_first_or_by_the_soonest_running_deadline(cast, orders):
    newer = make_order(cast, customer_name="王五", when="2026-11-10 09:00")  # running, due later than east
    client = client_for(cast.administrator)
    rows = lambda query: [r["number"] for r in client.get(f"/api/v1/orders/?{query}").json()["results"]]  # noqa: E731
    by_created = [newer, orders["done"], orders["west"], orders["east"]]
    assert rows("") == rows("sort=created") == [o.number for o in by_created]
    # east's acceptance clock fell due in September, newer's in November; west (not received) and done run none.
    assert rows("sort=deadline") == [o.number for o in (orders["east"], newer, orders["done"], orders["west"])]


@pytest.mark.parametrize(
    "query, field",
    [("alarm=late", "alarm"), ("created_from=yesterday", "created_from"), ("category=gas", "category"),
     ("status=open", "status"), ("node=nap", "node"), ("sort=name", "sort")],
)  # fmt: skip
def test_list_refuses_bad_filters(cast, query, field):
    body = assert_error(client_for(cast.administrator).get(f"/api/v1/orders/?{query}"), 400, "invalid_input")
    assert body["field"] == field and field in body["errors"]


def test_detail_has_nodes_clocks_suspensions_and_events(cast):
    order = make_order(cast, category="hv10_single", voltage="10kV", capacity_kva=630, when="2026-03-02 09:00")
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-03-02 10:00"), source=IMPORT
    )
    services.order_suspend(
        order, actor=cast.clerk, reason_code="documents_missing", evidence_note="缺产权证明",
        occurred_at=at("2026-03-02 11:00"), source=IMPORT,
    )  # fmt: skip
    body = client_for(cast.clerk).get(f"/api/v1/orders/{order.number}/").json()
    assert body["number"] == order.number and body["status"] == "suspended"
    assert body["customer_id_number"] == "152701199001011239"  # in full to the clerk, and recorded (O9)
    assert set(PersonalDataReveal.objects.values_list("user__username", "field")) == {
        ("clerk", "customer_id_number"), ("clerk", "customer_phone")}  # fmt: skip
    masked = client_for(cast.auditor).get(f"/api/v1/orders/{order.number}/").json()
    assert masked["customer_id_number"] == "152***********1239" and masked["customer_phone"] == "139****5678"
    assert PersonalDataReveal.objects.count() == 2
    nodes = {n["code"]: n for n in body["nodes"]}
    assert nodes["acceptance"]["name"] == "业务受理" and nodes["acceptance"]["state"] == "done"
    assert nodes["acceptance"]["completed_at"] == "2026-03-02T10:00:00+08:00"
    assert nodes["survey_plan"]["role"] == "customer_manager" and nodes["survey_plan"]["state"] == "active"
    clocks = {c["code"]: c for c in body["clocks"]}
    acceptance = clocks["acceptance"]
    assert acceptance["state"] == "done" and acceptance["deadline_at"] == "2026-03-02T15:00:00+08:00"
    assert acceptance["used_days"] == pytest.approx(1 / 7) and acceptance["overdue"] is False
    survey = clocks["survey_plan"]
    assert survey["state"] == "paused" and survey["used_days"] == pytest.approx(1 / 7)
    assert survey["limit_days"] == 2.0 and survey["remaining_days"] == pytest.approx(2 - 1 / 7)
    assert clocks["approval"]["condition_pending"] is True and clocks["approval"]["state"] == "not_started"
    assert set(survey) >= {"nodes", "started_at", "warn_at", "completed_at", "warning", "provisional"}
    assert body["suspensions"] == [
        {"reason": "documents_missing", "reason_name": body["suspensions"][0]["reason_name"],
         "evidence_note": "缺产权证明", "evidence_file": None, "started_at": "2026-03-02T11:00:00+08:00",
         "ended_at": None, "position": 0, "review": "", "review_reasons": []}
    ]  # fmt: skip
    events = body["events"]
    assert [e["type"] for e in events] == ["order.created", "order.received", "node.completed", "suspension.started"]
    assert events[2] | {"recorded_at": None} == {
        "seq": 3, "type": "node.completed", "occurred_at": "2026-03-02T10:00:00+08:00", "recorded_at": None,
        "actor": "clerk", "source": "import", "payload": {"node": "acceptance"}, "backdated": True, "reason": "",
    }  # fmt: skip


def test_unknown_order_is_404_json(cast):
    body = assert_error(client_for(cast.administrator).get("/api/v1/orders/YK209901999/"), 404, "not_found")
    assert "YK209901999" in body["message"]
