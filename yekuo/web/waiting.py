"""What an order or a node is waiting for, for the lists (O5): a suspended order says so and for how
long, in working days (I4, measured by the engine); a node whose clock does not run says what it awaits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.orders.models import Suspension
from yekuo.orders.services import table_for
from yekuo.web import labels
from yekuo.web.presenters import days


@dataclass(frozen=True)
class Suspended:
    suspension: Suspension
    reason: str
    days: str  # working days since it began
    pending: bool  # awaiting review: the clocks still run (I5)

    @property
    def text(self) -> str:
        text = _("暂停 %(days)s 工作日") % {"days": self.days}
        return text + " · " + _("待审核") if self.pending else text


def open_suspensions(order_ids, when: datetime | None = None) -> dict[int, Suspended]:
    """The suspension of each of these orders that was open at `when` (now by default), in one query: a list
    of a past instant (时限超期预警 of a day) shows the suspensions of that instant."""
    when = when or timezone.now()
    found = {}
    rows = (
        Suspension.objects.filter(order_id__in=list(order_ids), started_at__lte=when)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=when))
        .select_related("order__branch__company", "reason")
    )
    for s in rows:
        table = table_for(s.order)
        start = int(s.started_at.timestamp())
        used = table.elapsed_ts(start, max(start, int(when.timestamp())))
        found[s.order_id] = Suspended(
            s, labels.reason(s.reason), days(used, table.day_seconds_at(start)) or "0", s.review == "pending"
        )
    return found


def awaited(node, clock, spec, suspended: Suspended | None) -> str:
    """What a node whose clock does not run is waiting for: the customer (a suspension, or the customer's own
    step that starts the clock), or the nodes before it (D1)."""
    if suspended is not None and not suspended.pending:
        return _("等待客户：%(reason)s（%(text)s）") % {"reason": suspended.reason, "text": suspended.text}
    if clock is None:
        return _("本节点不计时")
    if clock.requested_at is None:
        rule = spec.clock(clock.code).start_for(node.order.channel)
        if rule.event.startswith("customer."):
            return _("等待客户：%(event)s") % {"event": labels.event(rule.event)}
        return _("等待：%(event)s") % {"event": labels.event(rule.event)}
    before = [labels.node(p, spec) for p in spec.node(clock.nodes[0]).predecessors]
    return _("等待前序节点完成：%(nodes)s") % {"nodes": labels.join(before)}
