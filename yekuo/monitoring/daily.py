"""每日在途统计 and 时限超期预警 (R10; notice §3 "每日对各供电分公司在途报装业务进行统计，发布时限超期预警").

Every morning (the periodic job in monitoring.tasks, or `yekuo monitor daily --date D`) each company's
snapshot of day D is stored: the in-transit picture (`snapshot.snapshot`) as of the start of D's working
day (`snapshot.working_day_start`: the first office hour; midnight on a day off), with the flows of the
window since the previous day's snapshot instant, per branch and category:

- new: orders created in the window;
- completed: orders energized in the window;
- newly overdue: clocks whose deadline (as it stands) fell in the window and that had not finished by then.

The windows of consecutive days join end to end, so a month's flows are the sum of its days. Re-running a
date replaces that date's rows only, in one transaction; any earlier date can be back-filled (the snapshot
of a past instant is the fold of the logs up to it). The day's overdue-warning list (`alarm_list`) is the
nodes in warning or overdue at the same instant, per branch: a page, an Excel file and a notice to each
branch manager (`notify_branch_managers`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from yekuo.accounts.models import Branch, Company
from yekuo.monitoring.models_stats import DailyAlarm, DailyCount, DailyFlow, DailySnapshot
from yekuo.monitoring.snapshot import NodeAt, nodes_at, snapshot, working_day_start
from yekuo.orders.models import Clock, NodeInstance, OrderEvent, OrderStatus, WorkOrder
from yekuo.orders.projection import IN_TRANSIT, SUSPENDED
from yekuo.workcal.selectors import work_table

ALARM_STATES = ("overdue", "warning")
# The stored overdue-warning lists are kept this many days (the dashboard's 30-day trend opens each day's);
# an older day's list is computed from the log when asked for.
ALARM_DAYS_KEPT = 31


def day_window(company_code: str, day: date) -> tuple[datetime, datetime]:
    """(start, end) of day D's window: the previous day's snapshot instant to D's (R10)."""
    table = work_table(company_code)
    return working_day_start(table, day - timedelta(days=1)), working_day_start(table, day)


def flows(company: Company, start: datetime, end: datetime) -> dict[tuple[int, str], dict[str, int]]:
    """New, completed and newly overdue counts per (branch, category) in [start, end)."""
    out: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: {"new": 0, "completed": 0, "newly_overdue": 0})
    orders = WorkOrder.objects.filter(branch__company=company)
    queries = {
        "new": orders.filter(created_at__gte=start, created_at__lt=end),
        "completed": orders.filter(status=OrderStatus.ENERGIZED, closed_at__gte=start, closed_at__lt=end),
    }
    for name, queryset in queries.items():
        for row in queryset.values("branch_id", "category").annotate(n=Count("pk")).order_by():
            out[(row["branch_id"], row["category"])][name] = row["n"]
    late = Clock.objects.filter(order__branch__company=company, deadline_at__gte=start, deadline_at__lt=end).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gt=F("deadline_at"))
    )
    for row in late.values("order__branch_id", "order__category").annotate(n=Count("pk")).order_by():
        out[(row["order__branch_id"], row["order__category"])]["newly_overdue"] = row["n"]
    return out


def store_day(company: Company, day: date, *, computed_at: datetime | None = None) -> DailySnapshot:
    """Compute and store company's snapshot of `day`, replacing that day's if there is one (idempotent)."""
    start, at = day_window(company.code, day)
    picture = snapshot(at, orders=WorkOrder.objects.filter(branch__company=company), keep=ALARM_STATES)
    moved = flows(company, start, at)
    with transaction.atomic():
        DailySnapshot.objects.filter(company=company, date=day).delete()
        stored = DailySnapshot.objects.create(
            company=company,
            date=day,
            at=at,
            window_start=start,
            computed_at=computed_at or timezone.now(),
            folded=picture.folded,
        )
        DailyCount.objects.bulk_create(
            [
                DailyCount(snapshot=stored, branch_id=b, category=c, node=n, state=s, count=k)
                for (b, c, n, s), k in picture.counts.items()
                if k
            ],
            batch_size=2000,
        )
        DailyFlow.objects.bulk_create(
            [DailyFlow(snapshot=stored, branch_id=b, category=c, **values) for (b, c), values in moved.items()],
            batch_size=2000,
        )
        store_alarms(stored, picture.kept)
        _forget_old_alarms(company, day)
    return stored


def store_alarms(stored: DailySnapshot, folded: list[NodeAt]) -> int:
    """Store the day's overdue-warning list (`alarm_list` at the snapshot's instant) as DailyAlarm rows: the
    nodes of the orders untouched since then by one INSERT … SELECT from their stored rows (a running clock
    past its warning time or deadline covers the node: snapshot.node_state), and `folded`, the alarmed nodes
    of the orders with a later event, as the snapshot folded them from their log (`snapshot(keep=…)`).
    Returns the rows written."""
    at, company = stored.at, stored.company
    table = connection.ops.quote_name
    names = {m.__name__: table(m._meta.db_table) for m in (DailyAlarm, WorkOrder, NodeInstance, Clock, OrderEvent)}
    branches = table(Branch._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(at)
    sql = f"""
        INSERT INTO {names["DailyAlarm"]} (snapshot_id, branch_id, order_id, node, state, deadline_at, warn_at)
        SELECT %s, o.branch_id, o.id, d.code, CASE WHEN c.deadline_at < %s THEN 'overdue' ELSE 'warning' END,
               c.deadline_at, c.warn_at
        FROM {names["NodeInstance"]} d JOIN {names["WorkOrder"]} o ON o.id = d.order_id
        JOIN {names["Clock"]} c ON c.order_id = d.order_id AND c.code = d.clock_code
        WHERE d.state = 'active' AND o.status IN (%s, %s) AND o.created_at <= %s
          AND (o.warn_at <= %s OR o.due_at < %s)
          AND c.state = 'running' AND (c.deadline_at < %s OR c.warn_at <= %s)
          AND o.branch_id IN (SELECT b.id FROM {branches} b WHERE b.company_id = %s)
          AND NOT EXISTS (SELECT 1 FROM {names["OrderEvent"]} e WHERE e.order_id = o.id AND e.occurred_at > %s)
    """  # table names from the models; every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [stored.pk, stamp, IN_TRANSIT, SUSPENDED, stamp, stamp, stamp, stamp, stamp,
                             company.pk, stamp])  # fmt: skip
        written = cursor.rowcount
    alarms = [
        DailyAlarm(snapshot=stored, branch_id=n.branch_id, order_id=n.order_id, node=n.node, state=n.state,
                   deadline_at=n.deadline_at, warn_at=n.warn_at)
        for n in folded
        if n.state in ALARM_STATES
    ]  # fmt: skip
    rows = len(DailyAlarm.objects.bulk_create(alarms, batch_size=2000))
    DailySnapshot.objects.filter(pk=stored.pk).update(alarms_stored=True)
    stored.alarms_stored = True
    return written + rows


def _forget_old_alarms(company: Company, day: date) -> None:
    """The stored lists older than ALARM_DAYS_KEPT days go (their snapshots and counts stay)."""
    old = DailySnapshot.objects.filter(company=company, date__lte=day - timedelta(days=ALARM_DAYS_KEPT))
    DailyAlarm.objects.filter(snapshot__in=old).delete()
    old.filter(alarms_stored=True).update(alarms_stored=False)


def stored_alarms(stored: DailySnapshot, queryset=None, *, one_branch: bool = False):
    """The stored overdue-warning list of a day (DailyAlarm), in the page's order: by branch, overdue first,
    then by deadline. `queryset`: DailyAlarm rows in scope (restrict); `one_branch`: they are of one branch,
    whose page is then read in the order of the list's index (snapshot, branch, state, deadline) instead of
    sorting the branch's list by its code first (0.6 s for one branch's 33,000 lines)."""
    rows = (queryset if queryset is not None else DailyAlarm.objects.all()).filter(snapshot=stored)
    order = ("state", "deadline_at", "order__number", "pk")
    return rows.select_related("branch", "order").order_by(*order if one_branch else ("branch__code", *order))


def store_days(day: date, *, days: int = 1) -> list[DailySnapshot]:
    """Store the snapshots of `day` and the `days - 1` days before it, for every company (back-fill)."""
    out = []
    for company in Company.objects.filter(branches__isnull=False).distinct().order_by("code"):
        for back in range(days - 1, -1, -1):
            out.append(store_day(company, day - timedelta(days=back)))
    return out


@dataclass(frozen=True)
class AlarmRow:
    branch: Branch
    order: WorkOrder
    node: str
    state: str  # overdue, warning
    deadline_at: datetime | None
    warn_at: datetime | None


def alarm_list(at: datetime, orders=None, states=ALARM_STATES) -> list[AlarmRow]:
    """时限超期预警: the active nodes in warning or overdue (or `states`) at `at` (the day's snapshot instant),
    by branch, overdue first, then by deadline. `orders`: the WorkOrder queryset in scope (restrict)."""
    alarmed = nodes_at(at, orders=orders, states=states)
    by_pk = WorkOrder.objects.select_related("branch__company").in_bulk([n.order_id for n in alarmed])
    rows = [
        AlarmRow(by_pk[n.order_id].branch, by_pk[n.order_id], n.node, n.state, n.deadline_at, n.warn_at)
        for n in alarmed
    ]
    far = datetime.max.replace(tzinfo=at.tzinfo)
    return sorted(rows, key=lambda r: (r.branch.code, r.state != "overdue", r.deadline_at or far, r.order.number))


def notify_branch_managers(day: date, *, send=None) -> dict[str, int]:
    """Tell each branch manager the size of their branch's overdue-warning list of `day`, with a link to the
    page (R10). `send(user, subject, body, link)` delivers one notice; by default the in-app inbox of the
    notification service when it is installed, else nothing is sent. Returns {branch code: alarm count}."""
    from yekuo.accounts.models import User

    send = send or _default_sender()
    counts: dict[str, int] = {}
    for company in Company.objects.filter(branches__isnull=False).distinct():
        _start, at = day_window(company.code, day)
        rows = alarm_list(at, WorkOrder.objects.filter(branch__company=company))
        by_branch: dict[str, list[AlarmRow]] = defaultdict(list)
        for row in rows:
            by_branch[row.branch.code].append(row)
        for code, items in by_branch.items():
            counts[code] = len(items)
            overdue = sum(1 for r in items if r.state == "overdue")
            managers = User.objects.filter(branch=items[0].branch, is_active=True, roles__code="branch_manager")
            subject = (
                f"{day:%Y-%m-%d} 时限超期预警：{items[0].branch.name} 超期 {overdue} 项，预警 {len(items) - overdue} 项"
            )
            link = f"/monitoring/alarms/?date={day.isoformat()}&branch={code}"
            for manager in managers.distinct():
                send(manager, subject, subject, link)
    return counts


def _default_sender():
    """The notice goes to the manager's in-app inbox (站内消息, monitoring.models.InboxMessage)."""
    from yekuo.monitoring.models import InboxMessage

    def send(user, subject: str, body: str, link: str) -> None:
        InboxMessage.objects.create(
            user=user, level="daily", title=subject[:200], body=body, link=link, created_at=timezone.now()
        )

    return send


# ------------------------------------------------------------------------------------------ command
def add_arguments(parser):
    parser.add_argument("--date", help="The day (YYYY-MM-DD); default today (Asia/Shanghai)")
    parser.add_argument(
        "--days", type=int, default=1, help="Also back-fill this many days up to --date (default 1: that day only)"
    )
    parser.add_argument(
        "--notify", action="store_true", help="Send the day's overdue-warning list to each branch manager"
    )


def run(command, *, date=None, days=1, notify=False, **_options):
    """`yekuo monitor daily --date D [--days N] [--notify]` (R10)."""
    from yekuo.common.errors import InvalidInput

    try:
        day = timezone.localdate() if not date else datetime.strptime(date, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"--date {date!r} is not a date like 2026-12-01", field="date") from None
    if days < 1:
        raise InvalidInput("--days must be 1 or more", field="days")
    for stored in store_days(day, days=days):
        total = sum(stored.counts.values_list("count", flat=True))
        command.stdout.write(
            f"{stored.company.code} {stored.date}: {total} active nodes in transit at "
            f"{timezone.localtime(stored.at):%Y-%m-%d %H:%M} ({stored.folded} replayed)"
        )
    if notify:
        for code, count in sorted(notify_branch_managers(day).items()):
            command.stdout.write(f"notified {code}: {count} on the list")
