"""The process-mining export (O18): XES read back as XML, OCEL 2.0 checked field by field against the
spec's structure, the working-time axis across National Day, the branch filter, no personal data."""

import json
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.whatif.tests.helpers import complete, create
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db
NS = {"x": "http://www.xes-standard.org/"}
PERSONAL = ("张三", "13912345678", "110101199003074514", "东区康和路1号", "西区康和路1号", "客户张三撤回")


def book(cast):
    """An order across National Day, a cancelled one whose reason names the customer, one in the west."""
    holiday = create(cast, "2026-09-30 16:00", customer_id_number="110101199003074514")
    # 16:00–18:00 on 30 September (120), 1–7 October off, 08:30–09:00 on the 8th (30): 150 working minutes.
    complete(cast, holiday, "acceptance", "2026-10-08 09:00")
    cancelled = create(cast, "2026-10-09 09:00")
    services.order_cancel(cancelled, actor=cast.branch_manager, cancel_reason="客户张三撤回",
                          occurred_at=at("2026-10-09 10:00"), source=EventSource.IMPORT)  # fmt: skip
    west = create(cast, "2026-10-09 09:00", actor=cast.west_clerk, site_address="西区康和路1号")
    return holiday, cancelled, west


def export(fmt, tmp_path, *extra, first="2026-09-01", last="2026-10-31") -> str:
    path = tmp_path / f"log.{fmt}"
    call_command("export", "events", "--format", fmt, "--from", first, "--to", last, "--output", str(path), *extra,
                 stderr=StringIO())  # fmt: skip
    return path.read_text(encoding="utf-8")


def value(element, key):
    found = element.find(f"*[@key='{key}']", NS)
    return None if found is None else found.get("value")


def test_xes_has_the_cases_events_and_the_working_time_axis(cast, tmp_path):
    holiday, cancelled, west = book(cast)
    log = ET.fromstring(export("xes", tmp_path))
    assert log.tag == "{http://www.xes-standard.org/}log" and log.get("xes.version") == "1849-2016"
    assert {e.get("prefix") for e in log.findall("x:extension", NS)} == {"concept", "time", "lifecycle", "org"}
    traces = {value(t, "concept:name"): t for t in log.findall("x:trace", NS)}
    assert set(traces) == {holiday.number, cancelled.number, west.number}
    trace = traces[holiday.number]
    assert value(trace, "yekuo:category") == "lv_business" and value(trace, "yekuo:branch") == "east"
    events = [
        (value(e, "concept:name"), value(e, "lifecycle:transition"), value(e, "time:timestamp"),
         float(value(e, "yekuo:working_minutes")), value(e, "yekuo:working_timestamp"), value(e, "org:role"))
        for e in trace.findall("x:event", NS)
    ]  # fmt: skip
    assert events == [
        ("order.created", "complete", "2026-09-30T16:00:00.000+08:00", 0.0, "2000-01-01T00:00:00.000Z", None),
        ("order.received", "complete", "2026-09-30T16:00:00.000+08:00", 0.0, "2000-01-01T00:00:00.000Z", None),
        ("acceptance", "start", "2026-09-30T16:00:00.000+08:00", 0.0, "2000-01-01T00:00:00.000Z", "acceptance_clerk"),
        ("acceptance", "complete", "2026-10-08T09:00:00.000+08:00", 150.0, "2000-01-01T02:30:00.000Z",
         "acceptance_clerk"),
        ("survey_plan", "start", "2026-10-08T09:00:00.000+08:00", 150.0, "2000-01-01T02:30:00.000Z",
         "customer_manager"),
    ]  # fmt: skip
    first = trace.find("x:event", NS)
    assert value(first, "org:resource") == f"user-{cast.clerk.pk}"
    cancel = [
        e for e in traces[cancelled.number].findall("x:event", NS) if value(e, "concept:name") == "order.cancelled"
    ]
    assert len(cancel) == 1 and value(cancel[0], "yekuo:reason") is None  # a free text: not exported


def test_branch_and_period_filters(cast, tmp_path):
    holiday, cancelled, west = book(cast)
    log = ET.fromstring(export("xes", tmp_path, "--branch", "west"))
    assert [value(t, "concept:name") for t in log.findall("x:trace", NS)] == [west.number]
    log = ET.fromstring(export("xes", tmp_path, first="2026-09-30", last="2026-09-30"))
    assert [value(t, "concept:name") for t in log.findall("x:trace", NS)] == [holiday.number]
    data = json.loads(export("ocel", tmp_path, "--branch", "east"))
    orders = {o["id"] for o in data["objects"] if o["type"] == "order"}
    assert orders == {f"order:{holiday.number}", f"order:{cancelled.number}"}


def test_ocel_follows_the_2_0_json_structure(cast, tmp_path):
    holiday, _cancelled, _west = book(cast)
    data = json.loads(export("ocel", tmp_path))
    assert set(data) == {"objectTypes", "eventTypes", "objects", "events"}
    types = {"string", "time", "integer", "float", "boolean"}
    object_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in data["objectTypes"]}
    event_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in data["eventTypes"]}
    assert {"order", "node", "clock", "branch"} <= set(object_types)
    assert all(a["type"] in types for t in data["objectTypes"] + data["eventTypes"] for a in t["attributes"])
    objects = {o["id"]: o for o in data["objects"]}
    assert len(objects) == len(data["objects"])  # ids unique
    for obj in data["objects"]:
        assert set(obj) == {"id", "type", "attributes", "relationships"} and obj["type"] in object_types
        for attribute in obj["attributes"]:
            assert set(attribute) == {"name", "time", "value"} and attribute["name"] in object_types[obj["type"]]
        assert all(r["objectId"] in objects and r["qualifier"] for r in obj["relationships"])
    ids = [e["id"] for e in data["events"]]
    assert len(ids) == len(set(ids))
    for event in data["events"]:
        assert set(event) == {"id", "type", "time", "attributes", "relationships"} and event["type"] in event_types
        assert all(a["name"] in event_types[event["type"]] for a in event["attributes"])
        assert all(r["objectId"] in objects and r["qualifier"] for r in event["relationships"])
    done = next(e for e in data["events"] if e["id"] == f"{holiday.number}:3")
    assert done["type"] == "acceptance.complete" and done["time"] == "2026-10-08T09:00:00.000+08:00"
    attributes = {a["name"]: a["value"] for a in done["attributes"]}
    assert attributes["working_minutes"] == 150.0 and attributes["working_time"] == "2000-01-01T02:30:00.000Z"
    assert {r["qualifier"]: r["objectId"] for r in done["relationships"]} == {
        "order": f"order:{holiday.number}", "node": f"node:{holiday.number}:acceptance",
        "clock": f"clock:{holiday.number}:acceptance", "branch": "branch:east",
    }  # fmt: skip
    clock = objects[f"clock:{holiday.number}:acceptance"]
    overdue = next(a["value"] for a in clock["attributes"] if a["name"] == "overdue")
    # 0.5 day = 210 minutes from 16:00 on 30 September: deadline 10:00 on 8 October; done at 09:00.
    assert overdue is False


@pytest.mark.parametrize("fmt", ["xes", "ocel"])
def test_no_personal_data_and_resources_can_be_left_out(cast, tmp_path, fmt):
    book(cast)
    text = export(fmt, tmp_path)
    assert not [p for p in PERSONAL if p in text]
    assert f'"{cast.clerk.username}"' not in text and "user-" in text  # no account name, a pseudonym
    assert "user-" not in export(fmt, tmp_path, "--no-resources")


def test_the_ocel_goes_to_standard_output_too(cast, tmp_path):
    book(cast)
    out = StringIO()
    call_command("export", "events", "--format", "ocel", "--from", "2026-09-01", "--to", "2026-10-31", stdout=out)
    assert len([o for o in json.loads(out.getvalue())["objects"] if o["type"] == "order"]) == 3
    out = StringIO()
    call_command("export", "events", "--format", "xes", "--from", "2026-09-01", "--to", "2026-10-31", stdout=out)
    assert len(ET.fromstring(out.getvalue().encode()).findall("x:trace", NS)) == 3


def test_xes_text_is_escaped():
    from yekuo.whatif.eventlog import _Xml

    out = StringIO()
    xml = _Xml(out)
    xml.open("log", xmlns="http://www.xes-standard.org/")
    odd = "a & b < c > \"d\" 'e'\n\tf\x01"
    xml.attribute("yekuo:odd", odd)
    xml.close("log")
    parsed = ET.fromstring(out.getvalue())
    assert value(parsed, "yekuo:odd") == odd.replace("\x01", "")  # XML 1.0 cannot hold \x01


@pytest.mark.parametrize("fmt", ["xes", "ocel"])
def test_an_output_file_that_cannot_be_written_is_one_error_line(cast, tmp_path, fmt):
    """`--output` into a folder that does not exist: `file_error` and exit status 2, not a traceback."""
    target = tmp_path / "missing" / f"log.{fmt}"
    with pytest.raises(CommandError) as raised:
        call_command("export", "events", "--format", fmt, "--from", "2026-09-01", "--to", "2026-10-31",
                     "--output", str(target))  # fmt: skip
    assert raised.value.returncode == 2 and str(raised.value).startswith(f"file_error: {target}")
