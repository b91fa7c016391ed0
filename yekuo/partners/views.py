"""Inbound answers of the units of a joint application (R4): POST /api/v1/partners/answers.

A unit answers a message it received by posting {"message_id", "destination", "result", "note"?} signed as
yekuo signs its own messages (HMAC-SHA256 over `<X-Yekuo-Timestamp>.<body>` with the destination's secret;
docs/outbox.md), within five minutes of its clock. Errors are JSON with a stable code (docs/api.md)."""

import time

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yekuo.common import strict_json
from yekuo.outbox import services as outbox
from yekuo.outbox.models import Destination
from yekuo.outbox.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

SKEW_SECONDS = 300


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@csrf_exempt
@require_POST
def answers(request):
    try:
        data = strict_json.loads(request.body)
    except ValueError as exc:  # not JSON, or a key given twice
        return _error(400, "malformed_request", f"the body is not valid JSON: {exc}")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("message_id", "destination")):
        return _error(400, "invalid_input", "message_id and destination are required")
    destination = Destination.objects.filter(code=data["destination"], enabled=True).exclude(secret="").first()
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if destination is None or not verify(destination.secret, timestamp, request.body,
                                         request.headers.get(SIGNATURE_HEADER, "")):  # fmt: skip
        return _error(401, "bad_signature", "the signature does not match (docs/outbox.md)")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SKEW_SECONDS:
        return _error(401, "stale_request", f"the timestamp is more than {SKEW_SECONDS} s from yekuo's clock")
    answer = {k: data[k] for k in ("result", "note", "reference") if isinstance(data.get(k), str)}
    try:
        delivery = outbox.record_answer(data["message_id"], destination.code, answer)
    except (ValueError, ValidationError):  # not a UUID
        delivery = None
    if delivery is None:
        return _error(404, "not_found", "no such message to this destination")
    return JsonResponse({"recorded": True, "state": "answered"})
