"""The warning scan (R9; notice §3 「每日对各供电分公司在途报装业务进行统计，发布时限超期预警」).

One scan, as of an instant `now`:

1. Candidates: the running clocks past their own `warn_at`, found through the orders' partial `warn_at`
   index (an order's `warn_at` is the soonest of its running clocks', orders/due.py). A suspended order's
   clocks are paused and its `warn_at` empty, so suspended clocks are never candidates and never warn.
2. For each candidate and each level of its rule (rules.py), the instant the level falls due: the clock
   engine's deadline of the level's share of the budget with the clock's pauses credited (yekuo.workcal;
   the stored `warn_at` / `deadline_at` when the threshold is theirs, numpy's batch path for clocks
   without pauses, the scalar path for the others). Each level due by `now` should be open, once per
   (clock, active node, level, episode), where the episode is the number of pauses the clock has had.
3. Open warnings that should not be (the node completed, the clock stopped, was suspended and resumed,
   or its threshold moved after now) are resolved, with the reason; those that should be and are not
   are inserted. Both are single statements that are safe when run twice or at once: the insert skips a
   row that the partial unique constraint `warning_open_once` already holds (ON CONFLICT DO NOTHING),
   the resolution updates only rows still open. Several workers on several machines may scan at once.
4. The notifier (notify.py) then claims the open warnings nobody has sent (SELECT … FOR UPDATE SKIP
   LOCKED, then a conditional update) and sends them.
"""

from __future__ import annotations

import json
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yekuo.monitoring.models import ClockWarning, ScanRun
from yekuo.monitoring.rules import rule_book
from yekuo.orders.models import Clock, NodeInstance, WorkOrder
from yekuo.orders.services.write import threshold as engine_threshold
from yekuo.workcal.selectors import work_table

BATCH = 5000


@dataclass
class ScanResult:
    at: datetime
    candidates: int = 0
    raised: int = 0
    resolved: int = 0
    notified: int = 0
    resolutions: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        why = ", ".join(f"{k} {v}" for k, v in sorted(self.resolutions.items()))
        return (
            f"scan at {self.at.isoformat()}: {self.candidates} clock(s) past warning, {self.raised} raised, "
            f"{self.resolved} resolved{f' ({why})' if why else ''}, {self.notified} notified"
        )


def _epoch(value) -> int | None:
    """A datetime read by a raw cursor (aware on PostgreSQL, text in UTC on SQLite) as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() // 1)


def _pauses(value) -> list:
    if isinstance(value, str):
        value = json.loads(value)
    return value or []


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _candidates(now: datetime) -> list[tuple]:
    """The running clocks past their warn_at, with what the rules need: from the orders' warn_at index."""
    from yekuo.accounts.models import Branch, Company

    sql = f"""
        SELECT c.id, c.order_id, c.code, c.started_at, c.budget_seconds, c.pauses, c.deadline_at, c.warn_at,
               c.provisional, c.limit_days, c.nodes, o.regulation_code, o.category, co.code
        FROM {_table(WorkOrder)} o
        JOIN {_table(Clock)} c ON c.order_id = o.id
        JOIN {_table(Branch)} b ON b.id = o.branch_id
        LEFT JOIN {_table(Company)} co ON co.id = b.company_id
        WHERE o.warn_at <= %s AND c.state = 'running' AND c.warn_at <= %s AND c.started_at IS NOT NULL
    """  # noqa: S608 (table names from the models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now])
        return cursor.fetchall()


def _active_nodes(now: datetime) -> dict[int, list[tuple[int, str]]]:
    """The active nodes of the orders with a clock past its warn_at: order id → [(node id, code)]."""
    sql = f"""
        SELECT n.order_id, n.id, n.code FROM {_table(WorkOrder)} o
        JOIN {_table(NodeInstance)} n ON n.order_id = o.id
        WHERE o.warn_at <= %s AND n.state = 'active'
    """  # noqa: S608
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [now])
        for order_id, node_id, code in cursor.fetchall():
            found[order_id].append((node_id, code))
    return found


def due_levels(rows: list[tuple], now: datetime) -> list[dict]:
    """For each candidate clock, the levels due by `now`: one dict per (clock, level) with the instant it
    fell due. The thresholds are the clock engine's working time (module docstring, step 2)."""
    book = rule_book()
    engine = engine_threshold()
    now_ts = _epoch(now)
    out: list[dict] = []
    # Levels the stored fields do not answer, by company (its work table).
    pending: dict[str, list[tuple[dict, int, list, object]]] = defaultdict(list)
    for (clock_id, order_id, code, started, budget, pauses, deadline, warn, provisional, limit_days, nodes,
         regulation, category, company) in rows:  # fmt: skip
        if budget is None or deadline is None:
            continue
        pauses = _pauses(pauses)
        rule = book.rule_for(regulation, category, code, float(limit_days) == 0)
        engine_target = engine.warn_budget(budget)
        start, deadline_ts, warn_ts = _epoch(started), _epoch(deadline), _epoch(warn)
        base = {
            "clock_id": clock_id, "order_id": order_id, "episode": len(pauses), "rule": rule.name,
            "deadline_at": deadline, "provisional": bool(provisional), "nodes": _pauses(nodes),
            "budget_seconds": budget,
        }  # fmt: skip
        for level_rule in rule.levels:
            item = {**base, "level": level_rule.level.code}
            threshold = level_rule.threshold
            if threshold.over_days is None:
                # A level never precedes the engine's own warning (rules.py).
                target = max(threshold.target(budget, 0), engine_target)
                if target == budget:
                    if deadline_ts <= now_ts:
                        out.append({**item, "due_at": deadline_ts})
                    continue
                if target == engine_target:
                    if warn_ts <= now_ts:
                        out.append({**item, "due_at": warn_ts})
                    continue
                if target > budget and deadline_ts > now_ts:
                    continue  # due after the deadline, which is still ahead
            elif deadline_ts > now_ts and threshold.target(budget, 1) >= budget:
                continue  # due at or after the deadline, which is still ahead
            pending[company or "default"].append((item, start, pauses, threshold))
    for company, items in pending.items():
        out.extend(_compute(company, items, engine, now_ts))
    return out


def _compute(company: str, items: list, engine, now_ts: int) -> list[dict]:
    """The due instants the stored fields do not give: numpy's batch path for clocks without pauses, the
    engine's scalar path for the others (pauses credited as the engine credits them)."""
    table = work_table(company)
    targets = [
        max(
            threshold.target(item["budget_seconds"], table.day_seconds_at(start)),
            engine.warn_budget(item["budget_seconds"]),
        )
        for item, start, _pauses, threshold in items
    ]
    out = []
    plain = [i for i, (_item, _start, pauses, _t) in enumerate(items) if not pauses]
    if plain:
        starts = np.array([items[i][1] for i in plain], dtype=np.int64)
        due = table.w_inv_batch(table.w_batch(starts) + np.array([targets[i] for i in plain], dtype=np.int64))
        for i, when in zip(plain, due.tolist(), strict=True):
            if when <= now_ts:
                out.append({**items[i][0], "due_at": max(when, items[i][1])})
    for i, (item, start, pauses, _t) in enumerate(items):
        if not pauses:
            continue
        normal = table.normalize_pauses(start, [(_epoch(b), _epoch(e)) for b, e in pauses])
        when = table.deadline_ts(start, targets[i], normal)
        if when is not None and when <= now_ts:
            out.append({**item, "due_at": max(when, start)})
    return out


def _should_open(due: list[dict], nodes: dict[int, list[tuple[int, str]]]) -> dict[tuple, dict]:
    """(clock, node code, level, episode) → the warning's fields: one per active node of the clock (the
    node whose responsible person is told), or one without a node when none of its nodes is active."""
    should: dict[tuple, dict] = {}
    for item in due:
        active = [(node_id, code) for node_id, code in nodes.get(item["order_id"], ()) if code in item["nodes"]]
        for node_id, node_code in active or [(None, "")]:
            key = (item["clock_id"], node_code, item["level"], item["episode"])
            should[key] = {**item, "node_id": node_id, "node_code": node_code}
    return should


def _open_warnings() -> dict[tuple, int]:
    sql = f"""SELECT id, clock_id, node_code, level, episode FROM {_table(ClockWarning)}
              WHERE resolved_at IS NULL"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(clock, node, level, episode): pk for pk, clock, node, level, episode in cursor.fetchall()}


def _resolution_reasons(ids: list[int]) -> dict[str, list[int]]:
    """Why each open warning no longer holds: its clock stopped (`clock_done`, `cancelled`), was suspended
    (`suspended`: paused now, or resumed since, a new episode), its node completed (`node_done`), or its
    threshold moved after now (`moved`: a recomputed deadline, a longer limit)."""
    reasons: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        rows = ClockWarning.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk", "episode", "clock__state", "clock__pauses", "node_id", "node__state"
        )
        for pk, episode, state, pauses, node_id, node_state in rows:
            if state == "done":
                reason = "clock_done"
            elif state == "cancelled":
                reason = "cancelled"
            elif state == "paused" or len(_pauses(pauses)) != episode:
                reason = "suspended"
            elif node_id is not None and node_state != "active":
                reason = "node_done"
            else:
                reason = "moved"
            reasons[reason].append(pk)
    return reasons


def scan(now: datetime | None = None, worker: str = "", notify: bool = True) -> ScanResult:
    """Raise and resolve the warnings as of `now` (default: the present), then send what is unsent."""
    now = now or timezone.now()
    result = ScanResult(now)
    run = ScanRun.objects.create(worker=worker or f"{socket.gethostname()}:{os.getpid()}", started_at=timezone.now())
    rows = _candidates(now)
    result.candidates = len(rows)
    should = _should_open(due_levels(rows, now), _active_nodes(now))
    opened = _open_warnings()
    stale = [pk for key, pk in opened.items() if key not in should]
    for reason, ids in _resolution_reasons(stale).items():
        for start in range(0, len(ids), BATCH):
            done = ClockWarning.objects.filter(pk__in=ids[start : start + BATCH], resolved_at__isnull=True).update(
                resolved_at=now, resolution=reason
            )
            result.resolved += done
            result.resolutions[reason] = result.resolutions.get(reason, 0) + done
    new = [item for key, item in should.items() if key not in opened]
    result.raised = _insert(new, now)
    if notify:
        from yekuo.monitoring.notify import send_pending

        result.notified = send_pending(now)
    ScanRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), candidates=result.candidates, raised=result.raised,
        resolved=result.resolved, notified=result.notified,
    )  # fmt: skip
    return result


INSERT_COLUMNS = (
    "order_id", "clock_id", "node_id", "node_code", "level", "rule", "episode", "due_at", "deadline_at",
    "provisional", "raised_at", "resolution",
)  # fmt: skip


def _insert(items: list[dict], now: datetime) -> int:
    """Insert the new warnings, skipping any that another worker opened first (the partial unique
    constraint `warning_open_once`); returns how many this call inserted."""
    if not items:
        return 0
    rows = [
        (
            item["order_id"],
            item["clock_id"],
            item["node_id"],
            item["node_code"],
            item["level"],
            item["rule"],
            item["episode"],
            datetime.fromtimestamp(item["due_at"], UTC),
            item["deadline_at"],
            item["provisional"],
            now,
            "",
        )  # fmt: skip
        for item in items
    ]
    size = BATCH if connection.vendor == "postgresql" else 60  # SQLite: at most 999 parameters per statement
    field = ClockWarning._meta.get_field
    columns = ", ".join(connection.ops.quote_name(field(name.removesuffix("_id")).column) for name in INSERT_COLUMNS)
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = ", ".join(["(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"] * len(batch))
            params = [
                connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
                for row in batch
                for v in row
            ]
            cursor.execute(
                f"INSERT INTO {_table(ClockWarning)} ({columns}) VALUES {values} ON CONFLICT DO NOTHING",  # noqa: S608
                params,
            )
            inserted += max(cursor.rowcount, 0)
    return inserted


# ------------------------------------------------------------------------------------------ the command
def add_arguments(parser):
    parser.add_argument("--at", help="Scan as of this instant (ISO 8601 with offset); default now")
    parser.add_argument("--no-notify", action="store_true", help="Raise and resolve only; send nothing")


def run(command, at=None, no_notify=False, **options):
    from django.core.management.base import CommandError

    when = None
    if at:
        when = parse_datetime(at)
        if when is None or when.tzinfo is None:
            raise CommandError(f"--at {at!r}: give an ISO 8601 instant with its offset, e.g. 2026-11-02T09:00+08:00")
    command.stdout.write(scan(when, notify=not no_notify).line())
