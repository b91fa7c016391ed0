"""POST /api/v1/platforms/<platform>/applications: a platform pushes an application (R3; docs/platforms.md).

Authenticated by its signature alone (no session, no token): `credentials.authenticate` checks the key,
the time, the signature over the exact body and the nonce, before the body is even parsed. Errors are the
API's JSON errors; a refused signature is 401.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yekuo.common import strict_json
from yekuo.common.api import STATUS_OF_CODE, ErrorSerializer, error_body
from yekuo.intake import credentials, services
from yekuo.intake.models import Route
from yekuo.intake.payload import ApplicationPushSerializer, ReservePushSerializer
from yekuo.intake.routing import route_of
from yekuo.orders.idempotency import digest

# A refused signature is 401; its codes (credentials.SignatureRefused) are listed in docs/platforms.md.
for _code in ("signature_invalid", "signature_missing", "nonce_invalid", "timestamp_invalid",
              "timestamp_out_of_window", "key_invalid", "nonce_replayed"):  # fmt: skip
    STATUS_OF_CODE.setdefault(_code, 401)


class PushView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the raw body is signed: it is read as bytes, then parsed here

    @extend_schema(
        request=ApplicationPushSerializer,
        responses={201: OpenApiResponse(description="the application's state and order (docs/platforms.md)"),
                   400: ErrorSerializer, 401: ErrorSerializer, 422: ErrorSerializer},
        description="A platform's signed push of one application. Idempotent by application_id: a repeat gets "
        "the first answer (header Idempotent-Replayed: true). See docs/platforms.md.",
    )  # fmt: skip
    def post(self, request: Request, platform: str) -> Response:
        body = request._request.body
        source = credentials.authenticate(request._request, platform, body)
        try:
            parsed = strict_json.loads(body.decode("utf-8"))
        except ValueError as exc:  # not UTF-8, not JSON, or a key given twice (strict_json)
            return Response(error_body("malformed_request", f"the body is not valid JSON: {exc}"), status=400)
        if not isinstance(parsed, dict):
            return Response(error_body("malformed_request", "the body must be a JSON object"), status=400)
        request_sha256 = digest(parsed)
        known = services.push_known(source, parsed.get("application_id"))
        if known is not None and known[0] == request_sha256:  # a repeat: the first answer, as stored
            return Response(known[1], status=201, headers={"Idempotent-Replayed": "true"})
        kind = ReservePushSerializer if route_of(source) == Route.RESERVE else ApplicationPushSerializer
        serializer = kind(data=parsed)
        serializer.is_valid(raise_exception=True)
        application, created = services.push_receive(
            source, serializer.validated_data, request_sha256, unknown=known is None
        )
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(application.response, status=201, headers=headers)
