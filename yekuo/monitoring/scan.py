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

import hashlib
import json
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yekuo.monitoring.models import ClockNextDue, ClockWarning, ScanRun
from yekuo.monitoring.rules import BUNDLED, rule_book
from yekuo.orders.models import Clock, NodeInstance, WorkOrder
from yekuo.orders.services.write import threshold as engine_threshold
from yekuo.workcal.selectors import calendar_revision, work_table

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


def _aware(value) -> datetime:
    """A datetime read by a raw cursor, aware (UTC on SQLite)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _pauses(value) -> list:
    if isinstance(value, str):
        value = json.loads(value)
    return value or []


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _in_batches(ids: list[int]):
    size = 5000 if connection.vendor == "postgresql" else 500  # SQLite: at most 999 parameters
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ", ".join(["%s"] * len(chunk))


CANDIDATE_COLUMNS = """c.id, c.order_id, c.code, c.started_at, c.budget_seconds, c.pauses, c.deadline_at, c.warn_at,
    c.provisional, c.limit_days, c.nodes, o.regulation_code, o.category, o.branch_id"""


def _candidate_sql(where: str, flags: str = "", join: str = "") -> str:
    return f"""
        SELECT {CANDIDATE_COLUMNS}{flags}
        FROM {_table(WorkOrder)} o
        JOIN {_table(Clock)} c ON c.order_id = o.id{join}
        WHERE {where}
    """


def _companies() -> dict[int, str]:
    """Branch id → its company's code (the work table of its office hours)."""
    from yekuo.accounts.models import Branch

    return dict(Branch.objects.values_list("pk", "company__code"))


def level_bounds(book, min_day_seconds: int) -> dict[str, tuple]:
    """For each level, the earliest a clock's level can fall due, in terms SQL can compare with now:
    ("warn",) the clock's warn_at (rules.py: never earlier); ("deadline", a, b) the deadline plus at least
    min(a x budget, b) seconds of wall-clock time (working time never passes faster than wall-clock time).
    Over every rule of the book, so it holds for any clock."""
    layers = list(book.rules.values())
    for override in book.overrides.values():
        layers.extend(override["clocks"].values())
        for clocks in override["categories"].values():
            layers.extend(clocks.values())
    bounds = {}
    for code in book.levels:
        thresholds = [layer[code] for layer in layers if code in layer]
        if any(t.remaining_minutes is not None or (t.used is not None and t.used < 1) for t in thresholds):
            bounds[code] = ("warn",)
            continue
        used = [t.used - 1 for t in thresholds if t.used is not None and t.over_days is None]
        days = [t.over_days * min_day_seconds for t in thresholds if t.used is None and t.over_days is not None]
        both = [t for t in thresholds if t.used is not None and t.over_days is not None]
        if both:  # the first reached of the two: bounded by the smaller of their bounds
            used += [t.used - 1 for t in both]
            days += [t.over_days * min_day_seconds for t in both]
        bounds[code] = ("deadline", min(used) if used else None, int(min(days)) if days else None)
    return bounds


def _candidates(now: datetime, bounds: dict[str, tuple]) -> list[tuple]:
    """The running clocks past their warn_at (from the orders' warn_at index) with a level that may be due and
    is not open; each row ends with one flag per level (in the book's order): that level may be due and is
    not open. A clock whose every level due by now is open costs nothing more (module docstring)."""
    pg = connection.vendor == "postgresql"
    stamp = _db_time(now)
    epoch = _epoch(now)
    warnings = _table(ClockWarning)
    looks, params = [], []
    for code, bound in bounds.items():
        missing = (
            f"NOT EXISTS (SELECT 1 FROM {warnings} w"
            " WHERE w.clock_id = c.id AND w.level = %s AND w.resolved_at IS NULL)"
        )
        if bound[0] == "warn":
            looks.append(missing)
            params.append(code)
            continue
        _kind, share, fixed = bound
        if share == 0 or fixed == 0 or (share is None and fixed is None):
            looks.append(f"(c.deadline_at <= %s AND {missing})")
            params.extend([stamp, code])
            continue
        terms = ([("c.budget_seconds * %s", share)] if share is not None else []) + (
            [("%s", fixed)] if fixed is not None else []
        )
        extra = terms[0][0] if len(terms) == 1 else f"{'LEAST' if pg else 'MIN'}({terms[0][0]}, {terms[1][0]})"
        if pg:
            looks.append(f"(c.deadline_at + ({extra}) * interval '1 second' <= %s AND {missing})")
        else:
            looks.append(f"(CAST(strftime('%%s', c.deadline_at) AS INTEGER) + ({extra}) <= %s AND {missing})")
        params.extend([value for _sql, value in terms] + [stamp if pg else epoch, code])
    flags = "".join(f", {look} AS look_{i}" for i, look in enumerate(looks))
    # A clock whose next-due row is current (same deadline, pauses and basis) and ahead of now has every
    # level due by now open (the scan that wrote the row raised them, and a resolution deletes the row):
    # it is not read further. The others are returned even without a level to raise, so that their row is
    # written (`_keep_next`).
    episodes = (
        "CASE jsonb_typeof(c.pauses) WHEN 'array' THEN jsonb_array_length(c.pauses) ELSE 0 END"
        if pg
        else "COALESCE(json_array_length(c.pauses), 0)"
    )
    current = (
        f"SELECT 1 FROM {_table(ClockNextDue)} n WHERE n.clock_id = c.id AND n.deadline_at = c.deadline_at"
        f" AND n.episode = {episodes} AND n.basis = %s"
    )
    flags += f", NOT EXISTS ({current}) AS stale"
    where = " OR ".join([*(f"q.look_{i}" for i in range(len(looks))), "q.stale"])
    basis = next_basis()
    rows = []
    with connection.cursor() as cursor:
        for chunk, marks in _in_batches(_unsettled(now, basis, episodes)):
            inner = _candidate_sql(f"c.id IN ({marks})", flags)
            cursor.execute(f"SELECT * FROM ({inner}) q WHERE {where}", [*params, basis, *chunk])
            rows.extend(cursor.fetchall())
    # The stale flag was for the query only; the level flags stay at the row's end (due_levels).
    return [row[:-1] for row in rows]


def _unsettled(now: datetime, basis: str, episodes: str) -> list[int]:
    """The running clocks past their warn_at without a current next-due row ahead of now: hash joins over the
    orders past their warn_at (partial index), their running clocks and the next-due rows, before any level
    is looked at (probing each alarmed clock's levels took seconds when nearly all were settled)."""
    stamp = _db_time(now)
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH a AS {materialized}(SELECT o.id FROM {_table(WorkOrder)} o WHERE o.warn_at <= %s)
            SELECT c.id FROM a JOIN {_table(Clock)} c ON c.order_id = a.id
            WHERE c.state = 'running' AND c.warn_at <= %s AND c.started_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {_table(ClockNextDue)} n WHERE n.clock_id = c.id AND n.deadline_at = c.deadline_at
                AND n.episode = {episodes} AND n.basis = %s AND (n.due_at IS NULL OR n.due_at > %s))
            ORDER BY c.id
            """,
            [stamp, stamp, basis, stamp],
        )
        return [pk for (pk,) in cursor.fetchall()]


def next_basis() -> str:
    """What a next-due instant was computed from besides the clock: the rule book and the calendar."""
    path = settings.YEKUO_MONITOR_RULES or str(BUNDLED)
    stamp = f"{path}|{os.stat(path).st_mtime}|{calendar_revision()}"
    return hashlib.sha1(stamp.encode()).hexdigest()[:16]


def _clocks(ids: list[int]) -> list[tuple]:
    """The candidate columns of these running clocks."""
    rows = []
    with connection.cursor() as cursor:
        for chunk, marks in _in_batches(ids):
            cursor.execute(_candidate_sql(f"c.state = 'running' AND c.id IN ({marks})"), chunk)
            rows.extend(cursor.fetchall())
    return rows


def _active_nodes(order_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The active nodes of these orders: order id → [(node id, code)]."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    with connection.cursor() as cursor:
        for chunk, marks in _in_batches(order_ids):
            cursor.execute(
                f"SELECT n.order_id, n.id, n.code FROM {_table(NodeInstance)} n "
                f"WHERE n.state = 'active' AND n.order_id IN ({marks})",
                chunk,
            )
            for order_id, node_id, code in cursor.fetchall():
                found[order_id].append((node_id, code))
    return found


def due_levels(
    rows: list[tuple], now: datetime, companies: dict[int, str] | None = None, ahead: dict | None = None
) -> list[dict]:
    """For each candidate clock, the levels due by `now`: one dict per (clock, level) with the instant it
    fell due. The thresholds are the clock engine's working time (module docstring, step 2). A row may end
    with one flag per level of the book (from `_candidates`): only the flagged levels are raised.

    `ahead`, when given, receives for every clock the soonest instant (epoch seconds) one of its levels falls
    due after `now`, or None when none is ahead; a lower bound where the instant is not computed (a level
    after a deadline still ahead: the deadline)."""
    book = rule_book()
    engine = engine_threshold()
    now_ts = _epoch(now)
    companies = _companies() if companies is None else companies
    codes = list(book.levels)
    out: list[dict] = []
    # Levels the stored fields do not answer, by company (its work table).
    pending: dict[str, list[tuple[dict, int, list, object]]] = defaultdict(list)

    def later(clock_id, when):
        if ahead is not None and when is not None and (ahead[clock_id] is None or when < ahead[clock_id]):
            ahead[clock_id] = when

    for row in rows:
        (clock_id, order_id, code, started, budget, pauses, deadline, warn, provisional, limit_days, nodes,
         regulation, category, branch_id) = row[:14]  # fmt: skip
        looked = {c for c, flag in zip(codes, row[14:], strict=False) if flag} if len(row) > 14 else None
        if budget is None or deadline is None:
            continue
        if ahead is not None:
            ahead[clock_id] = None
        company = companies.get(branch_id)
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
            wanted = looked is None or level_rule.level.code in looked  # else open already
            if not wanted and ahead is None:
                continue
            item = {**base, "level": level_rule.level.code, "wanted": wanted}
            threshold = level_rule.threshold
            if threshold.over_days is None:
                # A level never precedes the engine's own warning (rules.py).
                target = max(threshold.target(budget, 0), engine_target)
                if target == budget:
                    if deadline_ts <= now_ts:
                        out.append({**item, "due_at": deadline_ts})
                    else:
                        later(clock_id, deadline_ts)
                    continue
                if target == engine_target:
                    if warn_ts <= now_ts:
                        out.append({**item, "due_at": warn_ts})
                    else:
                        later(clock_id, warn_ts)
                    continue
                if target > budget and deadline_ts > now_ts:
                    later(clock_id, deadline_ts)
                    continue  # due after the deadline, which is still ahead
            elif deadline_ts > now_ts and threshold.target(budget, 1) >= budget:
                later(clock_id, deadline_ts)
                continue  # due at or after the deadline, which is still ahead
            pending[company or "default"].append((item, start, pauses, threshold))
    for company, items in pending.items():
        out.extend(_compute(company, items, engine, now_ts, later))
    return [item for item in out if item.pop("wanted")]


def _compute(company: str, items: list, engine, now_ts: int, later) -> list[dict]:
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
            else:
                later(items[i][0]["clock_id"], when)
    for i, (item, start, pauses, _t) in enumerate(items):
        if not pauses:
            continue
        normal = table.normalize_pauses(start, [(_epoch(b), _epoch(e)) for b, e in pauses])
        when = table.deadline_ts(start, targets[i], normal)
        if when is not None and when <= now_ts:
            out.append({**item, "due_at": max(when, start)})
        else:
            # Not computable: looked at again on the next scan.
            later(item["clock_id"], now_ts + 1 if when is None else when)
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


def _open_warnings(clock_ids: list[int]) -> dict[tuple, int]:
    """The open warnings of these clocks: (clock, node code, level, episode) → id."""
    found = {}
    with connection.cursor() as cursor:
        for chunk, marks in _in_batches(clock_ids):
            cursor.execute(
                f"SELECT id, clock_id, node_code, level, episode FROM {_table(ClockWarning)} "
                f"WHERE resolved_at IS NULL AND clock_id IN ({marks})",
                chunk,
            )
            found.update({(clock, node, level, ep): pk for pk, clock, node, level, ep in cursor.fetchall()})
    return found


def _resolve(ids_by_reason: dict[str, list[int]], now: datetime, result: ScanResult) -> None:
    for reason, ids in ids_by_reason.items():
        for start in range(0, len(ids), BATCH):
            done = ClockWarning.objects.filter(pk__in=ids[start : start + BATCH], resolved_at__isnull=True).update(
                resolved_at=now, resolution=reason
            )
            result.resolved += done
            result.resolutions[reason] = result.resolutions.get(reason, 0) + done


def resolve(now: datetime, result: ScanResult) -> None:
    """Resolve the open warnings that no longer hold, found in one pass over the open warnings:

    - the clock stopped: `clock_done`, `cancelled`; it is paused: `suspended`;
    - the node completed while the clock runs on: `node_done`;
    - the deadline moved since the warning was raised (a suspension and resumption credited working time, a
      calendar recompute, a changed limit): `suspended` when the clock has been suspended since (a new
      running period), else `moved` when the level is no longer due; a level still due keeps its warning,
      which takes the new deadline. (A suspension that held no working time moves nothing: the warning
      stands for the same running clock.)"""
    stale = (
        ClockWarning.objects.filter(resolved_at__isnull=True)
        .filter(
            ~Q(clock__state="running")
            | (Q(node__isnull=False) & ~Q(node__state="active"))
            | ~Q(deadline_at=F("clock__deadline_at"))
        )
        .values_list("pk", "clock_id", "level", "episode", "clock__state", "node_id", "node__state")
    )
    # Only the open warnings the alarmed clocks do not vouch for are checked (`_maybe_stale`): a superset of
    # the stale ones, read through the orders' warn_at index instead of probing every warning's clock and node.
    suspects = _maybe_stale(now)
    stale = [row for chunk, _marks in _in_batches(suspects) for row in stale.filter(pk__in=chunk)]
    reasons: dict[str, list[int]] = defaultdict(list)
    moved: list[tuple[int, int, str, int]] = []
    # A clock with a warning to resolve is looked at again by the candidates (its next-due row goes).
    touched = sorted({row[1] for row in stale})
    for chunk, _marks in _in_batches(touched):
        ClockNextDue.objects.filter(clock_id__in=chunk).delete()
    for pk, clock, level, episode, state, node_id, node_state in stale:
        if state != "running":
            reasons[{"done": "clock_done", "cancelled": "cancelled"}.get(state, "suspended")].append(pk)
        elif node_id is not None and node_state != "active":
            reasons["node_done"].append(pk)
        else:
            moved.append((pk, clock, level, episode))
    if moved:
        clocks = {row[0]: row for row in _clocks(sorted({m[1] for m in moved}))}
        due = {(item["clock_id"], item["level"]) for item in due_levels(list(clocks.values()), now)}
        for pk, clock, level, episode in moved:
            row = clocks.get(clock)
            if row is None or len(_pauses(row[5])) != episode:
                reasons["suspended"].append(pk)
            elif (clock, level) not in due:
                reasons["moved"].append(pk)
            else:
                ClockWarning.objects.filter(pk=pk, resolved_at__isnull=True).update(deadline_at=row[6])
    _resolve(reasons, now, result)


def _maybe_stale(now: datetime) -> list[int]:
    """The open warnings that may be stale: those whose clock is not a running clock past its warn_at with the
    warning's deadline, or whose node is not an active node of an order past its warn_at. Every stale warning
    is among them (a stopped or paused clock, a completed node, a moved deadline); `resolve` checks each."""
    stamp = _db_time(now)
    orders, clocks, nodes = _table(WorkOrder), _table(Clock), _table(NodeInstance)
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH a AS {materialized}(SELECT o.id FROM {orders} o WHERE o.warn_at <= %s),
            ac AS (SELECT c.id, c.deadline_at FROM a JOIN {clocks} c ON c.order_id = a.id
                   WHERE c.state = 'running' AND c.warn_at <= %s),
            an AS (SELECT n.id FROM a JOIN {nodes} n ON n.order_id = a.id WHERE n.state = 'active')
            SELECT w.id FROM {_table(ClockWarning)} w
            LEFT JOIN ac ON ac.id = w.clock_id
            LEFT JOIN an ON an.id = w.node_id
            WHERE w.resolved_at IS NULL AND (
                ac.id IS NULL OR ac.deadline_at IS NULL OR w.deadline_at IS NULL OR ac.deadline_at <> w.deadline_at
                OR (w.node_id IS NOT NULL AND an.id IS NULL))
            """,
            [stamp, stamp],
        )
        return sorted(pk for (pk,) in cursor.fetchall())


def scan(now: datetime | None = None, worker: str = "", notify: bool = True) -> ScanResult:
    """Raise and resolve the warnings as of `now` (default: the present), then send what is unsent."""
    now = now or timezone.now()
    result = ScanResult(now)
    run = ScanRun.objects.create(worker=worker or f"{socket.gethostname()}:{os.getpid()}", started_at=timezone.now())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # PostgreSQL's JIT compiles the candidates' plan for seconds to save milliseconds (its cost
            # estimate is that of every alarmed clock); off for this transaction only.
            # One scan at a time (another worker waits here, then sees what this one wrote): a scan's
            # next-due rows must not outlive a resolution made by another scan meanwhile.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])
        resolve(now, result)
        rows = _candidates(now, level_bounds(rule_book(), _min_day_seconds()))
        result.candidates = len(rows)
        ahead: dict = {}
        due = due_levels(rows, now, ahead=ahead)
        # Only the clocks with a level to raise are looked at further.
        should = _should_open(due, _active_nodes(sorted({item["order_id"] for item in due})))
        opened = _open_warnings(sorted({item["clock_id"] for item in due}))
        new = [item for key, item in should.items() if key not in opened]
        result.raised = _insert(new, now)
        _keep_next(rows, ahead)  # every level due by now is open: these clocks wait for their next level
    if notify:
        from yekuo.monitoring.notify import send_pending

        result.notified = send_pending(now)
    ScanRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), candidates=result.candidates, raised=result.raised,
        resolved=result.resolved, notified=result.notified,
    )  # fmt: skip
    return result


SCAN_LOCK = 0x5945_4B55_5343  # the scans' advisory lock key ("YEKUSC")


def _keep_next(rows: list[tuple], ahead: dict) -> None:
    """Record, for each clock read, the instant its next level falls due (as of the deadline and pauses read),
    so that the next scans skip it until then. Every level due by now is open once this scan commits."""
    basis = next_basis()
    keep = [
        ClockNextDue(
            clock_id=row[0],
            due_at=None if ahead[row[0]] is None else datetime.fromtimestamp(ahead[row[0]], UTC),
            deadline_at=_aware(row[6]),
            episode=len(_pauses(row[5])),
            basis=basis,
        )
        for row in rows
        if row[0] in ahead
    ]
    ClockNextDue.objects.bulk_create(
        keep,
        batch_size=BATCH if connection.vendor == "postgresql" else 150,
        update_conflicts=True,
        unique_fields=["clock"],
        update_fields=["due_at", "deadline_at", "episode", "basis"],
    )


def _min_day_seconds() -> int:
    """The shortest nominal working day of any company's office hours (a lower bound for `over_days`)."""
    from yekuo.workcal.models import OfficeHours

    companies = {"default", *OfficeHours.objects.values_list("company", flat=True).distinct()}
    return int(min(work_table(company).a_day_secs.min() for company in companies))


INSERT_COLUMNS = (
    "order_id", "clock_id", "node_id", "node_code", "level", "rule", "episode", "due_at", "deadline_at",
    "provisional", "raised_at", "resolution",
)  # fmt: skip


def _row(item: dict, now: datetime) -> tuple:
    """The values of INSERT_COLUMNS for one new warning."""
    ids = (item["order_id"], item["clock_id"], item["node_id"], item["node_code"], item["level"], item["rule"])
    due = datetime.fromtimestamp(item["due_at"], UTC)
    return (*ids, item["episode"], due, item["deadline_at"], item["provisional"], now, "")


def _insert(items: list[dict], now: datetime) -> int:
    """Insert the new warnings, skipping any that another worker opened first (the partial unique
    constraint `warning_open_once`); returns how many this call inserted."""
    if not items:
        return 0
    rows = [_row(item, now) for item in items]
    field = ClockWarning._meta.get_field
    columns = ", ".join(connection.ops.quote_name(field(name.removesuffix("_id")).column) for name in INSERT_COLUMNS)
    inserted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: a few parameters whatever the batch (psycopg parses every placeholder).
            types = ("bigint", "bigint", "bigint", "text", "text", "text", "int", "timestamptz", "timestamptz",
                     "boolean", "timestamptz", "text")  # fmt: skip
            select = ", ".join(f"%s::{kind}[]" for kind in types)
            for start in range(0, len(rows), BATCH):
                arrays = [list(column) for column in zip(*rows[start : start + BATCH], strict=True)]
                cursor.execute(
                    f"INSERT INTO {_table(ClockWarning)} ({columns}) SELECT * FROM unnest({select}) "
                    "ON CONFLICT DO NOTHING",
                    arrays,
                )
                inserted += max(cursor.rowcount, 0)
            return inserted
        size = 60  # SQLite: at most 999 parameters per statement
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = ", ".join(["(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"] * len(batch))
            params = [_db_time(v) if isinstance(v, datetime) else v for row in batch for v in row]
            cursor.execute(
                f"INSERT INTO {_table(ClockWarning)} ({columns}) VALUES {values} ON CONFLICT DO NOTHING", params
            )
            inserted += max(cursor.rowcount, 0)
    return inserted


# ------------------------------------------------------------------------------------------ the command
def add_arguments(parser):
    parser.add_argument("--at", help="Scan as of this instant (ISO 8601 with offset); default now")
    parser.add_argument("--no-notify", action="store_true", help="Raise and resolve only; send nothing")
    parser.add_argument(
        "--mark-sent",
        action="store_true",
        help="Record every open warning not yet sent as sent, without sending (a first scan over a backlog)",
    )


def run(command, at=None, no_notify=False, mark_sent=False, **options):
    from django.core.management.base import CommandError

    when = None
    if at:
        when = parse_datetime(at)
        if when is None or when.tzinfo is None:
            raise CommandError(f"--at {at!r}: give an ISO 8601 instant with its offset, e.g. 2026-11-02T09:00+08:00")
    command.stdout.write(scan(when, notify=not (no_notify or mark_sent)).line())
    if mark_sent:
        marked = ClockWarning.objects.filter(notified_at__isnull=True, resolved_at__isnull=True).update(
            notified_at=when or timezone.now()
        )
        command.stdout.write(f"{marked} warning(s) recorded as sent without sending")
