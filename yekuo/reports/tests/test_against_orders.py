"""The indicators over the demo book agree with each order's own figures (R12, I9): the order page's time
split (`selectors.time_split`), its clocks' overdue state (`selectors.clock_view`) and the engine's working
time of each node, order by order in Python, against the month's SQL and batch computation."""

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.orders.demo import TEMPLATES
from yekuo.orders.models import Clock, NodeInstance
from yekuo.orders.selectors import clock_view, time_split
from yekuo.reports.indicators import energized_orders, month_bounds, monthly
from yekuo.workcal.engine import SHANGHAI, to_epoch
from yekuo.workcal.selectors import work_table


def mean(values) -> float:
    """The mean of figures of 2 decimals, to 2 decimals half up, by hand: in hundredths, exactly."""
    total = sum(round(v * 100) for v in values)
    return float((Decimal(total) / (len(values) * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _months(orders) -> list[str]:
    return sorted({o.closed_at.astimezone(SHANGHAI).strftime("%Y-%m") for o in orders})


def _orders_oracle(month: str) -> dict:
    figures = defaultdict(list)
    for order in energized_orders(month).select_related("branch__company").prefetch_related("clocks", "suspensions"):
        split = time_split(order)
        late = any(clock_view(c, when=order.closed_at).overdue for c in order.clocks.all() if c.started_at)
        figures[(order.branch.code, order.category)].append(
            (split.utility_days, split.customer_days, split.calendar_days, late)
        )
    return {
        key: (len(f), mean([x[0] for x in f]), mean([x[1] for x in f]), mean([x[2] for x in f]), sum(x[3] for x in f))
        for key, f in figures.items()
    }


def _nodes_oracle(month: str) -> dict:
    start, end = month_bounds(month)
    days, late = defaultdict(list), defaultdict(int)
    for node in NodeInstance.objects.filter(state="done", completed_at__gte=start, completed_at__lt=end).select_related(
        "order__branch__company"
    ):
        table = work_table(node.order.branch.company.code)
        clock = Clock.objects.get(order=node.order, code=node.clock_code)
        key = (node.order.branch.code, node.order.category, node.code)
        late[key] += bool(clock.deadline_at and node.completed_at > clock.deadline_at)
        begin = max(to_epoch(t) for t in (node.ready_at, clock.started_at) if t)
        stop = max(begin, to_epoch(node.completed_at))
        pauses = [
            (to_epoch(datetime.fromisoformat(b)), e and to_epoch(datetime.fromisoformat(e))) for b, e in clock.pauses
        ]
        used = table.elapsed_ts(begin, stop, table.normalize_pauses(begin, pauses))
        days[key].append(round(used / table.day_seconds_at(begin), 2))
    return {key: (len(values), late[key], mean(values)) for key, values in days.items()}


@pytest.mark.django_db
def test_the_months_of_the_demo_book_agree_with_each_order():
    call_command("demo", "--orders", str(TEMPLATES + 250), stdout=StringIO())
    from yekuo.orders.models import WorkOrder

    months = _months(WorkOrder.objects.filter(status="energized"))
    assert len(months) >= 6  # the copies spread over about a year
    for month in months:
        result = monthly(month)
        rows = {(r["branch"], r["category"]): r for r in result["rows"] if r["energized"]}
        mine = {
            key: (r["energized"], r["utility_days_mean"], r["customer_days_mean"], r["calendar_days_mean"], r["late"])
            for key, r in rows.items()
        }
        assert mine == _orders_oracle(month), month
        nodes = {
            (n["branch"], n["category"], n["node"]): (n["completed"], n["overdue"], n["working_days_mean"])
            for n in result["nodes"]
        }
        assert nodes == _nodes_oracle(month), month
