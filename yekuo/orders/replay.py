"""`yekuo replay FILE.json [--at ISO]`: the clocks the real services derive from an order and its events.

The tool for disputes ("was this order really overdue?") and what-if questions (DESIGN, "Interfaces").
It runs the live system's services on a scratch database: the parent process copies the live calendar,
office hours and regulations into a file, and a child process with DATABASE_URL pointing at a fresh
SQLite file migrates, loads that copy, creates the order through `order_create` and applies each event
through `apply_event`, exactly as the web pages and the API do. Nothing touches the live database.

A what-if is a planned history: its events may lie in the future ("if the survey is done on the 15th, what
is the deadline?"), so the services are called with `what_if=True`, the one thing that differs from the live
system, which refuses a future time. The order is evaluated `--at` an instant, by default its last event's
time: the events up to that instant are applied, and the clocks and the utility/customer time measured then.

Input: {"order": {"category", "channel", "customer_name"?, "site_address"?, "capacity_kva"?, "voltage"?,
"company"?}, "events": [{"at": ISO, "type": …, "node"?, "low_risk"?, "reason"?, "evidence"?, "review"?, "suspension"?,
"note"?}, …]}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from django.core import serializers
from django.db import transaction
from django.utils import timezone

from yekuo.common import strict_json
from yekuo.common.errors import InvalidInput
from yekuo.orders.events import ACTION_TYPES
from yekuo.orders.validation import supply_ranges

SCRATCH_ENV = "YEKUO_REPLAY_SCRATCH"
REFERENCE_MODELS = (
    "workcal.CalendarYear",
    "workcal.CalendarDay",
    "workcal.OfficeHours",
    "workcal.CalendarRevision",
    "regulations.Regulation",
    "orders.SuspensionReason",  # I5: replay refuses the reasons the live system refuses
)
# review / review_reasons / suspension: a suspension under review and its approval or rejection (I5).
PAYLOAD_KEYS = {"node", "low_risk", "reason", "evidence", "assignee", "inputs", "note", "review", "review_reasons",
                "suspension"}  # fmt: skip


def parse_input(path: str) -> dict:
    try:
        data = strict_json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the file: {exc.strerror}") from None
    except strict_json.DuplicateKey as exc:
        raise InvalidInput(f"{path}: {exc}", field=exc.key) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("order"), dict)
        or not isinstance(data.get("events"), list)
    ):
        raise InvalidInput(f'{path}: expected {{"order": {{…}}, "events": [{{"at": …, "type": …}}, …]}}')
    for key in ("category", "channel"):
        if not data["order"].get(key):
            raise InvalidInput(f"{path}: order.{key} is required", field=f"order.{key}")
    for i, event in enumerate(data["events"]):
        where = f"{path}: events[{i}]"
        if not isinstance(event, dict):
            raise InvalidInput(f"{where} must be an object", field=f"events[{i}]")
        if event.get("type") not in ACTION_TYPES:
            raise InvalidInput(f"{where}.type {event.get('type')!r} is not an event type", field=f"events[{i}].type")
        event["_at"] = parse_time(event.get("at"), f"{where}.at")
    return data


def parse_time(text, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        raise InvalidInput(f"{where} {text!r} is not an ISO 8601 time like 2026-09-30T16:00+08:00") from None
    if value.tzinfo is None:
        raise InvalidInput(f"{where} {text} has no UTC offset")
    return value


def run_replay(path: str, at: str | None) -> dict:
    """Parent side: export the reference data, run the child on a scratch database, return its JSON."""
    parse_input(path)  # fail fast, with the same messages, before any scratch work
    if at:
        parse_time(at, "--at")
    with tempfile.TemporaryDirectory(prefix="yekuo-replay-") as scratch:
        reference = Path(scratch) / "reference.json"
        with reference.open("w", encoding="utf-8") as out:
            objects = []
            from django.apps import apps

            for label in REFERENCE_MODELS:
                objects.extend(apps.get_model(label).objects.all())
            serializers.serialize("json", objects, stream=out)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)},
            "DATABASE_URL": f"sqlite:///{Path(scratch) / 'replay.sqlite3'}",
            "YEKUO_DATA_DIR": scratch,
            SCRATCH_ENV: str(reference),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        args = [sys.executable, "-m", "yekuo.cli", "replay", str(Path(path).resolve())]
        if at:
            args += ["--at", at]
        done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=Path(__file__).parents[2])
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "replay failed"
        raise InvalidInput(message.removeprefix("CommandError: ").removeprefix("invalid_input: "))
    return json.loads(done.stdout)


def replay_in_scratch(path: str, at: str | None) -> dict:
    """Child side: on the scratch database, run the services and report the clocks."""
    from django.core.management import call_command

    from yekuo.orders import services
    from yekuo.orders.models import EventSource

    call_command("migrate", verbosity=0, interactive=False)
    with open(os.environ[SCRATCH_ENV], encoding="utf-8") as stream, transaction.atomic():
        by_model: dict = {}
        for obj in serializers.deserialize("json", stream):
            by_model.setdefault(type(obj.object), []).append(obj.object)
        for model, rows in by_model.items():
            model.objects.all().delete()  # migrations may have seeded defaults
            model.objects.bulk_create(rows, batch_size=2000)
    data = parse_input(path)
    actor, branch, area = _scratch_org(data["order"].get("company", "default"))
    spec = data["order"]
    events = sorted(data["events"], key=lambda e: e["_at"])
    when = parse_time(at, "--at") if at else (events[-1]["_at"] if events else None)
    later = [e for e in events if when is not None and e["_at"] > when]
    events = events[: len(events) - len(later)]  # not yet happened at `when`
    created_at = min(
        [e["_at"] for e in events]
        + ([parse_time(spec["created_at"], "order.created_at")] if spec.get("created_at") else [])
    )
    # The order's data only has to pass the data rules (orders.validation): a replay is about clocks, so
    # what the file leaves out is filled in with values the category accepts, in the scratch service area.
    voltage, (capacity, _high) = next(iter(supply_ranges().get(spec["category"], {"10kV": (50, 0)}).items()))
    order = services.order_create(
        actor=actor,
        category=spec["category"],
        channel=spec["channel"],
        customer_name=spec.get("customer_name", "replay"),
        site_address=spec.get("site_address", "replay"),
        capacity_kva=spec.get("capacity_kva", capacity),
        voltage=spec.get("voltage", voltage),
        customer_notice="replay",
        branch=branch,
        service_area=area,
        occurred_at=created_at,
        source=EventSource.IMPORT,
        receive=False,
        what_if=True,
    )
    for i, event in enumerate(events):
        payload = {k: v for k, v in event.items() if k in PAYLOAD_KEYS}
        try:
            services.apply_event(
                order,
                event["type"],
                actor=actor,
                payload=payload,
                occurred_at=event["_at"],
                source=EventSource.IMPORT,
                what_if=True,
            )
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            raise InvalidInput(f"events[{i}] ({event['type']} at {event['at']}): {message}") from None
    when = when or order.created_at
    order.refresh_from_db()  # received_at, closed_at: what the events made of it
    return {
        "at": timezone.localtime(when).isoformat(),
        **({"events_after_at": len(later)} if later else {}),
        **clocks_report(order, when),
        "time": time_report(order, when),
    }


def time_report(order, when: datetime) -> dict:
    """The order's utility and customer time (I9) at `when`, in working days as the API gives them."""
    from yekuo.orders.selectors import time_split

    split = time_split(order, when)
    return {
        "utility_days": split.utility_days,
        "customer_days": split.customer_days,
        "suspended_days": split.suspended_days,
        "waiting_days": split.waiting_days,
        "calendar_days": split.calendar_days,
        "ongoing": split.ongoing,
    }


def _scratch_org(company_code: str):
    from yekuo.accounts.models import Branch, Company, Role, ServiceArea, User

    company, _ = Company.objects.get_or_create(code=company_code, defaults={"name": "replay"})
    branch, _ = Branch.objects.get_or_create(company=company, code="replay", defaults={"name": "replay"})
    area, _ = ServiceArea.objects.get_or_create(branch=branch, code="replay", defaults={"name": "replay"})
    actor, _ = User.objects.get_or_create(username="replay", defaults={"company": company})
    actor.roles.set(Role.objects.filter(code="administrator"))
    actor.forget_roles()
    return actor, branch, area


def clocks_report(order, when: datetime) -> dict:
    """The clocks of an order measured at `when`, in the replay output format (README)."""
    from yekuo.orders.selectors import clock_view

    def iso(value):
        return timezone.localtime(value).isoformat() if value else None

    clocks = []
    for clock in order.clocks.order_by("position"):
        view = clock_view(clock, when)
        # The replay format knows four states; a clock stopped by cancellation is done, and says so.
        state = "done" if view.state == "cancelled" else view.state
        clocks.append(
            {
                "code": clock.code,
                "nodes": clock.nodes,
                "limit_days": float(clock.limit_days),
                "started_at": iso(clock.started_at),
                "deadline_at": iso(clock.deadline_at),
                "completed_at": iso(clock.completed_at),
                "used_days": view.used_days,
                "state": state,
                "overdue": view.overdue,
                "provisional": clock.provisional,
                **({"cancelled": True} if view.state == "cancelled" else {}),
            }
        )
    return {"clocks": clocks}
