"""The fees an order's customer paid (R12, cost to the customer; docs/indicators.md), by API.

    GET  /api/v1/orders/{number}/fees    the order's fees and their total (yuan)
    POST /api/v1/orders/{number}/fees    record one: {item, amount, charged_at, note} → 201 with the list

Recording needs `order.edit` within scope (`services.fee_record`); reading, `order.view`. Every refusal is
JSON with a stable `code` (invalid_input, forbidden, not_found) and a message.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.common.api import ErrorSerializer
from yekuo.orders.api.views import ERRORS, order_for
from yekuo.reports.models import CustomerFee, FeeItem
from yekuo.reports.services import fee_record


class FeeSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=FeeItem.values)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="yuan; negative corrects")
    charged_at = serializers.DateTimeField(help_text="ISO 8601 with its offset")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


def fees_of(order) -> dict:
    fees = list(CustomerFee.objects.filter(order=order).select_related("recorded_by").order_by("charged_at", "pk"))
    return {
        "order": order.number,
        "total_yuan": str(sum((f.amount for f in fees), Decimal("0.00"))),
        "fees": [
            {
                "id": f.pk,
                "item": f.item,
                "item_name": str(FeeItem(f.item).label),
                "amount": str(f.amount),
                "charged_at": f.charged_at.isoformat(),
                "note": f.note,
                "recorded_by": f.recorded_by.username if f.recorded_by else None,
                "recorded_at": f.recorded_at.isoformat(),
            }
            for f in fees
        ],
    }


class FeesView(APIView):
    @extend_schema(
        operation_id="fees_list", responses={200: dict, **ERRORS, 404: ErrorSerializer}, tags=["fees"],
        summary="The fees the order's customer paid",
    )  # fmt: skip
    def get(self, request: Request, number: str) -> Response:
        return Response(fees_of(order_for(request.user, number)))

    @extend_schema(
        operation_id="fees_record", request=FeeSerializer, responses={201: dict, **ERRORS, 404: ErrorSerializer},
        tags=["fees"], summary="Record a fee the customer paid (never changed: a correction is a negative fee)",
    )  # fmt: skip
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        body = FeeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fee_record(order, actor=request.user, **body.validated_data)
        return Response(fees_of(order), status=status.HTTP_201_CREATED)


urlpatterns = [path("orders/<str:number>/fees", FeesView.as_view(), name="api-order-fees")]
