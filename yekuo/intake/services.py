"""Platform pushes and the dispatch queue (notice §1; R1, R3): the writes.

- `push_receive`: a signed, valid push becomes a work order (except a reserve project) and an `Application`
  row with its first answer; idempotent by the platform's application id: a repeat, also one arriving at
  the same instant on another web worker, gets the first answer and makes no second order (the unique key
  of the order's creation event and the unique (platform, application id) index decide; a loser reads the
  winner's committed rows).
- `application_dispatch`: the dispatcher accepts an application and dispatches it to a branch (the proposed
  one or another): `order.received` at that branch, which starts the acceptance clock (Attachment 1:
  电子渠道从营销业务系统收到业扩派单开始计算), and an `application.accepted` callback to the platform.
- `application_return` / `application_reject`: the application goes back to the platform (for correction)
  or is refused, with a reason; its order closes before any clock started; the platform is told.
- `order_transfer`: an order moves to another branch with a reason (`order.transferred`); clocks run on.

Callbacks leave through the outbox, in the same transaction as the change (`intake.callbacks`).
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yekuo.accounts.models import Branch
from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope, restrict
from yekuo.common.errors import Conflict, Forbidden, InvalidInput
from yekuo.intake import callbacks, documents
from yekuo.intake.models import Application, ApplicationState, Platform, Route
from yekuo.intake.payload import renamed
from yekuo.intake.routing import area_in_branch, proposed_area, route_of
from yekuo.intake.selectors import works_queue
from yekuo.orders import services as orders
from yekuo.orders.idempotency import IdempotencyMismatch, check_same
from yekuo.orders.idempotency import stored as stored_event
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.store import insert_rows
from yekuo.orders.validation import FieldErrors, clean_text, uscc_ok, validate_order
from yekuo.partners.models import Verification, VerificationKind, VerificationState
from yekuo.partners.services import placeholder_name, verification_queue


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# ------------------------------------------------------------------------------------------ pushes
def push_known(platform: Platform, external_id) -> tuple[str, dict] | None:
    """(the first push's digest, its answer) when the platform pushed `external_id` before; else None.

    Read before the body is checked, so that a repeat (a third of a busy platform's pushes) costs one indexed
    read, not the serializer's and the order's work: its answer is the stored first one either way. Only the
    same body gets it (the caller compares the digests); another body goes the full way, which refuses it
    as `push_receive` always did (its own field errors first, else `idempotency_mismatch`)."""
    if not isinstance(external_id, str):
        return None
    # One statement on the unique (platform, application id) index, written out: every push pays for it.
    with connection.cursor() as cursor:
        cursor.execute(_known_sql(connection.vendor), [platform.pk, external_id])
        row = cursor.fetchone()
    return (row[0], json.loads(row[1])) if row else None  # a plain cursor gives JSON as text on both databases


@lru_cache
def _known_sql(vendor: str) -> str:
    def name(field=None):
        meta = Application._meta
        return connection.ops.quote_name(meta.db_table if field is None else meta.get_field(field).column)

    return (
        f"SELECT {name('request_sha256')}, {name('response')} FROM {name()} "
        f"WHERE {name('platform')} = %s AND {name('external_id')} = %s"
    )


def push_receive(
    platform: Platform, data: dict, request_sha256: str, *, unknown: bool = False
) -> tuple[Application, bool]:
    """(the application, whether this push created it). `data` is the validated body; `request_sha256`
    its canonical digest: the same application id with another body is `idempotency_mismatch`. `unknown`:
    the caller has just found no application of this id (`push_known`), so the first read is skipped; a copy
    written since is caught all the same, by the unique keys below."""
    external_id = data["application_id"]
    for attempt in range(3):
        found = (
            None
            if unknown and attempt == 0
            else Application.objects.filter(platform=platform, external_id=external_id).first()
        )
        if found is not None:
            return _repeat(found, request_sha256), False
        try:
            return _create(platform, data, request_sha256), True
        except IntegrityError:
            # A simultaneous copy wrote first (PostgreSQL made this insert wait for it): read its result.
            continue
    raise Conflict("this application is being written by a simultaneous push; repeat the request")


def _repeat(application: Application, request_sha256: str) -> Application:
    if application.request_sha256 != request_sha256:
        raise IdempotencyMismatch(
            f"application {application.external_id} was already pushed with a different content; "
            "a new or corrected application needs a new application_id",
            field="application_id",
        )
    return application


def _create(platform: Platform, data: dict, request_sha256: str) -> Application:
    """The order (its own transaction, as `order_create` writes it), then the application row with the first
    answer (and, on route `branch`, the accepted callback) in a second one.

    Two transactions, not one around both: `order_create` takes the month's order number in a statement of
    its own so that the counter's row lock is held only for that statement; inside an outer transaction it
    would be held to its commit and every push would wait for the one before (bench/RESULTS.md). Nothing is
    lost between the two: the order's creation event carries the key `platform:<code>:<application id>`,
    so a retry (or a simultaneous copy) gets that order back from `order_create` and writes the missing
    application row; the row's unique index lets exactly one of them do so.
    """
    now = timezone.now()
    route = route_of(platform)
    application = Application(
        platform=platform, external_id=data["application_id"], request_sha256=request_sha256,
        company=platform.company, route=route, payload=_jsonable(data),
        documents=[dict(d) for d in data.get("documents", [])], submitted_at=data["submitted_at"], received_at=now,
        state=ApplicationState.RESERVE if route == Route.RESERVE else ApplicationState.QUEUED,
    )  # fmt: skip
    if route != Route.RESERVE:
        area = proposed_area(platform.company, data["site"]["address"], data["site"].get("area_code", ""))
        if area is None:
            # R3: no service area to propose (an address without a known place name, or an unknown area code):
            # the application still lands in the queue, with no branch proposed and no order yet; the
            # dispatcher picks the branch and the order is made then (`application_dispatch`). Its data is
            # checked now all the same, as the order's would be.
            application.route = Route.QUEUE
            _check_order_data(platform, data)
        else:
            order = _order_for(platform, data, request_sha256, now, area=area, receive=route == Route.BRANCH)
            if getattr(order, "repeated", False):
                application.received_at = order.created_at  # made by an earlier copy of this push
            application.order, application.proposed_branch = order, order.branch
            if route == Route.BRANCH:
                application.state, application.decided_at = ApplicationState.DISPATCHED, order.received_at
    with transaction.atomic(durable=True):
        application.response = answer(application)
        with connection.cursor() as cursor:  # as save(force_insert=True) does, without building the query each time
            insert_rows(cursor, [application])
        # R2 and the documents: recorded with the application, fetched by the worker after commit (a service
        # or a platform that is down or slow never holds up the push; nothing is lost).
        if route != Route.RESERVE:
            _ask_services(application)
        documents.documents_record(application)
        if application.state == ApplicationState.DISPATCHED:
            callbacks.application_decided(application)
        if route == Route.RESERVE:
            # R5: the project enters the reserve library (or a known project code is updated) with the push's row,
            # so a repeat of the push, answered from that row, adds nothing.
            from yekuo.reserve.services import project_from_push

            project = project_from_push(application, data)
            application.response = {**application.response, "project": project.number}
            application.save(update_fields=["response"])
    return application


def _order_values(platform: Platform, data: dict) -> dict:
    customer, site = data["customer"], data["site"]
    id_number = customer.get("id_number", "")
    name = customer.get("name", "") or (placeholder_name(id_number.upper()) if uscc_ok(id_number.upper()) else "")
    return dict(
        category=data["category"], channel=platform.channel, customer_name=name, customer_id_number=id_number,
        customer_phone=customer.get("phone", ""), customer_notice=customer.get("notice", ""),
        site_address=site["address"], capacity_kva=data["capacity_kva"], voltage=data["voltage"],
    )  # fmt: skip


def _order_for(platform, data, request_sha256, at, *, area=None, branch=None, receive=False, name=None):
    """The application's order, created by the platform's account at `at` (O8: its data rules, reported under
    the push's field names). Keyed `platform:<code>:<application id>`: a retry gets the same order back."""
    key = f"platform:{platform.code}:{data['application_id']}"
    values = _order_values(platform, data)
    if name:
        values["customer_name"] = name
    try:
        order = orders.order_create(
            actor=platform.account, relayed=True, source=EventSource.PLATFORM, occurred_at=at, service_area=area,
            branch=branch, receive=receive, idempotency_key=key, request_hash=request_sha256, **values,
        )  # fmt: skip
    except FieldErrors as error:
        raise renamed(error) from None
    if getattr(order, "repeated", False):
        # Made by an earlier copy whose application row is not (yet) written: the same body's order only.
        check_same(stored_event(key), request_sha256, field="application_id")
    return order


def _check_order_data(platform: Platform, data: dict) -> None:
    """The order's data rules (O8) for an application whose branch is not known yet: every error but the
    missing service area, which the dispatcher supplies by choosing the branch."""
    try:
        values = {k: v for k, v in _order_values(platform, data).items() if k != "channel"}
        validate_order(**values, company=platform.company)
    except FieldErrors as error:
        rest = {field: messages for field, messages in error.errors.items() if field != "service_area"}
        if rest:
            raise renamed(FieldErrors(rest)) from None


def _ask_services(application: Application) -> None:
    """R2: an application that carries a unified social credit code gets the e-licence, one that carries the
    platform's identity-verification reference gets its result; both asked by the worker after commit."""
    customer = application.payload.get("customer", {})
    code = (customer.get("id_number") or "").strip().upper()
    if uscc_ok(code):
        verification_queue(VerificationKind.ELICENCE, code, order=application.order, application=application)
    if customer.get("identity_ref"):
        verification_queue(VerificationKind.IDENTITY, customer["identity_ref"], order=application.order,
                           application=application)  # fmt: skip


def answer(application: Application) -> dict:
    """What the platform is told when it pushes (and again on every repeat)."""
    order = application.order
    return {
        "application_id": application.external_id,
        "platform": application.platform.code,
        "state": application.state,
        "route": application.route,
        "order": order.number if order else None,
        "branch": order.branch.code if order and application.state == ApplicationState.DISPATCHED else None,
        "received_at": _iso(application.received_at),
    }


def _jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = _jsonable(value)
        elif isinstance(value, list):
            out[key] = [_jsonable(v) if isinstance(v, dict) else v for v in value]
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif value.__class__.__name__ == "Decimal":
            out[key] = str(value)
        else:
            out[key] = value
    return out


# ------------------------------------------------------------------------------------------ the queue
def _queued(actor, pk: int) -> Application:
    """The application, locked, if the actor may dispatch it and it still waits."""
    require(actor, "order.assign")
    if not works_queue(actor):
        raise Forbidden("the dispatch queue is worked by the customer service center (company scope)")
    application = (
        restrict(Application.objects.select_for_update(of=("self",)), actor, "order.assign")
        .select_related("order__branch", "platform")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Forbidden("no such application in your queue")
    if application.state != ApplicationState.QUEUED:
        raise Conflict(f"application {application.external_id} is already {application.get_state_display()}")
    return application


def _reason(text: str, field: str) -> str:
    text = clean_text(text, field=field, multiline=True)
    if not text:
        raise InvalidInput("a reason is required", field=field)
    return text


def application_dispatch(application: Application | int, *, actor, branch: Branch | None = None,
                         service_area=None) -> Application:  # fmt: skip
    """Accept the application and dispatch it to `branch` (default: the proposed one, or `service_area`'s
    branch); R3, Attachment 1. `service_area`: the area within it, where the address names none of its areas."""
    pk = getattr(application, "pk", application)
    if service_area is not None:
        if branch is not None and service_area.branch_id != branch.pk:
            raise InvalidInput(f"service area {service_area.code} is not {branch}'s", field="service_area")
        branch = service_area.branch
    with transaction.atomic(durable=True):
        application = _queued(actor, pk)
        target = branch or application.proposed_branch
        if target is None:
            raise InvalidInput("no branch is proposed for this application: choose the branch", field="branch")
        if not in_scope(actor, target) or target.company_id != application.company_id:
            raise Forbidden(f"{actor} may not dispatch to {target}")
        # Decided first, so that the receipt below is the dispatch's (a queued order is received by dispatch
        # only: `receipt_check`).
        application.state, application.decided_at, application.decided_by = (
            ApplicationState.DISPATCHED, timezone.now(), actor)  # fmt: skip
        application.save(update_fields=["state", "decided_at", "decided_by"])
        order = application.order
        if order is None:  # no service area was proposed: the order is made now, at the branch chosen
            order = _order_unproposed(application, target, service_area)
        elif order.received_at is not None:
            raise Conflict(f"order {order.number} was already received by {order.branch}; it cannot be dispatched")
        proposed = application.proposed_branch
        area = service_area or (area_in_branch(target, order.site_address) if target.pk != order.branch_id else None)
        if target.pk != order.branch_id or (area is not None and area.pk != order.service_area_id):
            WorkOrder.objects.filter(pk=order.pk).update(branch=target, service_area=area)
            order.branch, order.service_area = target, area
        payload = {"branch": target.code, "proposed_branch": proposed.code if proposed else None,
                   "application": application.external_id}  # fmt: skip
        orders.order_receive(order, actor=actor, payload=payload, source=EventSource.WEB)
        callbacks.application_decided(application)
    return application


def _order_unproposed(application: Application, branch: Branch, area=None) -> WorkOrder:
    """The order of an application no service area was proposed for, made at dispatch in `branch` (in `area`
    when the dispatcher chose one, else the one the address names within it, its only one, or its first), by
    the platform's account; the customer name the e-licence service returned meanwhile replaces a stand-in;
    the questions asked about the application are the order's from now on."""
    from yekuo.accounts.models import ServiceArea

    data, platform = application.payload, application.platform
    area = area or area_in_branch(branch, data["site"]["address"])
    if area is None:  # the address names no place of the branch: its first area, as the dispatcher chose it
        area = ServiceArea.objects.filter(branch=branch).order_by("code").first()
    if area is None:
        raise InvalidInput(f"{branch} has no service area", field="branch")
    licence = Verification.objects.filter(
        application=application, kind=VerificationKind.ELICENCE, state=VerificationState.VERIFIED
    ).first()
    name = licence.data.get("company_name", "")[:100] if licence and not data["customer"].get("name") else None
    order = _order_for(platform, data, application.request_sha256, timezone.now(), area=area, name=name)
    application.order = order
    application.save(update_fields=["order"])
    Verification.objects.filter(application=application, order__isnull=True).update(order=order)
    return order


def _decline(application, actor, reason: str, state: str, event_type: str) -> Application:
    pk = getattr(application, "pk", application)
    field = "return_reason" if state == ApplicationState.RETURNED else "reject_reason"
    reason = _reason(reason, field)
    with transaction.atomic(durable=True):
        application = _queued(actor, pk)
        if application.order is not None:  # none yet when no branch was proposed: nothing to close
            orders.apply_event(application.order, event_type, actor=actor, payload={"reason": reason},
                               source=EventSource.WEB)  # fmt: skip
        application.state, application.decided_at, application.decided_by, application.reason = (
            state, timezone.now(), actor, reason)  # fmt: skip
        application.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        callbacks.application_decided(application)
    return application


def application_return(application: Application | int, *, actor, reason: str) -> Application:
    """Return the application to its platform for correction (R3: 退回), with the reason the platform shows."""
    return _decline(application, actor, reason, ApplicationState.RETURNED, "order.returned")


def application_reject(application: Application | int, *, actor, reason: str) -> Application:
    """Refuse the application (R3: 驳回), e.g. outside the company's area or a duplicate of another."""
    return _decline(application, actor, reason, ApplicationState.REJECTED, "order.rejected")


def order_transfer(order: WorkOrder | int, *, actor, branch: Branch, reason: str):
    """Move an order to another branch (R3) with a reason: an `order.transferred` event; nodes, clocks and
    their deadlines stay as they are (the clocks keep running)."""
    reason = _reason(reason, "transfer_reason")
    pk = getattr(order, "pk", order)
    require(actor, "order.assign")
    with transaction.atomic(durable=True):
        order = restrict(WorkOrder.objects.select_related("branch"), actor, "order.assign").filter(pk=pk).first()
        if order is None:
            raise Forbidden("no such order in your scope")
        if not in_scope(actor, branch) or branch.company_id != order.branch.company_id:
            raise Forbidden(f"{actor} may not move orders to {branch}")
        if branch.pk == order.branch_id:
            raise InvalidInput("the order is already at this branch", field="branch")
        payload = {"from": order.branch.code, "to": branch.code, "reason": reason}
        event = orders.apply_event(order, "order.transferred", actor=actor, payload=payload, source=EventSource.WEB)
        area = area_in_branch(branch, order.site_address)
        WorkOrder.objects.filter(pk=order.pk).update(branch=branch, service_area=area)
    return event
