"""The orders' events for process-mining tools (O18): an XES event log (IEEE 1849-2016) or OCEL 2.0 JSON,
streamed, with a second time axis in working time.

What is exported, per order applied for in the period (`whatif.period`; `--branch`: the orders now in that
branch):

- every event of the order's log (R16), in log order, with its activity: for a node's events
  (`node.completed`, `order.assigned`) the node's code, for the others the event type (`order.received`,
  `suspension.started`, …);
- one derived event per node that became workable: activity = the node's code, lifecycle `start`, at the
  node's `ready_at` (its predecessors complete; from the order's projection, the fold of its log). With
  `node.completed` (lifecycle `complete`) it gives each node a duration in mining tools;
- for each event, `time:timestamp` (the real instant, Asia/Shanghai offset) and the working-time axis:
  `yekuo:working_minutes`, the working minutes of the order's company calendar (office hours of working
  days, holidays off, make-up days on; the clock engine's `WorkTable.elapsed_ts`) from the order's
  application (`created_at`) to the event, suspensions *not* deducted; and `yekuo:working_timestamp`,
  the same as an instant: WORK_EPOCH (2000-01-01T00:00:00Z) plus that many minutes. Every order starts
  at WORK_EPOCH on that axis, so durations and waiting times measured on it are working time; positions
  across orders on it mean nothing (use `time:timestamp` for those).

Personal data: none. An order is its number and codes (category, channel, branch, regulation, voltage,
capacity, status); the customer's name, phone, ID number and address, and the free texts of events (notes,
reasons of cancellation, evidence) are never written; the suspension's reason is its code. The person who
recorded an event is `org:resource` = `user-<id>`, a pseudonym (the account's number, never its name);
`--no-resources` leaves it out. `org:role` is the role that owns the node under the order's regulation.

Streaming: the orders are read `period.CHUNK` at a time (one query for the chunk's events, one for its
nodes), and each chunk is written before the next is read. OCEL's objects come after its events in the file
(JSON does not order keys); they are spooled to a temporary file while the events are written.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from yekuo.common.xlsx import strip_illegal
from yekuo.orders.events import EVENT_TYPES
from yekuo.orders.models import Clock, NodeInstance
from yekuo.orders.selectors import clock_view
from yekuo.regulations.codes import NODES
from yekuo.whatif.period import Logged, Period, chunks, logs
from yekuo.workcal.engine import SHANGHAI, to_epoch
from yekuo.workcal.selectors import work_table

WORK_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
WORKING_KEYS = {"yekuo:working_timestamp"}
FORMATS = ("xes", "ocel")
NODE_EVENTS = {"node.completed": "complete", "order.assigned": "assign"}
STARTED = "node.started"  # the derived start of a node (not a log event)
# The payload fields that are codes, not free text, by event type: the only ones exported.
CODES = {
    "suspension.started": ("reason",),
    "approval.decided": ("low_risk",),
    "order.transferred": ("from", "to"),
    "joint.offered": ("accepted",),
}


@dataclass(frozen=True)
class Row:
    """One event of the export, whatever the format."""

    id: str
    activity: str
    lifecycle: str
    type: str
    at: datetime
    working_minutes: float
    node: str | None
    role: str | None
    resource: str | None
    source: str
    seq: int | None
    codes: dict

    @property
    def working_timestamp(self) -> datetime:
        return WORK_EPOCH + timedelta(minutes=self.working_minutes)


@dataclass(frozen=True)
class Case:
    order: object  # WorkOrder, with branch and company
    rows: list[Row]
    nodes: list[Node]
    clocks: list[Clock]
    table: object  # the company's WorkTable


def _iso(value: datetime) -> str:
    """A real instant as people read it: Asia/Shanghai, with its offset."""
    return value.astimezone(SHANGHAI).isoformat(timespec="milliseconds")


def _iso_working(value: datetime) -> str:
    """An instant of the working-time axis: UTC, from WORK_EPOCH."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Node(NamedTuple):
    """What the export reads of a node row (a tuple: a chunk's thousands of rows need no model instances)."""

    order_id: int
    code: str
    role: str
    state: str
    clock_code: str
    ready_at: datetime | None


def cases(period: Period, resources: bool = True, with_clocks: bool = True) -> Iterator[Case]:
    """Each order of the period with its export rows, chunk by chunk (`with_clocks`: and its clock rows)."""
    for chunk in chunks(period):
        events = logs(chunk)
        ids = [o.pk for o in chunk]
        nodes: dict[int, list[Node]] = {pk: [] for pk in ids}
        found = NodeInstance.objects.filter(order_id__in=ids).order_by("order_id", "position")
        for row in found.values_list(*Node._fields):
            node = Node(*row)
            nodes[node.order_id].append(node)
        clocks: dict[int, list[Clock]] = {pk: [] for pk in ids}
        if with_clocks:
            for clock in Clock.objects.filter(order_id__in=ids).order_by("order_id", "position"):
                clocks[clock.order_id].append(clock)
        tables: dict[str, object] = {}
        for order in chunk:
            company = order.branch.company.code
            if company not in tables:
                tables[company] = work_table(company)
            rows = _rows(order, tables[company], events[order.pk], nodes[order.pk], resources)
            yield Case(order, rows, nodes[order.pk], clocks[order.pk], tables[company])


def _rows(order, table, log: list[Logged], nodes: list[Node], resources: bool) -> list[Row]:
    origin = to_epoch(order.created_at)
    roles = {n.code: n.role for n in nodes}

    def minutes(at: datetime) -> float:
        return round(table.elapsed_ts(origin, max(origin, to_epoch(at))) / 60, 3)

    rows = []
    for item in log:
        event = item.event
        node = event.payload.get("node") if event.type in NODE_EVENTS else None
        rows.append(
            Row(
                id=f"{order.number}:{event.seq}",
                activity=node or event.type,
                lifecycle=NODE_EVENTS.get(event.type, "complete"),
                type=event.type,
                at=event.at,
                working_minutes=minutes(event.at),
                node=node,
                role=roles.get(node) if node else None,
                resource=f"user-{item.actor_id}" if resources and item.actor_id else None,
                source=item.source,
                seq=event.seq,
                codes={k: event.payload[k] for k in CODES.get(event.type, ()) if k in event.payload},
            )
        )
    for node in nodes:
        if node.ready_at is None:
            continue
        rows.append(
            Row(
                id=f"{order.number}:start:{node.code}", activity=node.code, lifecycle="start", type=STARTED,
                at=node.ready_at, working_minutes=minutes(node.ready_at), node=node.code, role=node.role,
                resource=None, source="projection", seq=None, codes={},
            )
        )  # fmt: skip
    # In time; at one instant a node starts right after the last log event up to then (the one that made it
    # workable), before the events that follow.
    logged = [(r.at, r.seq) for r in rows if r.seq is not None]
    keys = {
        r.id: (r.at, r.seq if r.seq is not None else max((q for t, q in logged if t <= r.at), default=0), r.seq is None)
        for r in rows
    }
    rows.sort(key=lambda r: keys[r.id])
    return rows


def _order_fields(order) -> dict:
    """The order's exported attributes: codes and numbers, no personal data."""
    return {
        "category": order.category,
        "channel": order.channel,
        "branch": order.branch.code,
        "regulation": order.regulation_code,
        "status": order.status,
        "voltage": order.voltage,
        "capacity_kva": float(order.capacity_kva),
    }


# ------------------------------------------------------------------------------------------------ XES
XES_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)


class _Xml:
    """XES elements written straight to a text stream (stdlib escaping): one element per line, indented."""

    def __init__(self, stream):
        self.stream = stream
        self.depth = 0

    def _attrs(self, attrs: dict) -> str:
        return "".join(f" {name}={quoteattr(str(value))}" for name, value in attrs.items())

    def empty(self, tag, **attrs):
        self.stream.write(f"{'  ' * self.depth}<{tag}{self._attrs(attrs)}/>\n")

    def open(self, tag, **attrs):
        self.stream.write(f"{'  ' * self.depth}<{tag}{self._attrs(attrs)}>\n")
        self.depth += 1

    def close(self, tag):
        self.depth -= 1
        self.stream.write(f"{'  ' * self.depth}</{tag}>\n")

    def attribute(self, key: str, value) -> None:
        """A typed XES attribute; numbers, booleans and dates need no escaping, text is escaped."""
        if value is None:
            return
        if isinstance(value, bool):
            kind, text = "boolean", "true" if value else "false"
        elif isinstance(value, int):
            kind, text = "int", str(value)
        elif isinstance(value, float):
            kind, text = "float", repr(value)
        elif isinstance(value, datetime):
            kind, text = "date", _iso_working(value) if key in WORKING_KEYS else _iso(value)
        else:
            kind, text = "string", strip_illegal(str(value))
            text = escape(text, _ATTRIBUTE_ENTITIES) if _ESCAPE.search(text) else text
        quoted = _KEYS.get(key) or _KEYS.setdefault(key, quoteattr(key))
        self.stream.write(f'{"  " * self.depth}<{kind} key={quoted} value="{text}"/>\n')


# What must be escaped in a double-quoted XML attribute value (& < > by `escape` itself; white space as
# character references, or a parser would normalise it to spaces).
_ESCAPE = re.compile(r"[&<>\"\n\r\t]")
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_KEYS: dict[str, str] = {}


def write_xes(period: Period, stream, resources: bool = True) -> int:
    """The XES log of the period (UTF-8 XML) to a text stream; returns the number of traces."""
    xml = _Xml(stream)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    xml.open(
        "log",
        **{"xes.version": "1849-2016", "xes.features": "nested-attributes", "xmlns": "http://www.xes-standard.org/"},
    )
    for name, prefix, uri in XES_EXTENSIONS:
        xml.empty("extension", name=name, prefix=prefix, uri=uri)
    xml.open("global", scope="trace")
    xml.attribute("concept:name", "__INVALID__")
    xml.close("global")
    xml.open("global", scope="event")
    xml.attribute("concept:name", "__INVALID__")
    xml.attribute("time:timestamp", WORK_EPOCH)
    xml.attribute("lifecycle:transition", "complete")
    xml.attribute("yekuo:working_timestamp", WORK_EPOCH)
    xml.attribute("yekuo:working_minutes", 0.0)
    xml.close("global")
    xml.empty("classifier", name="Activity", keys="concept:name")
    xml.empty("classifier", name="Activity and lifecycle", keys="concept:name lifecycle:transition")
    xml.attribute("concept:name", f"yekuo orders applied {period.first} to {period.last}")
    xml.attribute("yekuo:working_time_axis", "working minutes of the company calendar since the order's application")
    traces = 0
    for case in cases(period, resources, with_clocks=False):
        traces += 1
        xml.open("trace")
        xml.attribute("concept:name", case.order.number)
        for key, value in _order_fields(case.order).items():
            xml.attribute(f"yekuo:{key}", value)
        xml.attribute("yekuo:applied_at", case.order.created_at)
        for row in case.rows:
            xml.open("event")
            xml.attribute("concept:name", row.activity)
            xml.attribute("time:timestamp", row.at)
            xml.attribute("lifecycle:transition", row.lifecycle)
            xml.attribute("org:role", row.role)
            xml.attribute("org:resource", row.resource)
            xml.attribute("yekuo:type", row.type)
            xml.attribute("yekuo:node", row.node)
            xml.attribute("yekuo:source", row.source)
            xml.attribute("yekuo:seq", row.seq)
            xml.attribute("yekuo:working_minutes", row.working_minutes)
            xml.attribute("yekuo:working_timestamp", row.working_timestamp)
            for key, value in row.codes.items():
                xml.attribute(f"yekuo:{key}", value)
            xml.close("event")
        xml.close("trace")
    xml.close("log")
    return traces


# ------------------------------------------------------------------------------------------------ OCEL
OCEL_ORDER_ATTRIBUTES = (
    ("category", "string"),
    ("channel", "string"),
    ("branch", "string"),
    ("regulation", "string"),
    ("status", "string"),
    ("voltage", "string"),
    ("capacity_kva", "float"),
)
OCEL_EVENT_ATTRIBUTES = (
    ("lifecycle", "string"),
    ("working_minutes", "float"),
    ("working_time", "time"),
    ("role", "string"),
    ("resource", "string"),
    ("source", "string"),
    ("seq", "integer"),
    ("reason", "string"),
    ("low_risk", "boolean"),
    ("from", "string"),
    ("to", "string"),
    ("accepted", "boolean"),
)
OCEL_OBJECT_TYPES = [
    {"name": "order", "attributes": [{"name": n, "type": t} for n, t in OCEL_ORDER_ATTRIBUTES]},
    {"name": "node", "attributes": [{"name": n, "type": "string"} for n in ("code", "role", "state")]},
    {
        "name": "clock",
        "attributes": [
            {"name": "code", "type": "string"},
            {"name": "state", "type": "string"},
            {"name": "limit_days", "type": "float"},
            {"name": "deadline", "type": "time"},
            {"name": "overdue", "type": "boolean"},
        ],
    },
    {"name": "branch", "attributes": []},
]


def ocel_type(row: Row) -> str:
    """The OCEL event type: `<node>.<lifecycle>` for a node's events (`survey_plan.complete`), else the
    log's event type (`order.received`)."""
    return f"{row.node}.{row.lifecycle}" if row.node else row.type


def _event_types() -> list[dict]:
    attributes = [{"name": n, "type": t} for n, t in OCEL_EVENT_ATTRIBUTES]
    names = [f"{node}.{lifecycle}" for node in NODES for lifecycle in ("start", "assign", "complete")]
    names += [code for code in EVENT_TYPES if code not in NODE_EVENTS]
    return [{"name": name, "attributes": attributes} for name in names]


def _ocel_event(case: Case, row: Row) -> dict:
    number = case.order.number
    values = {
        "lifecycle": row.lifecycle,
        "working_minutes": row.working_minutes,
        "working_time": _iso_working(row.working_timestamp),
        "role": row.role,
        "resource": row.resource,
        "source": row.source,
        "seq": row.seq,
        **row.codes,
    }
    relationships = [{"objectId": f"order:{number}", "qualifier": "order"}]
    if row.node:
        relationships.append({"objectId": f"node:{number}:{row.node}", "qualifier": "node"})
        clock = next((n.clock_code for n in case.nodes if n.code == row.node and n.clock_code), None)
        if clock:
            relationships.append({"objectId": f"clock:{number}:{clock}", "qualifier": "clock"})
    relationships.append({"objectId": f"branch:{case.order.branch.code}", "qualifier": "branch"})
    return {
        "id": row.id,
        "type": ocel_type(row),
        "time": _iso(row.at),
        "attributes": [{"name": k, "value": v} for k, v in values.items() if v is not None],
        "relationships": relationships,
    }


def _ocel_objects(case: Case, now: datetime) -> Iterator[dict]:
    order, number = case.order, case.order.number
    since = _iso(order.created_at)
    yield {
        "id": f"order:{number}",
        "type": "order",
        "attributes": [{"name": k, "time": since, "value": v} for k, v in _order_fields(order).items()],
        "relationships": [
            {"objectId": f"branch:{order.branch.code}", "qualifier": "handled by"},
            *({"objectId": f"node:{number}:{n.code}", "qualifier": "has node"} for n in case.nodes),
            *({"objectId": f"clock:{number}:{c.code}", "qualifier": "has clock"} for c in case.clocks),
        ],
    }
    for node in case.nodes:
        values = {"code": node.code, "role": node.role, "state": node.state}
        relations = [{"objectId": f"order:{number}", "qualifier": "part of"}]
        if node.clock_code:
            relations.append({"objectId": f"clock:{number}:{node.clock_code}", "qualifier": "timed by"})
        yield {
            "id": f"node:{number}:{node.code}",
            "type": "node",
            "attributes": [{"name": k, "time": since, "value": v} for k, v in values.items()],
            "relationships": relations,
        }
    for clock in case.clocks:
        values = {"code": clock.code, "state": clock.state, "limit_days": float(clock.limit_days)}
        if clock.deadline_at is not None:
            values["deadline"] = _iso(clock.deadline_at)
            values["overdue"] = clock_view(clock, now, case.table).overdue  # the pages' own measure, at `now`
        yield {
            "id": f"clock:{number}:{clock.code}",
            "type": "clock",
            "attributes": [{"name": k, "time": since, "value": v} for k, v in values.items()],
            "relationships": [{"objectId": f"order:{number}", "qualifier": "of order"}],
        }


_encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line (dumps makes one a call)


def write_ocel(period: Period, stream, resources: bool = True, now: datetime | None = None) -> int:
    """The OCEL 2.0 JSON of the period to a text stream; returns the number of orders."""
    now = now or datetime.now(UTC)
    orders, branches, first_event = 0, set(), True
    stream.write('{"objectTypes": ' + json.dumps(OCEL_OBJECT_TYPES, ensure_ascii=False))
    stream.write(',\n"eventTypes": ' + json.dumps(_event_types(), ensure_ascii=False))
    stream.write(',\n"events": [')
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        first_object = True
        for case in cases(period, resources):
            orders += 1
            branches.add(case.order.branch.code)
            for row in case.rows:
                stream.write(("\n" if first_event else ",\n") + _encode(_ocel_event(case, row)))
                first_event = False
            for obj in _ocel_objects(case, now):
                spool.write(("\n" if first_object else ",\n") + _encode(obj))
                first_object = False
        stream.write('\n],\n"objects": [')
        spool.seek(0)
        while block := spool.read(1 << 20):
            stream.write(block)
        for code in sorted(branches):
            obj = {"id": f"branch:{code}", "type": "branch", "attributes": [], "relationships": []}
            stream.write(("\n" if first_object else ",\n") + _encode(obj))
            first_object = False
    stream.write("\n]}\n")
    return orders
