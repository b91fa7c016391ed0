"""`POST /api/v1/events`: the control layer's entry (O4); the logic is `yekuo.orders.ingest`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.common.api import ErrorSerializer
from yekuo.common.errors import InvalidInput
from yekuo.common.parsers import JSONParser
from yekuo.orders.ingest import MAX_BATCH, ingest_batch, summarize
from yekuo.orders.models import EventSource

from .inputs import EventBatchResultSerializer, EventInSerializer
from .views import ERRORS

EXAMPLE = {
    "id": "90017",
    "source_system": "mbs",
    "type": "node.completed",
    "at": "2026-09-29T10:00:00+08:00",
    "node": "acceptance",
    "order": {"external_ref": "MBS-2026-0001"},
}


class EventsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="events_ingest",
        request=EventInSerializer(many=True),
        responses={200: EventBatchResultSerializer, 413: ErrorSerializer, **ERRORS},
        summary="Apply events of the system of record (one object or a list of up to 1000)",
        description=(
            "Each event is applied in its own transaction and reported as applied, duplicate (its id was "
            "seen before) or rejected (with code, message and field). The response is 200 whenever the body "
            "was a JSON object or list; needs the event.ingest permission. See docs/api.md."
        ),
        examples=[OpenApiExample("one event", value=EXAMPLE, request_only=True)],
        tags=["events"],
    )
    def post(self, request: Request) -> Response:
        body = request.data
        if not int(request.META.get("CONTENT_LENGTH") or 0):
            raise InvalidInput("the body is empty; send one event object or a non-empty list of them", field="body")
        events = [body] if isinstance(body, dict) else body
        if not isinstance(events, list) or not events:
            raise InvalidInput("send one event object or a non-empty list of them", field="body")
        if len(events) > MAX_BATCH:
            raise InvalidInput(f"send at most {MAX_BATCH} events per request", field="body")
        results = ingest_batch([(None, e) for e in events], actor=request.user, source=EventSource.API)
        return Response({"summary": summarize(results), "results": [r.as_dict() for r in results]})


class EventsSlashView(EventsView):
    """The same endpoint with a trailing slash (not repeated in the schema)."""

    schema = None
