"""The write path's reads and writes of one order, through the ORM, the same on SQLite and PostgreSQL.

An action (`services.apply_events`) reads the order with the two tokens that say whether the cached
regulation spec and work table are current, and its event log (two queries); it then writes, in one
transaction, the order's projected fields guarded by its event count, the new events, and the node, clock
and suspension rows that changed. The guard is optimistic concurrency: when another action came first, the
guarded UPDATE matches nothing, nothing is written and the action is folded again on the new log. Every
statement goes through Django, so query logging, `django_assert_num_queries` and an operator's database
instrumentation see all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from yekuo.orders.due import DUE_FIELDS
from yekuo.orders.models import Clock, NodeInstance, OrderCounter, OrderEvent, Suspension, WorkOrder
from yekuo.orders.projection import Event
from yekuo.regulations.models import Regulation
from yekuo.workcal.models import CalendarRevision

ORDER_FIELDS = ("status", "received_at", "closed_at", "low_risk", "event_count", *DUE_FIELDS)


@dataclass
class Read:
    order: WorkOrder  # with .branch and .branch.company loaded
    events: list[Event]
    regulation_checksum: str | None  # None: the order's regulation is not loaded
    calendar_token: str


def _calendar_token() -> Subquery:
    return Subquery(CalendarRevision.objects.filter(id=1).values("token")[:1])


def events_of(order_id: int) -> list[Event]:
    rows = (
        OrderEvent.objects.filter(order_id=order_id)
        .order_by("seq")
        .values_list("type", "occurred_at", "payload", "seq")
    )
    return [Event(t, at, payload, seq) for t, at, payload, seq in rows]


def read_order(pk: int) -> Read:
    """The order (with its branch and company), its log and the cache tokens. Raises WorkOrder.DoesNotExist.

    Nothing is locked: `write_changes` writes only if the order still has the events read here.
    """
    order = (
        WorkOrder.objects.select_related("branch__company")
        .annotate(
            regulation_checksum=Subquery(
                Regulation.objects.filter(code=OuterRef("regulation_code")).values("checksum")[:1]
            ),
            calendar_token=_calendar_token(),
        )
        .get(pk=pk)
    )
    return Read(order, events_of(pk), order.regulation_checksum, order.calendar_token or "")


def write_changes(
    order: WorkOrder, expected: int, events: list[OrderEvent], nodes: dict, clocks: dict, suspensions: dict
) -> bool:
    """Write an action's changes if the order still has `expected` events; False, with nothing written,
    when another action came first (the caller reads and folds again).

    Updates the order's projected fields first (the guarded UPDATE takes the order's row lock, so a
    concurrent action waits for this one and then matches nothing), then inserts `events` (their ids are
    set), updates the changed node and clock rows (values by code) and writes the changed suspensions
    (values by position). All in one transaction: an action is written whole or not at all.
    """
    with transaction.atomic():
        fields = {name: getattr(order, name) for name in ORDER_FIELDS}
        if not WorkOrder.objects.filter(pk=order.pk, event_count=expected).update(**fields):
            return False
        OrderEvent.objects.bulk_create(events)
        # One UPDATE per changed row (an action usually changes two nodes and two clocks): one UPDATE per
        # table with a CASE on the code (as bulk_update does) saved two round trips but cost four times
        # the Python to build (bench/RESULTS.md).
        for model, values_by_code in ((NodeInstance, nodes), (Clock, clocks)):
            for code, values in values_by_code.items():
                model.objects.filter(order=order, code=code).update(**values)
        for position, values in suspensions.items():
            # A new suspension has no evidence file yet: order_suspend saves it after the event.
            if not Suspension.objects.filter(order=order, position=position).update(**values):
                Suspension.objects.create(order=order, position=position, **values)
    return True


# ------------------------------------------------------------------------------------------ a new order
def creation_refs(on: date) -> tuple[str, str, str] | None:
    """(code, checksum) of the regulation in force on `on` (R14) and the calendar revision token, in one
    query; None when no regulation is in force (the caller asks the selector for the full error)."""
    row = (
        Regulation.objects.filter(effective_from__lte=on)
        .order_by("-effective_from")
        .annotate(calendar_token=_calendar_token())
        .values_list("code", "checksum", "calendar_token")
        .first()
    )
    return (row[0], row[1], row[2] or "") if row else None


def insert_order(order: WorkOrder, children: list[tuple[type, list]]) -> None:
    """Insert a new order, numbered YK + year + month + the month's next number (local time), with its
    rows (`children`: (model, unsaved objects), each object's order set here), in one transaction; sets
    order.pk and order.number.

    The number is taken first, in its own statement: the counter's row lock is then held for that statement
    only, not through the order's inserts, so concurrent creations do not queue behind each other (a
    creation that fails after it leaves a gap in the month's numbers). A concurrent use of the same
    idempotency key fails on the unique index, and nothing of the order is written.
    """
    period = timezone.localtime(order.created_at).strftime("%Y%m")
    order.number = f"YK{period}{next_number(period):04d}"
    with transaction.atomic():
        order.save(force_insert=True)
        for model, objs in children:
            for obj in objs:
                obj.order = order
            model.objects.bulk_create(objs)


def next_number(period: str) -> int:
    """The month's next order number, atomically: one upsert that returns the new value.

    The ORM has no update-and-return of a counter, so this is one statement through Django's cursor;
    `INSERT … ON CONFLICT … RETURNING` is the same on PostgreSQL and SQLite (3.35 and later).
    """
    counter = connection.ops.quote_name(OrderCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counter} (period, value) VALUES (%s, 1) "
            f"ON CONFLICT (period) DO UPDATE SET value = {counter}.value + 1 RETURNING value",
            [period],
        )
        return cursor.fetchone()[0]
