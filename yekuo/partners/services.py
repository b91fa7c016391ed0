"""Writes of the partner services (R2, R4).

R2: `verification_ask` puts a question to a service without writing anything (called outside any transaction,
before the order is created, so a slow service holds no lock); `verification_record` stores its outcome on the
order in the order's transaction. A question the service could not answer waits and the worker asks again
(`verification_retry`), with the outbox's backoff, until it is answered: nothing is lost.

R4: `joint_choice_record` records the customer's answer to the offer of joint application as an order event
and, when taken, sends the application to each chosen unit through the outbox, in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.common.errors import InvalidInput
from yekuo.orders.events import JOINT_UNITS
from yekuo.orders.services import apply_event
from yekuo.orders.validation import uscc_ok
from yekuo.outbox.services import backoff, enqueue
from yekuo.outbox.transports import clean
from yekuo.partners import adapters
from yekuo.partners.models import Verification, VerificationKind, VerificationState

log = logging.getLogger(__name__)
# After this many tries a waiting question is marked failed (visible in admin, retried from there); with the
# outbox's backoff (at most an hour apart) that is about a day of trying.
MAX_ATTEMPTS = 30


@dataclass
class Outcome:
    kind: str
    subject: str
    state: str
    data: dict = field(default_factory=dict)
    source: str = ""
    error: str = ""
    fetched_at: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.state == VerificationState.VERIFIED

    @property
    def shown(self) -> list[tuple]:
        """(label, value) of the answer, as the pages show it."""
        from yekuo.partners.selectors import shown_fields

        return shown_fields(self.kind, self.data)


def check_subject(kind: str, subject: str) -> str:
    subject = (subject or "").strip().upper() if kind == VerificationKind.ELICENCE else (subject or "").strip()
    if kind == VerificationKind.ELICENCE:
        if not uscc_ok(subject):  # GB 32100-2015, with its check character: the orders' own data rule
            raise InvalidInput(_("统一社会信用代码有误（18位，含校验码）"), field="credit_code")
    elif kind == VerificationKind.IDENTITY:
        if not subject or len(subject) > 64:
            raise InvalidInput(_("核验编号不能为空且不超过64个字符"), field="identity_ref")
    else:
        raise InvalidInput(f"unknown verification kind {kind!r}", field="kind")
    return subject


def placeholder_name(credit_code: str) -> str:
    """The customer name an enterprise order carries while the e-licence service has not answered."""
    return f"{PLACEHOLDER_PREFIX}{credit_code}）"


PLACEHOLDER_PREFIX = "待核验企业（"


def _fill_placeholder(row: Verification, data: dict) -> None:
    """R2: once the licence arrives, the order's stand-in name becomes the name the service returned (only a
    stand-in: a name that came from anywhere else is left alone)."""
    from yekuo.orders.models import WorkOrder

    if row.kind != VerificationKind.ELICENCE or not data.get("company_name"):
        return
    # The order row itself may be new since the question was asked (a pushed application dispatched meanwhile).
    order_id = row.order_id or Verification.objects.filter(pk=row.pk).values_list("order_id", flat=True).first()
    if order_id:
        WorkOrder.objects.filter(pk=order_id, customer_name=placeholder_name(row.subject)).update(
            customer_name=data["company_name"][:100]
        )


def verification_ask(kind: str, subject: str) -> Outcome:
    """Ask the service now; never raises for the service's failure (the outcome is then `waiting`)."""
    subject = check_subject(kind, subject)
    try:
        answer = adapters.ADAPTERS[kind](subject)
    except adapters.NotFound as exc:
        return Outcome(kind, subject, VerificationState.NOT_FOUND, error=clean(str(exc)), fetched_at=timezone.now())
    except adapters.Unavailable as exc:  # the error is kept for people to read (no NUL: PostgreSQL)
        return Outcome(kind, subject, VerificationState.WAITING, error=clean(str(exc)))
    return Outcome(kind, subject, VerificationState.VERIFIED, answer.data, answer.source, fetched_at=timezone.now())


def verification_record(order, outcome: Outcome, *, actor=None) -> Verification:
    """Store an outcome on the order (call it in the order's transaction); a waiting one is handed to the
    worker after commit, and picked up by its sweep in any case."""
    waiting = outcome.state == VerificationState.WAITING
    # The same question may already be on the order: an online application passes through the platform
    # intake, which queues it too (R2). One row per question: the earlier one takes the answer, unless answered.
    row = Verification.objects.filter(order=order, kind=outcome.kind, subject=outcome.subject).first()
    if row is not None and row.state == VerificationState.VERIFIED:
        return row
    values = {
        "state": outcome.state, "data": outcome.data, "source": outcome.source, "fetched_at": outcome.fetched_at,
        "last_error": outcome.error, "next_attempt_at": timezone.now() + backoff(1) if waiting else None,
    }  # fmt: skip
    if row is not None:
        for field, value in values.items():
            setattr(row, field, value)
        row.attempts += 1
        row.save(update_fields=[*values, "attempts"])
        return row
    row = Verification.objects.create(order=order, kind=outcome.kind, subject=outcome.subject, attempts=1,
                                      requested_by=actor, **values)  # fmt: skip
    if waiting:
        transaction.on_commit(lambda: _schedule(row))
    return row


def verification_queue(kind: str, subject: str, *, order=None, application=None, actor=None) -> Verification | None:
    """A question for the worker to ask now, stored waiting (call it in the transaction that makes the order or
    the pushed application; the worker is told after commit, and its sweep finds the row in any case): how
    platform pushes are verified, so that a service down or slow never holds up the push. A malformed subject
    is not asked (None)."""
    try:
        subject = check_subject(kind, subject)
    except InvalidInput:
        return None
    row = Verification.objects.create(
        order=order, application=application, kind=kind, subject=subject, state=VerificationState.WAITING,
        attempts=0, next_attempt_at=timezone.now(), requested_by=actor,
    )  # fmt: skip
    transaction.on_commit(lambda: _schedule(row))
    return row


def _schedule(row: Verification) -> None:
    from yekuo.partners.tasks import verification_retry_task

    try:
        verification_retry_task.schedule((row.pk,), eta=row.next_attempt_at)
    except Exception:  # the row is committed: the sweep finds it
        log.exception("partners: could not queue verification %s; the sweep will", row.pk)


def verification_retry(pk: int, now: datetime | None = None) -> str | None:
    """Ask again for a waiting question whose time has come; returns its new state (None: not due)."""
    now = now or timezone.now()
    row = Verification.objects.filter(pk=pk, state=VerificationState.WAITING, next_attempt_at__lte=now).first()
    if row is None:
        return None
    # Claim it (a conditional UPDATE) so that two workers do not ask at once; the lease is the next try's time.
    lease = now + backoff(row.attempts + 1)
    if not Verification.objects.filter(pk=pk, next_attempt_at=row.next_attempt_at).update(next_attempt_at=lease):
        return None
    outcome = verification_ask(row.kind, row.subject)
    attempts = row.attempts + 1
    fields = {"attempts": attempts, "last_error": outcome.error}
    if outcome.state != VerificationState.WAITING:
        fields.update(state=outcome.state, data=outcome.data, source=outcome.source, fetched_at=outcome.fetched_at,
                      next_attempt_at=None)  # fmt: skip
    elif attempts >= MAX_ATTEMPTS:
        fields.update(state=VerificationState.FAILED, next_attempt_at=None)
    with transaction.atomic():
        Verification.objects.filter(pk=pk).update(**fields)
        if outcome.verified:
            _fill_placeholder(row, outcome.data)
    if "state" not in fields:  # still waiting: asked again at the lease's time (and by the sweep in any case)
        row.next_attempt_at = lease
        _schedule(row)
    return fields.get("state", VerificationState.WAITING)


def verification_due(now: datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(
        Verification.objects.filter(state=VerificationState.WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def verification_retry_due(now: datetime | None = None) -> dict[str, int]:
    """The sweep, in this process: every due waiting question is asked once."""
    counts: dict[str, int] = {}
    for pk in verification_due(now):
        state = verification_retry(pk, now)
        if state is not None:
            counts[state] = counts.get(state, 0) + 1
    return counts


def verification_reopen(pks) -> int:
    """An administrator's retry of failed questions: they wait again, asked at once."""
    now = timezone.now()
    return Verification.objects.filter(pk__in=list(pks), state=VerificationState.FAILED).update(
        state=VerificationState.WAITING, attempts=0, next_attempt_at=now
    )


# ------------------------------------------------------------------------------------------ R4 joint application
def joint_destination(unit: str) -> str:
    return f"utility_{unit}"


def joint_payload(order) -> dict:
    """The application as the units receive it: the order's data, the verified licence and identity records
    (with their source and time) and the documents on file."""
    from yekuo.partners.selectors import application_documents

    return {
        "order": order.number,
        "category": order.category,
        "channel": order.channel,
        "customer_name": order.customer_name,
        "site_address": order.site_address,
        "capacity_kva": str(order.capacity_kva),
        "voltage": order.voltage,
        "branch": order.branch.name,
        "received_at": order.received_at.isoformat() if order.received_at else None,
        "documents": application_documents(order),
    }


def joint_choice_record(order, *, actor, accepted: bool, units=(), **options):
    """R4 (notice §1 ¶3): record whether the customer takes the joint application (水电气暖讯联合报装) and, when
    taken, send it with its documents to each chosen unit through the platform, in the same transaction as
    the event (the outbox: nothing is sent if it rolls back, nothing lost once it commits)."""
    units = [u for u in JOINT_UNITS if u in set(units)] if accepted else []
    with transaction.atomic(durable=True):
        event = apply_event(order, "joint.offered", actor=actor, payload={"accepted": accepted, "units": units},
                            **options)  # fmt: skip
        if accepted and not getattr(event, "repeated", False):
            event.order.refresh_from_db()
            enqueue(
                [joint_destination(u) for u in units],
                "joint.application",
                joint_payload(event.order),
                key=f"joint:{event.order.number}:{event.seq}",
                order=event.order,
            )
    return event
