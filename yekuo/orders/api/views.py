"""Orders API: list, detail and create (O3). Reads go through the selectors (scope by `restrict`),
writes through the services; the views only translate HTTP."""

from __future__ import annotations

from django.db import IntegrityError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.accounts.permissions import require
from yekuo.common.api import ErrorSerializer, NotFound
from yekuo.common.errors import Conflict, InvalidInput
from yekuo.orders import idempotency, services
from yekuo.orders.ingest import resolve_place
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.personal_data import reveal_all
from yekuo.orders.selectors import ORDER_NUMBER, filter_orders, orders_for, pages_of, sort_orders

from .inputs import OrderCreateSerializer, OrderFilterSerializer
from .serializers import OrderDetailSerializer, OrderListSerializer

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "repeat a request safely: the same key (per user) records the change once (≤ 64 characters); "
        "the same key with a different request is 422 idempotency_mismatch"
    ),
)


def idempotency_key(request: Request) -> str | None:
    """The Idempotency-Key header, namespaced per user so that two users' keys never collide."""
    value = request.headers.get("Idempotency-Key", "").strip()
    if not value:
        return None
    if len(value) > 64 or not value.isprintable():
        raise InvalidInput("Idempotency-Key must be at most 64 printable characters", field="Idempotency-Key")
    return f"api:{request.user.pk}:{value}"


def order_for(user, number: str) -> WorkOrder:
    """The order with this number in the user's scope; 403 without order.view, 404 when not in scope."""
    require(user, "order.view")
    if not ORDER_NUMBER.fullmatch(number):  # never sent to the database: PostgreSQL refuses NUL bytes
        raise NotFound(f"no order {number!r} in your scope", field="number")
    order = orders_for(user).select_related("branch__company").filter(number=number).first()
    if order is None:
        raise NotFound(f"no order {number} in your scope", field="number")
    return order


def detail_response(order: WorkOrder, status_code: int = status.HTTP_200_OK, revealed: bool = False) -> Response:
    """The order's detail; its phone and ID number masked unless `revealed` (REQUIREMENTS O9)."""
    order = WorkOrder.objects.select_related("branch__company", "service_area").get(pk=order.pk)
    return Response(OrderDetailSerializer(order, context={"revealed": revealed}).data, status=status_code)


class OrderListView(generics.GenericAPIView):
    serializer_class = OrderListSerializer

    def get_queryset(self):
        return orders_for(self.request.user)

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderFilterSerializer],
        responses={200: OrderListSerializer(many=True), **ERRORS},
        summary="List orders in your scope",
    )
    def get(self, request: Request) -> Response:
        require(request.user, "order.view")
        params = OrderFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        queryset = filter_orders(self.get_queryset(), params.validated_data)
        queryset = sort_orders(queryset, params.validated_data.get("sort", ""))
        page = self.paginate_queryset(pages_of(queryset, params.validated_data))  # the page found by its keys (P4)
        return self.get_paginated_response(OrderListSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: OrderDetailSerializer, 413: ErrorSerializer, 422: ErrorSerializer, **ERRORS},
        summary="Create an order (a counter order is received at once)",
    )
    def post(self, request: Request) -> Response:
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key = idempotency_key(request)
        digest = idempotency.request_hash(request) if key else ""
        idempotency.check_same(idempotency.stored(key), digest)
        branch, area = resolve_place(
            request.user.company, values.pop("branch", ""), values.pop("service_area", ""), values["site_address"]
        )
        try:
            order = services.order_create(
                actor=request.user,
                branch=branch,
                service_area=area,
                source=EventSource.API,
                idempotency_key=key,
                request_hash=digest,
                **values,
            )
        except (IntegrityError, Conflict):
            # A simultaneous create with the same key stored it first: this request is its repetition.
            if idempotency.stored(key) is None:
                raise
        if key:
            found = idempotency.stored(key)
            idempotency.check_same(found, digest)
            order = found.order
        return detail_response(order, status.HTTP_201_CREATED)


class OrderListNoSlashView(OrderListView):
    """The same endpoint without the trailing slash (a POST must not be redirected; not in the schema)."""

    schema = None


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        responses={200: OrderDetailSerializer, 404: ErrorSerializer, **ERRORS},
        summary="An order with nodes, clocks, suspensions and events",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        # As on the order page: in full to who may reveal them, and every such read is recorded (O9).
        return detail_response(order, revealed=reveal_all(order, actor=request.user))
