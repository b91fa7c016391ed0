"""The works of an order by API (R6, R7; docs/approvals.md): read their state, record the facts and the
decision, the filing, the approval and its answers, the route consultations and their conflicts.

    GET  /api/v1/orders/{number}/works                          decision, filing, approval, consultations, open
    POST /api/v1/orders/{number}/works                          facts → classification → decision (approval.decided)
    POST /api/v1/orders/{number}/works/filing                   record the filing (low-risk)
    GET  /api/v1/orders/{number}/works/letter.pdf               the commitment letter
    POST /api/v1/orders/{number}/works/approval                 submit the approval to the authorities
    POST /api/v1/orders/{number}/works/approval/answers         one authority's answer
    POST /api/v1/orders/{number}/works/consultations            ask a pipeline owner
    POST /api/v1/orders/{number}/works/consultations/{id}/answer  its answer and the conflicts found
    POST /api/v1/orders/{number}/works/conflicts/{id}/resolve   how a conflict was resolved

Every refusal is JSON with a stable `code` (invalid_input, forbidden, not_found, conflict, workflow,
gate_closed, no_rule_set) and a message; the answer to a write is the works' state.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.approvals import approval, consultation, filing, letter, works
from yekuo.approvals.facts import read_facts
from yekuo.approvals.models import AuthorityAnswer, Consultation, RouteConflict
from yekuo.approvals.view_model import works_state
from yekuo.common.api import ErrorSerializer, NotFound
from yekuo.common.errors import InvalidInput
from yekuo.orders.api.inputs import ActionSerializer
from yekuo.orders.api.views import ERRORS, order_for
from yekuo.orders.models import EventSource

WRITE_ERRORS = {**ERRORS, 404: ErrorSerializer, 409: ErrorSerializer}


class DecideSerializer(ActionSerializer):
    facts = serializers.DictField(
        help_text="voltage_kv, excavation_m, obstacles, single_function, simple_technique, "
        "touches_important_street, optionally route (docs/approvals.md)"
    )
    design_unit = serializers.CharField(required=False, allow_blank=True, max_length=200)
    route_description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_low_risk = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="a manager's decision against the classification"
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class SubmitSerializer(ActionSerializer):
    authorities = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1)


class AnswerSerializer(ActionSerializer):
    authority = serializers.CharField(max_length=100)
    verdict = serializers.ChoiceField(choices=[v for v, _ in AuthorityAnswer.VERDICTS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    suspend = serializers.BooleanField(
        required=False, default=False, help_text="documents_missing: suspend the clocks (I5, reason documents_missing)"
    )


class ConsultSerializer(ActionSerializer):
    owner_kind = serializers.ChoiceField(choices=[k for k, _ in Consultation.OWNER_KINDS])
    owner_name = serializers.CharField(max_length=200)
    request = serializers.CharField(max_length=4000)


class ConsultAnswerSerializer(ActionSerializer):
    answer = serializers.CharField(max_length=4000)
    conflicts = serializers.ListField(child=serializers.CharField(max_length=2000), required=False, default=list)


class ResolveSerializer(ActionSerializer):
    resolution = serializers.CharField(max_length=4000)


def _body(serializer_class, request):
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _common(values: dict) -> dict:
    return {"occurred_at": values.pop("occurred_at", None)}


class WorksView(APIView):
    @extend_schema(
        operation_id="works_get",
        responses={200: dict, **ERRORS, 404: ErrorSerializer},
        summary="The works of an order: decision, filing, approval, consultations, what is open",
        tags=["works"],
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(works_state(order_for(request.user, number)))

    @extend_schema(
        operation_id="works_decide",
        request=DecideSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="Record the facts of the works; yekuo classifies them (R6) and decides",
        tags=["works"],
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        values = _body(DecideSerializer, request)
        if "on" in values["facts"]:
            raise InvalidInput("on: the decision's date is occurred_at", field="on")
        facts, _on = read_facts(values["facts"])
        works.works_decide(
            order,
            actor=request.user,
            facts=facts,
            design_unit=values.get("design_unit", ""),
            route_description=values.get("route_description", ""),
            override_low_risk=values["override_low_risk"],
            override_reason=values.get("override_reason", ""),
            occurred_at=values.get("occurred_at"),
            source=EventSource.API,
            reason=values.get("reason", ""),
        )
        return Response(works_state(order))


class FilingView(APIView):
    @extend_schema(
        operation_id="works_file",
        request=ActionSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="Record the notification-and-commitment filing (low-risk works)",
        tags=["works"],
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        values = _body(ActionSerializer, request)
        filing.filing_record(
            order,
            actor=request.user,
            occurred_at=values.get("occurred_at"),
            source=EventSource.API,
            reason=values.get("reason", ""),
        )
        return Response(works_state(order))


class LetterView(APIView):
    @extend_schema(
        operation_id="works_letter",
        responses={(200, "application/pdf"): OpenApiResponse(description="PDF"), **ERRORS, 404: ErrorSerializer},
        summary="The commitment letter as a PDF",
        tags=["works"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        order = order_for(request.user, number)
        response = HttpResponse(letter.letter_pdf(order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="commitment-{order.number}.pdf"'
        return response


class ApprovalView(APIView):
    @extend_schema(
        operation_id="works_submit",
        request=SubmitSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="Submit the approval to the authorities (works that are not low-risk)",
        tags=["works"],
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        values = _body(SubmitSerializer, request)
        approval.approval_submit(
            order,
            actor=request.user,
            authorities=values["authorities"],
            occurred_at=values.get("occurred_at"),
            source=EventSource.API,
        )
        return Response(works_state(order))


class AnswerView(APIView):
    @extend_schema(
        operation_id="works_answer",
        request=AnswerSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="Record one authority's answer; the last approval completes the approval node",
        tags=["works"],
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        values = _body(AnswerSerializer, request)
        approval.approval_answer(
            order,
            actor=request.user,
            authority=values["authority"],
            verdict=values["verdict"],
            note=values.get("note", ""),
            suspend=values["suspend"],
            occurred_at=values.get("occurred_at"),
            source=EventSource.API,
            reason=values.get("reason", ""),
        )
        return Response(works_state(order))


class ConsultView(APIView):
    @extend_schema(
        operation_id="works_consult",
        request=ConsultSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="Ask a pipeline owner along the route (R7)",
        tags=["works"],
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for(request.user, number)
        values = _body(ConsultSerializer, request)
        consultation.consultation_request(
            order,
            actor=request.user,
            owner_kind=values["owner_kind"],
            owner_name=values["owner_name"],
            request=values["request"],
            occurred_at=values.get("occurred_at"),
        )
        return Response(works_state(order))


class ConsultAnswerView(APIView):
    @extend_schema(
        operation_id="works_consult_answer",
        request=ConsultAnswerSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="A pipeline owner's answer and the conflicts found",
        tags=["works"],
    )
    def post(self, request: Request, number: str, pk: int) -> Response:
        order = order_for(request.user, number)
        found = Consultation.objects.filter(order=order, pk=pk).first()
        if found is None:
            raise NotFound(f"no consultation {pk} on order {number}", field="id")
        values = _body(ConsultAnswerSerializer, request)
        consultation.consultation_answer(
            found,
            actor=request.user,
            answer=values["answer"],
            conflicts=values["conflicts"],
            occurred_at=values.get("occurred_at"),
        )
        return Response(works_state(order))


class ResolveView(APIView):
    @extend_schema(
        operation_id="works_resolve",
        request=ResolveSerializer,
        responses={200: dict, **WRITE_ERRORS},
        summary="How a conflict on the route was resolved",
        tags=["works"],
    )
    def post(self, request: Request, number: str, pk: int) -> Response:
        order = order_for(request.user, number)
        found = RouteConflict.objects.filter(consultation__order=order, pk=pk).select_related("consultation").first()
        if found is None:
            raise NotFound(f"no conflict {pk} on order {number}", field="id")
        values = _body(ResolveSerializer, request)
        consultation.conflict_resolve(
            found, actor=request.user, resolution=values["resolution"], occurred_at=values.get("occurred_at")
        )
        return Response(works_state(order))


urlpatterns = [
    path("orders/<str:number>/works", WorksView.as_view(), name="api-works"),
    path("orders/<str:number>/works/filing", FilingView.as_view(), name="api-works-filing"),
    path("orders/<str:number>/works/letter.pdf", LetterView.as_view(), name="api-works-letter"),
    path("orders/<str:number>/works/approval", ApprovalView.as_view(), name="api-works-approval"),
    path("orders/<str:number>/works/approval/answers", AnswerView.as_view(), name="api-works-answers"),
    path("orders/<str:number>/works/consultations", ConsultView.as_view(), name="api-works-consult"),
    path(
        "orders/<str:number>/works/consultations/<int:pk>/answer",
        ConsultAnswerView.as_view(),
        name="api-works-consult-answer",
    ),
    path("orders/<str:number>/works/conflicts/<int:pk>/resolve", ResolveView.as_view(), name="api-works-resolve"),
]
