"""Transports: how a message leaves. A registry, so other apps add theirs (`register("sms", send)`).

`send(destination, message) -> Result` must not raise for a partner's failure (it returns ok=False); an
exception is recorded as a failed attempt all the same, so a transport's bug is retried and seen, not lost.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage

EXCERPT_CHARS = 500
MESSAGE_ID_HEADER = "X-Yekuo-Message-Id"
KIND_HEADER = "X-Yekuo-Kind"
TIMESTAMP_HEADER = "X-Yekuo-Timestamp"
SIGNATURE_HEADER = "X-Yekuo-Signature"


@dataclass(frozen=True)
class Result:
    ok: bool
    status: int | None = None
    response_excerpt: str = ""
    error: str = ""


Send = Callable[..., Result]
_REGISTRY: dict[str, Send] = {}


def register(name: str, send: Send) -> None:
    """Add (or replace) a transport; `Destination.transport` names it."""
    _REGISTRY[name] = send


def get(name: str) -> Send | None:
    return _REGISTRY.get(name)


def names() -> list[str]:
    return sorted(_REGISTRY)


def envelope(message) -> dict:
    """What every receiver gets: the message id to deduplicate on, its kind, time, order and payload."""
    return {
        "id": str(message.id),
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
        "order": message.order.number if message.order_id else None,
        "payload": message.payload,
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the destination's secret (docs/outbox.md)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (the simulators use it): the signature matches this body and timestamp."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def clean(text: str) -> str:
    """Kept for people to read: at most EXCERPT_CHARS, and no NUL (PostgreSQL text cannot hold one)."""
    return text[:EXCERPT_CHARS].replace("\x00", "\ufffd")


def _excerpt(raw: bytes) -> str:
    return clean(raw[:EXCERPT_CHARS].decode("utf-8", errors="replace"))


def send_http_json(destination, message) -> Result:
    """POST the envelope as JSON. Delivered = a 2xx whose body is empty or JSON; anything else (a 5xx, a
    timeout, a refused connection, an answer that is not HTTP or not JSON) is a failed attempt, retried."""
    if not destination.url:
        return Result(False, error="destination has no url")
    body = json.dumps(envelope(message), ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "yekuo-outbox",
        MESSAGE_ID_HEADER: str(message.id),
        KIND_HEADER: message.kind,
        TIMESTAMP_HEADER: timestamp,
    }
    if destination.secret:
        headers[SIGNATURE_HEADER] = sign(destination.secret, timestamp, body)
    request = urllib.request.Request(destination.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=destination.timeout_s) as response:
            status, raw = response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        return Result(False, error.code, _excerpt(error.read(64 * 1024)), f"HTTP {error.code}")
    except (OSError, http.client.HTTPException, ValueError) as error:  # timeout, refused, not HTTP, bad URL
        return Result(False, error=f"{type(error).__name__}: {error}"[:EXCERPT_CHARS])
    excerpt = _excerpt(raw)
    if not 200 <= status < 300:
        return Result(False, status, excerpt, f"HTTP {status}")
    if raw.strip():
        try:
            json.loads(raw)
        except ValueError:
            return Result(False, status, excerpt, "answer is not JSON")
    return Result(True, status, excerpt)


def send_smtp(destination, message) -> Result:
    """An email through Django's mail backend (EMAIL_* settings). Recipients: the payload's `to` (a list), else
    the destination's addresses; subject and body from the payload, else the kind and the JSON envelope."""
    to = message.payload.get("to") or [a.strip() for a in destination.address.split(",") if a.strip()]
    if not to:
        return Result(False, error="no recipient")
    subject = message.payload.get("subject") or message.kind
    body = message.payload.get("body") or json.dumps(envelope(message), ensure_ascii=False, indent=2)
    email = EmailMessage(subject=subject, body=body, to=to, headers={MESSAGE_ID_HEADER: str(message.id)})
    try:
        sent = email.send(fail_silently=False)
    except OSError as error:  # smtplib's errors are OSErrors
        return Result(False, error=f"{type(error).__name__}: {error}"[:EXCERPT_CHARS])
    return Result(bool(sent), response_excerpt=f"sent to {len(to)}", error="" if sent else "not sent")


register("http_json", send_http_json)
register("smtp", send_smtp)
