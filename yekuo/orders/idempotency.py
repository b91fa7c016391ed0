"""Idempotency keys remember the request they came with (O3, O4; Stripe's rule).

An Idempotency-Key header of the API, and the `{source_system}:{id}` of a control-layer event, is stored on
the event it recorded together with `request_hash`, the SHA-256 of the request: the method, the path and
the body as canonical JSON (keys sorted, so the order of fields and the spacing do not count). The same key
again with the same request is a repetition and gets the first result; with another request (another body,
order or action) it is a client's mistake and is refused as `idempotency_mismatch` (422), never answered
with the first result as though it had been done. Events recorded before the hash was kept have none, and
are taken as repetitions.
"""

from __future__ import annotations

import hashlib
import json

from django.core.files.uploadedfile import UploadedFile

from yekuo.common.errors import YekuoError
from yekuo.orders.models import OrderEvent


class IdempotencyMismatch(YekuoError):
    code = "idempotency_mismatch"


def digest(value) -> str:
    """SHA-256 of a JSON-able value, in a canonical form."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def request_hash(request) -> str:
    """The digest of an API request (DRF's Request): method, path (trailing slash or not) and body; an
    uploaded file counts by its name and size."""
    data = request.data
    if hasattr(data, "lists"):  # form or multipart: a QueryDict
        data = {key: [_plain(value) for value in values] for key, values in data.lists()}
    return digest([request.method, request.path.rstrip("/"), data])


def _plain(value):
    return {"file": value.name, "size": value.size} if isinstance(value, UploadedFile) else value


def stored(key: str | None) -> OrderEvent | None:
    """The event recorded with this key, if any."""
    if not key:
        return None
    return OrderEvent.objects.select_related("order").filter(idempotency_key=key).first()


def same_request(event: OrderEvent | None, request_hash: str) -> bool:
    """False when the key was stored with a different request; True when it was not stored, or stored with
    no hash (before they were kept)."""
    return event is None or not event.request_hash or not request_hash or event.request_hash == request_hash


def check_same(event: OrderEvent | None, request_hash: str, field: str = "Idempotency-Key") -> None:
    if not same_request(event, request_hash):
        raise IdempotencyMismatch(
            f"this key was already used for a different request (event {event.type} of order {event.order.number}); "
            "send a new key for a new request",
            field=field,
        )
