"""Reads of the control dashboard (R9, R10, O12): every figure scoped by `restrict`, each with the order list
filter that lists what it counts (the drill-down), so the chart and the list always agree.

The counts (in transit, warnings and overdue) are read from the latest stored count (monitoring.counts,
refreshed every few minutes), the rest live:

- in transit by branch and category: orders received and not closed (status in_transit or suspended);
  list filter `status=open&branch=…&category=…`;
- warnings and overdue by node: active nodes whose covering clock is in warning / overdue at the count's
  instant (the state of `snapshot.node_state`); list filter `node=…&node_state=…` (`orders.selectors.filter_orders`);
- the trend: the stored daily snapshots of the last 30 days; a day drills down to that day's
  overdue-warning list (the nodes in that state at that day's instant);
- the soonest deadlines: orders by `due_at`; list `status=open&sort=deadline`;
- the highest breach risks: `BreachRisk` rows; list `status=open&sort=risk`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from yekuo.accounts.models import Branch
from yekuo.accounts.scope import restrict
from yekuo.monitoring.models_stats import BreachRisk, DailyCount, DailyFlow, DashboardCell, DashboardCount
from yekuo.monitoring.snapshot import STATES, stored_nodes
from yekuo.orders import due
from yekuo.orders.models import WorkOrder

DASHBOARD_ROLES = {"dispatcher", "branch_manager", "department_manager", "administrator"}
TREND_DAYS = 30
TOP = 10


def sees_dashboard(user) -> bool:
    """The customer service center and the managers get the control dashboard as their home page (R9)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role_codes & DASHBOARD_ROLES:
        return True
    return bool(user.department_id and user.department.code == "customer_service_center")


def orders_url(**params) -> str:
    return reverse("order_list") + "?" + urlencode({k: v for k, v in params.items() if v})


def scoped_orders(user) -> QuerySet[WorkOrder]:
    return restrict(WorkOrder.objects.all(), user, "order.view")


def cells(user, count: DashboardCount) -> QuerySet[DashboardCell]:
    """The cells of a stored count in the user's scope (monitoring.counts)."""
    return restrict(DashboardCell.objects.filter(count=count), user, "order.view")


def in_transit(user, count: DashboardCount) -> list[dict]:
    """Orders in transit per branch and category, each with its drill-down URL."""
    rows = (
        cells(user, count)
        .filter(node="", state="in_transit")
        .values("branch__code", "branch__name", "category")
        .annotate(n=Sum("n"))
        .order_by("branch__code", "category")
    )
    return [
        {
            "branch": r["branch__code"], "branch_name": r["branch__name"], "category": r["category"], "count": r["n"],
            "url": orders_url(status="open", branch=r["branch__code"], category=r["category"]),
        }
        for r in rows
    ]  # fmt: skip


def alarms_by_node(user, count: DashboardCount) -> list[dict]:
    """Active nodes in warning or overdue, per node code and state, with the drill-down URL."""
    rows = (
        cells(user, count)
        .exclude(node="")
        .filter(state__in=("warning", "overdue"))
        .values("node", "state")
        .annotate(n=Sum("n"))
        .order_by("node", "state")
    )
    return [
        {"node": r["node"], "state": r["state"], "count": r["n"],
         "url": orders_url(node=r["node"], node_state=r["state"])}
        for r in rows
    ]  # fmt: skip


def alarmed_orders(user, count: DashboardCount) -> dict[str, int]:
    """Orders overdue and in warning, as the order list's `alarm=` filter counts them (orders/due.py)."""
    rows = dict(
        cells(user, count).filter(node="", state__in=("overdue", "warning")).values_list("state").annotate(n=Sum("n"))
    )
    return {"orders_overdue": rows.get("overdue", 0), "orders_warning": rows.get("warning", 0)}


def live_counts(user, when: datetime | None = None) -> dict:
    """The same figures counted now from the orders (what a stored count holds; tests compare the two)."""
    when = when or timezone.now()
    orders = scoped_orders(user)
    transit = orders.filter(status__in=("in_transit", "suspended")).values("branch__code", "category")
    nodes = stored_nodes(when, orders.filter(due.alarmed(when))).filter(monitor_state__in=("warning", "overdue"))
    return {
        "transit": {(r["branch__code"], r["category"]): r["n"] for r in transit.annotate(n=Count("pk")).order_by()},
        "by_node": {
            (r["code"], r["monitor_state"]): r["n"]
            for r in nodes.values("code", "monitor_state").annotate(n=Count("pk")).order_by()
        },
        "orders_overdue": orders.filter(due.overdue(when)).count(),
        "orders_warning": orders.filter(due.warning(when)).count(),
    }


def trend(user, today=None, days: int = TREND_DAYS) -> list[dict]:
    """Per stored day of the last `days`: active nodes in transit by state, and the day's flows."""
    today = today or timezone.localdate()
    since = today - timedelta(days=days - 1)
    branches = restrict(Branch.objects.all(), user, "order.view")
    counts = (
        DailyCount.objects.filter(snapshot__date__gte=since, snapshot__date__lte=today, branch__in=branches)
        .values("snapshot__date", "state")
        .annotate(n=Sum("count"))
    )
    by_day: dict = defaultdict(lambda: {s: 0 for s in (*STATES, "new", "completed", "newly_overdue")})
    for r in counts:
        by_day[r["snapshot__date"]][r["state"]] += r["n"]
    flows = (
        DailyFlow.objects.filter(snapshot__date__gte=since, snapshot__date__lte=today, branch__in=branches)
        .values("snapshot__date")
        .annotate(new=Sum("new"), completed=Sum("completed"), newly_overdue=Sum("newly_overdue"))
    )
    for r in flows:
        day = by_day[r["snapshot__date"]]
        day.update(new=r["new"], completed=r["completed"], newly_overdue=r["newly_overdue"])
    out = []
    for day in sorted(by_day):
        values = by_day[day]
        out.append({
            "date": day.isoformat(), **values, "in_transit": sum(values[s] for s in STATES),
            "url": reverse("monitoring_alarms") + "?" + urlencode({"date": day.isoformat()}),
        })  # fmt: skip
    return out


def soonest(user, when: datetime | None = None, limit: int = TOP) -> list[WorkOrder]:
    """The orders whose running clock falls due first (the overdue ones first of all)."""
    return list(
        scoped_orders(user).filter(due_at__isnull=False).select_related("branch").order_by("due_at", "pk")[:limit]
    )


def risk_annotation():
    """The highest breach risk of an order's running clocks (BreachRisk), as an annotation."""
    rows = BreachRisk.objects.filter(order=OuterRef("pk")).order_by("-probability").values("probability")[:1]
    return Subquery(rows)


def riskiest(user, limit: int = TOP) -> list[BreachRisk]:
    """The running clocks most likely to end overdue that are not overdue yet (a manager acts before)."""
    risks = restrict(BreachRisk.objects.select_related("order__branch"), user, "order.view")
    return list(risks.exclude(basis="overdue").order_by("-probability", "order_id")[:limit])


def risk_refreshed_at(user) -> datetime | None:
    """When the risks were computed: every row of a refresh has the same time, so any row says it."""
    return restrict(BreachRisk.objects.order_by(), user, "order.view").values_list("computed_at", flat=True).first()
