"""The request signature of platform pushes (R3; docs/platforms.md), pure functions.

A request carries four headers:

    X-Yekuo-Key:        the key id (e.g. pk_approval_platform_3f9c…)
    X-Yekuo-Timestamp:  Unix time in seconds when the request was signed
    X-Yekuo-Nonce:      16–64 characters [A-Za-z0-9_-], never used twice by the key
    X-Yekuo-Signature:  lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of

        METHOD "\\n" PATH "\\n" TIMESTAMP "\\n" NONCE "\\n" hex(SHA-256(body))

METHOD is upper case, PATH the request path without query string (e.g.
/api/v1/platforms/approval_platform/applications), body the exact bytes sent (the empty string's
digest for no body).

The secret is never stored: it is HMAC-SHA256(YEKUO_PLATFORM_KEY, "yekuo-platform-key:" + key id),
written as "sk_" + its URL-safe base64; the database keeps its SHA-256 only, so a copy of the database
cannot sign a request, and YEKUO_PLATFORM_KEY stays out of the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
HEADERS = ("X-Yekuo-Key", "X-Yekuo-Timestamp", "X-Yekuo-Nonce", "X-Yekuo-Signature")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join((method.upper(), path, str(timestamp), nonce, body_digest(body)))


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The signature a partner computes (and yekuo checks)."""
    message = string_to_sign(method, path, timestamp, nonce, body).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def derive_secret(master: str, key_id: str) -> str:
    """The secret of `key_id` under the master key (YEKUO_PLATFORM_KEY)."""
    raw = hmac.new(master.encode(), f"yekuo-platform-key:{key_id}".encode(), hashlib.sha256).digest()
    return "sk_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def signature_ok(secret: str, signature: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bool:
    return hmac.compare_digest(sign(secret, method, path, timestamp, nonce, body), signature.strip().lower())


def signed_headers(key_id: str, secret: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> dict:
    """The four headers of a signed request (the simulator, the benchmark and the tests use it)."""
    return {
        "X-Yekuo-Key": key_id,
        "X-Yekuo-Timestamp": str(timestamp),
        "X-Yekuo-Nonce": nonce,
        "X-Yekuo-Signature": sign(secret, method, path, str(timestamp), nonce, body),
        "Content-Type": "application/json",
    }
