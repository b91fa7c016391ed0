"""The dispatcher's queue over the API (R3): list, dispatch, return, reject; and moving an order to another
branch. Staff authentication (token or session) and scope as everywhere (`restrict`)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.permissions import require
from yekuo.accounts.scope import restrict
from yekuo.common.api import ErrorSerializer
from yekuo.common.errors import Forbidden
from yekuo.intake import selectors, services
from yekuo.orders.models import WorkOrder

ROW = OpenApiResponse(description="the application as the queue shows it (docs/platforms.md)")
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer}


class BranchField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Branch.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return restrict(Branch.objects.all(), request.user, "order.assign") if request else Branch.objects.none()


class AreaField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ServiceArea.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        areas = ServiceArea.objects.select_related("branch")
        return restrict(areas, request.user, "order.assign") if request else ServiceArea.objects.none()


class DispatchInput(serializers.Serializer):
    branch = BranchField(required=False, allow_null=True, help_text="branch code; default: the proposed branch")
    service_area = AreaField(
        required=False, allow_null=True,
        help_text="service area code within the branch (default: the one the address names, else the branch's first)",
    )  # fmt: skip


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class TransferInput(serializers.Serializer):
    branch = BranchField()
    reason = serializers.CharField(max_length=500)


class QueueView(APIView):
    @extend_schema(
        description="The applications waiting for review and dispatch, oldest first (R3).",
        responses={200: OpenApiResponse(description="{results: [application, …]}"), 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        require(request.user, "order.assign")
        if not selectors.works_queue(request.user):
            raise Forbidden("the dispatch queue is worked by the customer service center (company scope)")
        return Response({"results": [selectors.queue_row(a) for a in selectors.queue(request.user)]})


class _Decision(APIView):
    serializer = ReasonInput

    def post(self, request: Request, pk: int) -> Response:
        data = self.serializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        application = self.decide(pk, request.user, data.validated_data)
        return Response(selectors.queue_row(application))


class DispatchView(_Decision):
    serializer = DispatchInput

    @extend_schema(
        request=DispatchInput,
        responses={200: ROW, **ERRORS},
        description="Accept and dispatch to a branch (default: the proposed one).",
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def decide(self, pk, user, data):
        return services.application_dispatch(pk, actor=user, branch=data.get("branch"),
                                             service_area=data.get("service_area"))  # fmt: skip


class ReturnView(_Decision):
    @extend_schema(
        request=ReasonInput,
        responses={200: ROW, **ERRORS},
        description="Return the application to its platform with a reason.",
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def decide(self, pk, user, data):
        return services.application_return(pk, actor=user, reason=data["reason"])


class RejectView(_Decision):
    @extend_schema(
        request=ReasonInput, responses={200: ROW, **ERRORS}, description="Reject the application with a reason."
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def decide(self, pk, user, data):
        return services.application_reject(pk, actor=user, reason=data["reason"])


class TransferView(APIView):
    @extend_schema(
        request=TransferInput,
        responses={200: ROW, **ERRORS},
        description="Move an order to another branch with a reason (clocks run on).",
    )
    def post(self, request: Request, number: str) -> Response:
        data = TransferInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        order = get_object_or_404(restrict(WorkOrder.objects.all(), request.user, "order.view"), number=number)
        event = services.order_transfer(order, actor=request.user, **data.validated_data)
        return Response({"order": number, "seq": event.seq, "branch": data.validated_data["branch"].code})
