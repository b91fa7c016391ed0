"""API helpers shared by every app's `api/` package: one error shape, aware datetimes, JSON 404/500.

Every error the API returns is JSON `{"code", "message", "field"?, "errors"?}` with a stable `code`
(docs/api.md, "Errors"). `exception_handler` is REST_FRAMEWORK["EXCEPTION_HANDLER"]; `handler404` and
`handler500` (config/urls.py) give the same shape to /api/ paths that no DRF view handles, and leave
every other path to Django's own pages.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError, OperationalError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views import defaults
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import set_rollback

from yekuo.common import migrated
from yekuo.common.errors import YekuoError

logger = logging.getLogger("django.request")

# HTTP status of each YekuoError code; a code not listed here is a client error (400).
STATUS_OF_CODE = {
    "invalid_input": 400,
    "out_of_calendar": 400,
    "file_format": 400,
    "no_regulation": 400,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "workflow": 409,
    "gate_closed": 409,
    "no_rule_set": 400,
    "idempotency_mismatch": 422,
}
# DRF's own exceptions, renamed where our vocabulary differs.
DRF_CODES = {
    exceptions.ValidationError: "invalid_input",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


DATABASE_UNAVAILABLE = "the database is unavailable or busy; nothing was changed, repeat the request shortly"
# To the client, without the database's name (the log has it): repeating will not help until an operator acts.
DATABASE_NOT_MIGRATED = "the server's database has not been set up (migrated); its operator must run `yekuo migrate`"
RETRY_AFTER_SECONDS = 5


class NotFound(YekuoError):
    code = "not_found"


def error_body(code: str, message: str, field: str | None = None, errors: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": ["message", …]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix: [str(item) for item in detail]}
        out = {}
        for i, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: [str(detail)]}


def _validation_body(exc: exceptions.ValidationError) -> dict:
    errors = _flatten(exc.detail)
    if not errors:
        return error_body("invalid_input", "invalid input")
    field, messages = next(iter(errors.items()))
    message = f"{field}: {messages[0]}" if field else messages[0]
    return error_body("invalid_input", message, field or None, {k or "non_field_errors": v for k, v in errors.items()})


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error as `{"code", "message", ...}` (docs/api.md)."""
    headers = {}
    if isinstance(exc, YekuoError):
        status, body = STATUS_OF_CODE.get(exc.code, 400), exc.as_dict()
    elif isinstance(exc, exceptions.ValidationError):
        status, body = 400, _validation_body(exc)
    elif isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), exc.default_code)
        status, body = exc.status_code, error_body(code, str(exc.detail))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    elif isinstance(exc, RequestDataTooBig):
        status, body = 413, error_body("request_too_large", _too_large_message())
    elif isinstance(exc, SuspiciousOperation):  # e.g. more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        status, body = 400, error_body("malformed_request", str(exc) or "the request cannot be read")
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        status, body = 404, error_body("not_found", "not found")
    elif isinstance(exc, DjangoPermissionDenied):
        status, body = 403, error_body("forbidden", str(exc) or "permission denied")
    elif isinstance(exc, DjangoValidationError):
        status, body = 400, error_body("invalid_input", "; ".join(exc.messages))
    elif isinstance(exc, DatabaseError) and (not_migrated := migrated.not_migrated_message(exc)):
        logger.error("Database not migrated: %s", not_migrated, exc_info=exc)
        status, body = 503, error_body(migrated.CODE, DATABASE_NOT_MIGRATED)
    elif isinstance(exc, IntegrityError):
        status, body = 409, error_body("conflict", "the change conflicts with existing data; repeat the request")
    elif isinstance(exc, DataError):  # e.g. a NUL byte, which PostgreSQL text cannot hold
        status, body = 400, error_body("invalid_input", "a value cannot be stored (a NUL byte, or too long)")
    elif isinstance(exc, OperationalError):
        # The database is down, restarting or (SQLite) held by another writer past its timeout: nothing was
        # written (a write is one statement or one transaction), so the sender may simply repeat.
        logger.warning("Database unavailable: %s", exc, exc_info=exc)
        status, body = 503, error_body("database_unavailable", DATABASE_UNAVAILABLE)
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        request = context.get("request")
        logger.error("Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc)
        status, body = 500, error_body("server_error", "internal server error; the error was logged")
    set_rollback()
    return Response(body, status=status, headers=headers)


def _too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"the request body is larger than the limit of {limit:,} bytes ({limit / 1024 / 1024:.1f} MB); "
        "send fewer events per request"
    )


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` (docs/api.md, Conventions): at most `max_limit` rows a page, so that one request
    cannot ask for every order at once; a larger limit gives `max_limit` rows."""

    max_limit = 200


# ------------------------------------------------------------------------------------------ outside DRF
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", f"no API endpoint at {request.path}"), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", "internal server error; the error was logged"), status=500)
    return defaults.server_error(request)


# ------------------------------------------------------------------------------------------ fields
class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant that must carry its UTC offset (`2026-09-29T09:00:00+08:00`): a time without
    one is ambiguous across the company's servers and is refused, never guessed."""

    default_error_messages = {
        "naive": "the time {value!r} has no UTC offset; write it like 2026-09-29T09:00:00+08:00",
        "invalid": "{value!r} is not an ISO 8601 time like 2026-09-29T09:00:00+08:00",
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                self.fail("invalid", value=value)
        else:
            self.fail("invalid", value=value)
        if timezone.is_naive(parsed):
            self.fail("naive", value=str(value))
        return parsed


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="stable machine-readable code (docs/api.md, Errors)")
    message = serializers.CharField(help_text="readable explanation")
    field = serializers.CharField(required=False, help_text="the input field at fault, when there is one")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="every invalid field with its messages (validation errors only)",
    )


# ------------------------------------------------------------------------------------------ schema
class NonBlankTextExtension(OpenApiSerializerFieldExtension):
    """A request's text field that may not be blank is `minLength: 1` in the schema, as DRF enforces: without it
    the schema promised that "" is accepted, and clients generated from it send it (schemathesis found each)."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if direction == "request" and not field.allow_blank and not field.read_only and schema.get("type") == "string":
            schema.setdefault("minLength", 1)
        return schema
