"""The orders of a period and their logs, read in chunks (O17, O18): what the what-if and the event-log
export go through, so that neither holds a big range in memory.

A period is a range of local dates (Asia/Shanghai, like every date in yekuo), both ends included; an order
belongs to it when it was applied for (`created_at`) within it. The orders are read in primary-key order,
`CHUNK` at a time, each chunk's events with one query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from yekuo.accounts.models import Branch
from yekuo.common.errors import InvalidInput, YekuoError
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.projection import Event
from yekuo.workcal.engine import SHANGHAI

CHUNK = 1000


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    branch: str | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware instants: 00:00 of the first day to 00:00 after the last, Asia/Shanghai."""
        start = datetime.combine(self.first, time(), SHANGHAI)
        return start, datetime.combine(self.last + timedelta(days=1), time(), SHANGHAI)

    def to_json(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "branch": self.branch}


def parse_period(first: str, last: str, branch: str | None = None) -> Period:
    """The period of `--from`/`--to` (dates like 2026-10-01) and `--branch` (a branch code, checked)."""
    days = []
    for name, text in (("from", first), ("to", last)):
        try:
            days.append(date.fromisoformat(str(text)))
        except ValueError:
            raise InvalidInput(f"--{name} {text!r} is not a date like 2026-10-01", field=name) from None
    if days[1] < days[0]:
        raise InvalidInput(f"--to {days[1]} is before --from {days[0]}", field="to")
    if branch is not None and not Branch.objects.filter(code=branch).exists():
        known = ", ".join(Branch.objects.order_by("code").values_list("code", flat=True).distinct())
        raise YekuoError(f"no branch {branch!r}; known: {known}", code="not_found", field="branch")
    return Period(days[0], days[1], branch)


def orders_of(period: Period):
    """The orders applied for in the period (of its branch), with their branch and company."""
    start, end = period.bounds
    orders = WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end)
    if period.branch:
        orders = orders.filter(branch__code=period.branch)
    return orders.select_related("branch__company").order_by("pk")


def chunks(period: Period, size: int = CHUNK) -> Iterator[list[WorkOrder]]:
    """The period's orders, `size` at a time, by primary key (keyset paging: each chunk one indexed query)."""
    orders, last = orders_of(period), 0
    while True:
        chunk = list(orders.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


@dataclass(frozen=True)
class Logged:
    """An event of the log with what the export reads besides what the fold takes."""

    event: Event
    actor_id: int | None
    source: str


def logs(orders: list[WorkOrder], until: datetime | None = None) -> dict[int, list[Logged]]:
    """Each order's events in sequence order (those that occurred by `until`, when given), one query."""
    out: dict[int, list[Logged]] = {o.pk: [] for o in orders}
    rows = OrderEvent.objects.filter(order_id__in=list(out))
    if until is not None:
        rows = rows.filter(occurred_at__lte=until)
    columns = ("order_id", "type", "occurred_at", "payload", "seq", "actor_id", "source")
    for order_id, kind, at, payload, seq, actor, source in rows.order_by("order_id", "seq").values_list(*columns):
        out[order_id].append(Logged(Event(kind, at, payload, seq), actor, source))
    return out
