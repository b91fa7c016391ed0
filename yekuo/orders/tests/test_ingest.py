"""The control layer (O4): events of the marketing business system through `POST /api/v1/events`
and `yekuo events import`: create-then-update, duplicates, out-of-order events, bad lines, the summary."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yekuo.accounts.services import user_create
from yekuo.common.errors import Forbidden
from yekuo.orders import services
from yekuo.orders.ingest import ingest_batch, summarize
from yekuo.orders.models import Clock, OrderEvent, WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for

ORDER = {
    "external_ref": "MBS-0001", "applied_at": "2026-11-02T08:50:00+08:00", "category": "hv10_single",
    "channel": "online", "customer_name": "东区水泥厂", "site_address": "东区工业路9号", "capacity_kva": 630,
    "voltage": "10kV", "service_area": "east", "customer_phone": "13912345678",
}  # fmt: skip


def ev(id, type, at, order=None, **extra):
    return {"id": id, "type": type, "at": f"2026-11-{at}:00+08:00", "order": order or {"external_ref": "MBS-0001"},
            **extra}  # fmt: skip


def run(cast, *events, user=None):
    results = ingest_batch([(None, e) for e in events], actor=user or cast.integration, source="import")
    return [r.as_dict() for r in results]


def statuses(results):
    return [r["status"] for r in results]


def test_first_event_creates_the_order_and_later_ones_update_it(cast):
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", ORDER),
        ev("2", "node.completed", "02T10:00", node="acceptance"),
    )
    assert statuses(results) == ["applied", "applied"]
    order = WorkOrder.objects.get(source_system="mbs", external_ref="MBS-0001")
    assert results[0]["order"] == order.number and order.branch == cast.east and order.service_area == cast.east_area
    assert order.created_at.isoformat() == "2026-11-02T00:50:00+00:00" and order.status == "in_transit"
    keys = list(order.events.values_list("type", "idempotency_key", "source"))
    assert keys == [("order.created", None, "import"), ("order.received", "mbs:1", "import"),
                    ("node.completed", "mbs:2", "import")]  # fmt: skip
    assert Clock.objects.get(order=order, code="survey_plan").state == "running"


def test_a_repeated_event_is_a_duplicate(cast):
    first = run(cast, ev("1", "order.received", "02T09:00", ORDER))
    again = run(cast, ev("1", "order.received", "02T09:00", ORDER), ev("1", "order.received", "02T09:00", ORDER))
    assert statuses(first) == ["applied"] and statuses(again) == ["duplicate", "duplicate"]
    assert again[0]["order"] == first[0]["order"] and OrderEvent.objects.count() == 2
    other = run(cast, ev("1", "order.received", "02T09:00", {**ORDER, "external_ref": "MBS-0002"}))
    assert other[0]["status"] == "rejected" and other[0]["code"] == "idempotency_mismatch"  # the id names one event
    # another source system has its own ids
    assert statuses(run(cast, {**ev("1", "order.received", "02T09:00", ORDER), "source_system": "crm"})) == ["applied"]


def test_one_event_for_a_known_order_is_statements_django_sees(cast, django_assert_num_queries):
    """Events pushed one at a time as they happen: the batch's ids and its order, the order's read (order
    and log in one statement), and its write (the guarded order row, the event, the changed node and clock rows), every
    statement through Django, so query logging and instrumentation see the write path."""
    run(cast, ev("1", "order.received", "02T09:00", ORDER))
    with django_assert_num_queries(9) as captured:  # with the SAVEPOINT and RELEASE of the test's transaction
        assert statuses(run(cast, ev("2", "node.completed", "02T10:00", node="acceptance"))) == ["applied"]
    # The changed rows of one table are one UPDATE … FROM (VALUES …): the two nodes and the two clocks.
    writes = [q["sql"].split(" SET ")[0].split(" (")[0] for q in captured if re.match(r"(INSERT|UPDATE)", q["sql"])]
    assert writes == [
        'UPDATE "orders_workorder"', 'INSERT INTO "orders_orderevent"', 'UPDATE "orders_nodeinstance"',
        'UPDATE "orders_clock"',
    ]  # fmt: skip
    assert [q["sql"].count("), (") for q in captured if " FROM (VALUES " in q["sql"]] == [1, 1]
    assert statuses(run(cast, ev("2", "node.completed", "02T10:00", node="acceptance"))) == ["duplicate"]


def test_a_late_event_is_placed_in_time_order(cast):
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", ORDER),
        ev("2", "node.completed", "02T10:00", node="acceptance"),
        ev("3", "node.completed", "03T10:00", node="survey_plan"),
        ev("4", "approval.decided", "02T16:00", low_risk=True),  # decided before the plan was done: late
    )
    assert statuses(results) == ["applied"] * 4
    approval = Clock.objects.get(order__external_ref="MBS-0001", code="approval")
    assert approval.limit_days == 0 and approval.condition_pending is False and approval.state == "running"
    assert approval.deadline_at.isoformat() == "2026-11-03T10:00:00+00:00"  # 0 days: that working day (I3)


def test_a_late_event_that_breaks_the_log_is_rejected_with_the_reason(cast):
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", ORDER),
        ev("3", "node.completed", "03T10:00", node="survey_plan"),  # before acceptance: rejected
        ev("2", "node.completed", "02T10:00", node="acceptance"),
        ev("3", "node.completed", "03T10:00", node="survey_plan"),  # sent again: now it fits
        ev("5", "suspension.started", "02T11:00", reason="documents_missing", evidence="缺资料"),  # late
        ev("6", "node.completed", "02T08:00", node="approval"),  # before the order existed
    )
    assert statuses(results) == ["applied", "rejected", "applied", "applied", "rejected", "rejected"]
    assert results[1]["code"] == "workflow" and "cannot be completed before acceptance" in results[1]["message"]
    assert results[4]["code"] == "workflow" and "suspended" in results[4]["message"]
    assert "earlier than the order's latest event" in results[4]["message"]
    assert results[5]["field"] == "occurred_at" and "before the order was created" in results[5]["message"]


@pytest.mark.parametrize(
    "event, field",
    [
        ("not an object", "event"),
        ({"type": "node.completed", "at": "2026-11-02T09:00:00+08:00", "order": {"external_ref": "X"}}, "id"),
        (ev("9", "node.teleported", "02T09:00"), "type"),
        (ev("9", "order.received", "02T09:00", "MBS-1"), "order"),
        ({**ev("9", "order.received", "02T09:00"), "at": "2026-11-02T09:00"}, "at"),
        ({**ev("9", "order.received", "02T09:00"), "at": 1730000000}, "at"),
        (ev("9", "order.received", "02T09:00", {"external_ref": "NEW"}), "order.category"),
        (ev("9", "order.received", "02T09:00", {**ORDER, "voltage": "35kV"}), "order.voltage"),
        (ev("9", "order.received", "02T09:00", {**ORDER, "capacity_kva": "big"}), "order.capacity_kva"),
        (ev("9", "order.received", "02T09:00", {**ORDER, "channel": "fax"}), "order.channel"),
        (ev("9", "order.received", "02T09:00", {**ORDER, "service_area": "", "site_address": "月球"}), "order.branch"),
        (ev("9", "order.received", "02T09:00", {**ORDER, "service_area": "", "branch": "north"}), "order.branch"),
        (
            ev("9", "order.received", "02T09:00", {**ORDER, "applied_at": "2026-11-03T09:00:00+08:00"}),
            "order.applied_at",
        ),
        (ev("9", "node.completed", "02T09:00", ORDER), "node"),
        (ev("9", "approval.decided", "02T09:00", ORDER, low_risk="yes"), "low_risk"),
        (ev("9", "suspension.started", "02T09:00", ORDER), "reason"),
    ],
)
def test_a_bad_event_is_rejected_naming_its_field(cast, event, field):
    (result,) = run(cast, event)
    assert result["status"] == "rejected" and result["field"] == field, result
    assert WorkOrder.objects.count() == 0


def test_ingest_needs_the_permission(cast):
    with pytest.raises(Forbidden):
        run(cast, ev("1", "order.received", "02T09:00", ORDER), user=cast.clerk)


def test_the_integration_account_relays_every_role_s_work_but_works_nothing_itself(cast):
    """The marketing system decided who did each node; the integration account only relays it (event.ingest)."""
    dual = {**ORDER, "category": "hv10_dual", "external_ref": "MBS-0001"}
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", dual),
        ev("2", "node.completed", "02T10:00", node="acceptance"),  # acceptance clerk's node
        ev("3", "suspension.started", "02T11:00", reason="documents_missing", evidence="缺资料"),
        ev("4", "suspension.ended", "03T09:00"),
        ev("5", "node.completed", "04T10:00", node="survey_plan"),  # customer manager's
        ev("6", "approval.decided", "04T11:00", low_risk=False),
        ev("7", "node.completed", "05T10:00", node="approval"),  # project manager's
        ev("8", "customer.design_submitted", "05T11:00"),
    )
    assert statuses(results) == ["applied"] * 8, results
    order = WorkOrder.objects.get(external_ref="MBS-0001")
    assert order.nodes.get(code="approval").state == "done" and order.suspensions.count() == 1
    assert set(order.events.values_list("actor__username", flat=True)) == {"cast_integration"}
    assert order.events.filter(type="node.completed").exclude(reason__startswith="relayed from mbs event").count() == 0
    # The same account may not do through the staff actions what it may relay.
    with pytest.raises(Forbidden):
        services.node_complete(order, actor=cast.integration, node="drawing_review", source="api", reason="x")
    with pytest.raises(Forbidden):
        services.order_create(actor=cast.integration, category="lv_resident", channel="counter", customer_name="x",
                              site_address="东区1号", capacity_kva=8, voltage="220V", branch=cast.east,
                              customer_phone="13912345678")  # fmt: skip


def test_an_integration_account_of_one_branch_relays_only_that_branch_s_orders(cast):
    west_feed = user_create(username="west_feed", company=cast.company, branch=cast.west, roles=["integration"])
    refused = run(cast, ev("1", "order.received", "02T09:00", ORDER), user=west_feed)  # ORDER is in the east
    assert refused[0]["status"] == "rejected" and refused[0]["code"] == "forbidden"
    assert WorkOrder.objects.count() == 0
    run(cast, ev("1", "order.received", "02T09:00", ORDER))  # the company's account creates it
    later = run(cast, ev("2", "node.completed", "02T10:00", node="acceptance"), user=west_feed)
    assert later[0]["status"] == "rejected" and later[0]["code"] == "forbidden"
    assert WorkOrder.objects.get().events.count() == 2


def test_post_events_single_and_batch(cast):
    client = client_for(cast.integration)
    single = client.post("/api/v1/events", ev("1", "order.received", "02T09:00", ORDER), format="json")
    assert single.status_code == 200
    assert single.json()["summary"] == {"total": 1, "applied": 1, "duplicate": 0, "rejected": 0}
    batch = client.post(
        "/api/v1/events/",
        [ev("1", "order.received", "02T09:00", ORDER), ev("2", "node.completed", "02T10:00", node="nap"), 7],
        format="json",
    )
    body = batch.json()
    assert batch.status_code == 200 and body["summary"] == {"total": 3, "applied": 0, "duplicate": 1, "rejected": 2}
    assert body["results"][1] | {"message": ""} == {
        "status": "rejected", "index": 1, "id": "2", "type": "node.completed", "order": body["results"][0]["order"],
        "code": "workflow", "field": "node", "message": "",
    }  # fmt: skip
    assert OrderEvent.objects.get(idempotency_key="mbs:1").source == "api"
    assert_error(client_for(cast.clerk).post("/api/v1/events", [], format="json"), 400, "invalid_input")
    refused = client_for(cast.dispatcher).post("/api/v1/events", ev("1", "order.received", "02T09:00"), format="json")
    assert_error(refused, 403, "forbidden")


# ------------------------------------------------------------------------------------------ the command
def write(tmp_path, lines):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines), "utf-8")
    return str(path)


def test_import_reports_each_bad_line_and_a_summary(cast, tmp_path):
    path = write(tmp_path, [
        ev("1", "order.received", "02T09:00", ORDER),
        ev("2", "node.completed", "02T10:00", node="acceptance"),
        "",
        "{broken",
        '{"id": "9", "id": "10"}',
        ev("1", "order.received", "02T09:00", ORDER),
        {**ev("4", "node.completed", "03T10:00", node="survey_plan"), "at": "2026-11-03 10:00"},
        ev("5", "node.completed", "03T10:00", node="survey_plan"),
    ])  # fmt: skip
    out = StringIO()
    call_command("events", "import", path, "--user", "cast_integration", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("line 4: rejected invalid_input: not valid JSON")
    assert lines[1] == "line 5: rejected invalid_input [id]: the key 'id' is given twice in one object"
    assert lines[2].startswith("line 7: rejected invalid_input [at]: at 2026-11-03 10:00 has no UTC offset")
    assert lines[-1] == f"{path}: 7 lines: 3 applied, 1 duplicate, 3 rejected"
    assert summarize([]) == {"total": 0, "applied": 0, "duplicate": 0, "rejected": 0}
    assert WorkOrder.objects.get().nodes.get(code="survey_plan").state == "done"

    out = StringIO()
    call_command("events", "import", path, "--user", "cast_integration", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["summary"] == {"total": 7, "applied": 0, "duplicate": 4, "rejected": 3}
    assert [r["line"] for r in report["results"]] == [1, 2, 4, 5, 6, 7, 8]
    with pytest.raises(CommandError) as strict:
        call_command("events", "import", path, "--user", "cast_integration", "--strict", stdout=StringIO())
    assert strict.value.returncode == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["/no/such/file.jsonl", "--user", "cast_integration"], "cannot read the file"),
        (["{path}", "--user", "ghost"], "no active user 'ghost'"),
        (["{path}", "--user", "clerk"], "forbidden"),
    ],
)
def test_import_exits_2_when_it_cannot_run(cast, tmp_path, args, message):
    path = write(tmp_path, [ev("1", "order.received", "02T09:00", ORDER)])
    with pytest.raises(CommandError, match=message) as error:
        call_command("events", "import", *[a.replace("{path}", path) for a in args], stdout=StringIO())
    assert error.value.returncode == 2
    assert WorkOrder.objects.count() == 0


def test_a_database_error_on_one_order_spares_the_others(cast, monkeypatch):
    from django.db import DataError

    real = services.order_create

    def failing(**kwargs):
        if kwargs.get("external_ref") == "MBS-BAD":
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return real(**kwargs)

    monkeypatch.setattr(services, "order_create", failing)
    bad = {**ORDER, "external_ref": "MBS-BAD"}
    results = run(
        cast,
        ev("b1", "order.received", "02T09:00", bad),
        ev("b2", "node.completed", "02T10:00", node="acceptance", order={"external_ref": "MBS-BAD"}),
        ev("g1", "order.received", "02T09:00", ORDER),
        ev("g2", "node.completed", "02T10:00", node="acceptance"),
    )
    assert statuses(results) == ["rejected", "rejected", "applied", "applied"]
    assert results[0]["code"] == "server_error"


def test_import_uses_the_demo_integration_account_by_default(cast, tmp_path):
    from yekuo.accounts.demo import create_demo_org

    create_demo_org()
    order = {**ORDER, "service_area": "dongsheng_city", "site_address": "鄂尔多斯市东胜区天骄路18号"}
    path = write(tmp_path, [ev("1", "order.received", "02T09:00", order)])
    out = StringIO()
    call_command("events", "import", path, stdout=out)
    assert out.getvalue().splitlines()[-1] == f"{path}: 1 lines: 1 applied, 0 duplicate, 0 rejected"
    assert WorkOrder.objects.get().events.values_list("actor__username", flat=True).distinct().get() == "integration"


def test_a_history_that_cannot_be_created_at_once_is_logged_then_taken_event_by_event(cast, caplog):
    """Nothing is swallowed silently (O6): the fall-back from one transaction to event by event says why."""
    caplog.set_level("INFO", logger="yekuo.orders.ingest")
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", ORDER),
        ev("2", "node.completed", "02T10:00", node="grid_works"),  # before its predecessors: refused
    )
    assert statuses(results) == ["applied", "rejected"] and results[1]["code"] == "workflow"
    (record,) = [r for r in caplog.records if r.name == "yekuo.orders.ingest"]
    assert "mbs/MBS-0001" in record.getMessage() and "grid_works" in record.getMessage()


def test_control_characters_are_refused_per_event(cast):
    """O8: a control character in any text refuses its own event only; the others apply."""
    other = {**ORDER, "external_ref": "MBS-0002", "customer_name": "东区\x00水泥厂"}
    results = run(
        cast,
        ev("1", "order.received", "02T09:00", ORDER),
        ev("2", "node.completed", "02T10:00", node="acceptance"),
        ev("3", "order.received", "02T09:00", other),
        ev("4", "order.cancelled", "02T11:00", reason="客户\x1b撤回"),
        ev("5", "order.received", "02T09:00", {**ORDER, "external_ref": "MBS-0003", "customer_phone": "abc"}),
    )
    assert statuses(results) == ["applied", "applied", "rejected", "rejected", "rejected"]
    assert (results[2]["field"], results[3]["field"]) == ("order.customer_name", "reason")
    assert results[4]["code"] == "invalid_input" and results[4]["field"] == "customer_phone"
    assert "U+0000" in results[2]["message"]
    assert WorkOrder.objects.count() == 1 and OrderEvent.objects.count() == 3
