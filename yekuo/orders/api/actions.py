"""One endpoint per order service: POST /api/v1/orders/{number}/{action} (O3).

Each takes `occurred_at` (optional, ISO 8601 with offset), `reason` (for back-dated entries) and an
optional Idempotency-Key header, calls its service with source "api", and returns the order's detail.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.common.api import ErrorSerializer
from yekuo.common.errors import Conflict
from yekuo.common.parsers import JSONParser
from yekuo.orders import entry_review, idempotency, services, suspension_review
from yekuo.orders.events import CUSTOMER_EVENTS
from yekuo.orders.models import EventSource

from . import inputs
from .serializers import OrderDetailSerializer
from .views import ERRORS, IDEMPOTENCY_HEADER, detail_response, idempotency_key, order_for


class OrderActionView(APIView):
    """Base: validate the body, call `service`, answer with the order detail."""

    input_class: type[inputs.ActionSerializer] = inputs.ActionSerializer
    event_types: tuple[str, ...] = ()
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def call(self, order, values: dict, common: dict):
        raise NotImplementedError

    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        body = self.input_class(data=request.data, context={"request": request, "order": order})
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        key = idempotency_key(request)
        common = {
            "actor": request.user,
            "occurred_at": values.pop("occurred_at", None),
            "reason": values.pop("reason", ""),
            "source": EventSource.API,
            "idempotency_key": key,
            "request_hash": idempotency.request_hash(request) if key else "",
        }
        idempotency.check_same(idempotency.stored(key), common["request_hash"])
        try:
            row = self.call(order, values, common)
        except Conflict:
            # A simultaneous request with the same key recorded it first: this one is its repetition.
            row = idempotency.stored(key)
            if row is None:
                raise
        idempotency.check_same(row if key else None, common["request_hash"])
        if key and (row.order_id != order.pk or row.type not in self.event_types):  # a key stored without a hash
            raise Conflict("this Idempotency-Key was already used for another request", field="Idempotency-Key")
        return detail_response(order)


def action(name: str, input_class, event_types: tuple[str, ...], summary: str, multipart: bool = False):
    """Declare an action view whose `call` is the decorated function."""

    def decorate(call):
        request = {"application/json": input_class}
        if multipart:
            request["multipart/form-data"] = input_class

        def post(self, request: Request, number: str) -> Response:  # its own function, for its own schema
            return OrderActionView.post(self, request, number)

        schema = extend_schema(
            operation_id=f"orders_{name.replace('-', '_')}",
            request=request,
            parameters=[IDEMPOTENCY_HEADER],
            responses={
                200: OrderDetailSerializer,
                404: ErrorSerializer,
                409: ErrorSerializer,
                413: ErrorSerializer,
                422: ErrorSerializer,
                **ERRORS,
            },
            summary=summary,
            tags=["orders"],
        )
        ACTION_VIEWS[name] = type(
            f"{name.title().replace('-', '')}View",
            (OrderActionView,),
            {"input_class": input_class, "event_types": event_types, "call": staticmethod(call), "post": schema(post)},
        )
        return call

    return decorate


ACTION_VIEWS: dict[str, type[OrderActionView]] = {}


@action("receive", inputs.ActionSerializer, ("order.received",), "The order reaches the branch (order.received)")
def _receive(order, values, common):
    return services.order_receive(order, **common)


@action("edit", inputs.EditSerializer, ("order.edited",),
        "Correct the order's data under the rules of a new order (O8); only the fields given change")  # fmt: skip
def _edit(order, values, common):
    note = values.pop("note", "")
    return services.order_edit(order, changes=values, note=note, **common)


@action("assign", inputs.AssignSerializer, ("order.assigned",), "Assign a node to a person")
def _assign(order, values, common):
    return services.order_assign(order, node=values["node"], assignee=values["assignee"], **common)


@action("complete-node", inputs.CompleteNodeSerializer, ("node.completed",), "Complete a node (node.completed)")
def _complete(order, values, common):
    return services.node_complete(order, node=values["node"], note=values.get("note", ""), **common)


@action("decide-approval", inputs.DecideApprovalSerializer, ("approval.decided",), "Decide low risk (R6)")
def _decide(order, values, common):
    return services.approval_decide(order, low_risk=values["low_risk"], inputs=values.get("inputs"), **common)


@action(
    "customer-event",
    inputs.CustomerEventSerializer,
    CUSTOMER_EVENTS,
    "Record what the customer did (design submitted, inspection requested, works completed)",
)
def _customer(order, values, common):
    return services.customer_event(order, values["type"], **common)


@action(
    "suspend",
    inputs.SuspendSerializer,
    ("suspension.started",),
    "Suspend the clocks for a customer reason (I5); evidence as a note or a multipart file",
    multipart=True,
)
def _suspend(order, values, common):
    return services.order_suspend(
        order,
        reason_code=values["reason_code"],
        evidence_note=values.get("evidence_note", ""),
        evidence_file=values.get("evidence_file"),
        **common,
    )


@action("resume", inputs.ActionSerializer, ("suspension.ended",), "End the suspension; clocks run again")
def _resume(order, values, common):
    return services.order_resume(order, **common)


@action("cancel", inputs.CancelSerializer, ("order.cancelled",), "Cancel the order (stops every clock)")
def _cancel(order, values, common):
    return services.order_cancel(order, cancel_reason=values["cancel_reason"], **common)


@action("reopen", inputs.ReopenSerializer, ("order.reopened",), "Reopen a cancelled order")
def _reopen(order, values, common):
    return services.order_reopen(order, reopen_reason=values["reopen_reason"], **common)


@action("approve-suspension", inputs.ReviewSuspensionSerializer, ("suspension.approved",),
        "Approve a suspension awaiting review: it pauses the clocks from its start (I5)")  # fmt: skip
def _approve_suspension(order, values, common):
    return suspension_review.suspension_approve(
        order, position=values["suspension"], note=values.get("note", ""), **common
    )


@action("reject-suspension", inputs.ReviewSuspensionSerializer, ("suspension.rejected",),
        "Reject a suspension awaiting review, with a note: it never paused the clocks (I5)")  # fmt: skip
def _reject_suspension(order, values, common):
    return suspension_review.suspension_reject(
        order, position=values["suspension"], note=values.get("note", ""), **common
    )


@action("review-entry", inputs.ReviewEntrySerializer, ("entry.reviewed",),
        "Check a back-dated entry: confirmed, or disputed with a note (I5)")  # fmt: skip
def _review_entry(order, values, common):
    return entry_review.entry_review(
        order, seq=values["seq"], approved=values["approved"], note=values.get("note", ""), **common
    )
