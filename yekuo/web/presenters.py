"""Shape orders, nodes and clocks for the pages: names, limits, measurements and badges.

Nothing here decides anything about the workflow: measurements come from `orders.selectors.clock_view`,
limits from the order's regulation version, permissions from `accounts.permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.orders.models import Clock, NodeInstance, OrderStatus, WorkOrder
from yekuo.orders.selectors import ClockView, clock_view
from yekuo.orders.services import table_for
from yekuo.regulations.limits import number
from yekuo.regulations.selectors import regulation_get
from yekuo.web import labels


def spec_of(order: WorkOrder):
    """The category spec of the regulation version the order was created under (R14); cached upstream."""
    return regulation_get(order.regulation_code).category(order.category)


def days(seconds: int | None, day_seconds: int) -> str:
    """Working seconds as working days, two decimals at most ("1.25", "0.5", "3")."""
    if seconds is None:
        return ""
    value = round(seconds / day_seconds, 2)
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def badge(view: ClockView) -> tuple[str, str]:
    """(text, Bootstrap colour) of a clock's state: overdue and warning win over the plain state, except while
    the clock is paused: a paused clock is never shown red (O5), whatever it had used before."""
    if view.state == "paused":
        return str(labels.CLOCK_STATES["paused"]), "secondary"
    if view.overdue:
        return str(labels.CLOCK_STATES["overdue"]), "danger"
    if view.warning:
        return str(labels.CLOCK_STATES["warning"]), "warning"
    colours = {"running": "primary", "paused": "secondary", "done": "success", "cancelled": "dark"}
    return str(labels.CLOCK_STATES.get(view.state, view.state)), colours.get(view.state, "light")


def is_zero_day(clock: Clock) -> bool:
    """I3: a limit of 0 is 即办, done on the working day the clock starts."""
    return not clock.condition_pending and float(clock.limit_days) == 0


def limit_text(clock: Clock, spec) -> str:
    """ "3 工作日", "0 工作日（即办）", or "0/3 待定" while the condition that selects the limit is undecided (I2)."""
    if clock.condition_pending:
        return _("%(limit)s 待定") % {"limit": spec.clock(clock.code).limit.display()}
    if is_zero_day(clock):
        return _("0 工作日（即办，当日办结）")
    return _("%(days)s 工作日") % {"days": number(float(clock.limit_days))}


def hours_minutes(seconds: int) -> str:
    """Working time shorter than a day as people say it: "3 小时 30 分", "45 分"."""
    hours, minutes = divmod(max(0, seconds) // 60, 60)
    if hours:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": minutes} if minutes else _("%(h)s 小时") % {"h": hours}
    return _("%(m)s 分") % {"m": minutes}


@dataclass
class ClockRow:
    clock: Clock
    view: ClockView
    node_names: list[str]
    limit: str
    used: str
    remaining: str
    overrun: str
    badge: str
    colour: str
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    kind: str = "clock"
    remaining_text: str = ""  # what is left, with its unit; "" once the clock is finished (O5)
    paused_over: str = ""  # working days it had run over before it was paused (shown without alarm)
    zero_day: bool = False  # I3: its remaining_text is the working time left today


@dataclass
class SuspensionRow:
    suspension: object
    reason: str
    review: str = ""  # I5: awaiting review, approved or rejected, in words
    kind: str = "suspension"


def clock_row(clock: Clock, spec, when: datetime, table) -> ClockRow:
    view = clock_view(clock, when, table)
    text, colour = badge(view)
    remaining = overrun = remaining_text = paused_over = ""
    if view.remaining_seconds is not None:
        # A spent budget reads as how far over it is, not as a negative remainder.
        if view.remaining_seconds < 0:
            overrun = days(-view.remaining_seconds, view.day_seconds)
        else:
            remaining = days(view.remaining_seconds, view.day_seconds)
    if view.state in ("done", "cancelled"):
        remaining = ""  # a finished clock shows the time it used, not time it no longer has (O5)
        overrun = overrun if view.state == "done" else ""
    elif view.state == "paused" and overrun:
        overrun, paused_over = "", overrun  # never red while paused (O5)
    elif remaining:
        remaining_text = _("%(days)s 工作日") % {"days": remaining}
        if is_zero_day(clock):
            # I3: a zero-day clock's budget is what is left of its working day, so say so in hours and minutes.
            # Only a running clock due today has it "today": a paused one keeps it for when it resumes (the
            # pages say 暂停中 · 剩余 …), and one resumed late in the day may be due the next morning.
            remaining_text = hours_minutes(view.remaining_seconds)
            if view.state != "paused":
                due_today = clock.deadline_at and timezone.localdate(clock.deadline_at) == timezone.localdate(when)
                remaining_text = (_("今日剩余 %(time)s") if due_today else _("剩余 %(time)s")) % {
                    "time": remaining_text
                }
    return ClockRow(
        clock=clock,
        view=view,
        node_names=[labels.node(code, spec) for code in clock.nodes],
        limit=limit_text(clock, spec),
        used=days(view.used_seconds, view.day_seconds) if clock.started_at else "",
        remaining=remaining,
        overrun=overrun,
        badge=text,
        colour=colour,
        pauses=shown_pauses(clock),
        remaining_text=remaining_text,
        paused_over=paused_over,
        zero_day=is_zero_day(clock),
    )


def shown_pauses(clock: Clock) -> list[tuple[datetime, datetime | None]]:
    """The clock's pauses as a person reads them. A cancellation stops a clock with a pause left open (so that a
    reopening resumes it, projection `_on_order_cancelled`): on a cancelled clock that pause ends at the
    cancellation, and one that *is* the cancellation (it began then) is no pause at all."""
    pauses = [(datetime.fromisoformat(b), e and datetime.fromisoformat(e)) for b, e in clock.pauses]
    closed = clock.order.closed_at
    if clock.state == "cancelled" and pauses and pauses[-1][1] is None and closed is not None:
        begin = pauses.pop()[0]
        if begin < closed:
            pauses.append((begin, closed))
    return pauses


def timeline(order: WorkOrder, when: datetime | None = None) -> list[ClockRow | SuspensionRow]:
    """The order's clocks in regulation order, each suspension placed after the last clock that had
    started by then, so that a suspension reads as the gap it made in the running clocks (I5)."""
    when = when or timezone.now()
    spec, table = spec_of(order), table_for(order)
    rows: list[ClockRow | SuspensionRow] = [
        clock_row(c, spec, when, table) for c in order.clocks.select_related("order__branch__company")
    ]
    for suspension in order.suspensions.select_related("reason").order_by("-position"):
        started = [
            i
            for i, r in enumerate(rows)
            if r.kind == "clock" and r.clock.started_at and r.clock.started_at <= suspension.started_at
        ]
        at = (started[-1] + 1) if started else len(rows)
        review = labels.REVIEWS.get(suspension.review)
        rows.insert(at, SuspensionRow(suspension, labels.reason(suspension.reason), str(review) if review else ""))
    return rows


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def gantt(rows: list[ClockRow | SuspensionRow], when: datetime | None = None) -> dict:
    """The timeline as a chart (order detail): one lane per clock, from its start to its end (completion,
    cancellation, or now), cut by the suspensions into worked spans and gaps (I5), with its deadline and warning
    marks. Times are epoch milliseconds; `offset_ms` is Asia/Shanghai's, so the chart labels Beijing time
    whatever the browser's own zone. Spans are what the clock rows say; nothing here measures a clock."""
    when = when or timezone.now()
    lanes = []
    for row in rows:
        if row.kind != "clock":
            continue
        clock = row.clock
        lane = {
            "code": clock.code,
            "name": " → ".join(row.node_names),
            "limit": row.limit,
            "badge": row.badge,
            "colour": row.colour,
            "deadline": clock.deadline_at and _ms(clock.deadline_at),
            "warn": clock.warn_at and _ms(clock.warn_at),
            "spans": [],
            "gaps": [],
        }
        lanes.append(lane)
        if clock.started_at is None:
            continue
        begin = _ms(clock.started_at)
        pauses = [(_ms(b), _ms(e) if e else None) for b, e in row.pauses]
        if clock.state == "done" and clock.completed_at:
            end = _ms(clock.completed_at)
        elif clock.state == "cancelled" and clock.order.closed_at:
            end = _ms(clock.order.closed_at)
        else:
            end = _ms(when)
        end = max(begin, end)
        cursor = begin
        for pause_begin, pause_end in pauses:
            pause_begin, pause_end = max(pause_begin, begin), min(pause_end or end, end)
            if pause_end <= pause_begin:
                continue
            if pause_begin > cursor:
                lane["spans"].append([cursor, pause_begin])
            lane["gaps"].append([pause_begin, pause_end])
            cursor = max(cursor, pause_end)
        if end > cursor:
            lane["spans"].append([cursor, end])
    offset = timezone.localtime(when).utcoffset()
    return {
        "lanes": lanes,
        "now": _ms(when),
        "offset_ms": int(offset.total_seconds() * 1000) if offset else 0,
        "text": {
            "span": _("计时"),
            "gap": _("暂停"),
            "deadline": _("期限"),
            "warn": _("预警"),
            "now": _("现在"),
            "not_started": _("未开始"),
        },
    }


@dataclass
class NodeRow:
    node: NodeInstance
    name: str
    role: str
    state: str
    completed_by: object = None  # who recorded the completion (O5), when the caller knows it


def node_rows(order: WorkOrder, completed_by: dict | None = None) -> list[NodeRow]:
    spec = spec_of(order)
    completed_by = completed_by or {}

    def state(n: NodeInstance) -> str:
        # O5: a cancelled order has nothing waiting; its unreached nodes stay `waiting` in the fold only so
        # that a reopening can carry on from them.
        if n.state == "waiting" and order.status == OrderStatus.CANCELLED:
            return str(labels.NODE_NOT_REACHED)
        return str(labels.NODE_STATES.get(n.state, n.state))

    return [
        NodeRow(n, labels.node(n.code, spec), labels.role(n.role), state(n),
                completed_by.get(n.code) if n.state == "done" else None)
        for n in order.nodes.select_related("assignee")
    ]  # fmt: skip


def work_rows(nodes, when: datetime | None = None) -> list[dict]:
    """My work: each active node with the clock that runs while it is worked, measured now."""
    when = when or timezone.now()
    nodes = list(nodes)
    clocks = Clock.objects.filter(order_id__in={n.order_id for n in nodes}).select_related("order__branch__company")
    by_key = {(c.order_id, c.code): c for c in clocks}
    rows = []
    for n in nodes:
        spec = spec_of(n.order)
        clock = by_key.get((n.order_id, n.clock_code))
        row = {"node": n, "order": n.order, "name": labels.node(n.code, spec), "clock": None}
        if clock is not None and clock.started_at:
            row["clock"] = clock_row(clock, spec, when, table_for(n.order))
        rows.append(row)
    return rows
