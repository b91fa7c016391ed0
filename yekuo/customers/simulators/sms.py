"""Simulator of an SMS gateway (短信网关): receives what yekuo's `sms` transport sends and keeps it.

POST /sms with `{"phone", "text", "template", "params", "message_id"}` (yekuo.monitoring.transports.send_sms)
is answered `{"code": 0, "id": …}` and printed; the same message id twice is kept once. GET /messages lists what
was received, newest last (`?phone=139…` only that number's): the tests read the one-time codes there. With
`--token` a request must carry `Authorization: Bearer <token>` (the destination's secret). Failure modes as the
other simulators (`--mode error|slow|garbage`, `--fail-rate`)."""

from __future__ import annotations

import json
import sys
import threading
from urllib.parse import parse_qs, urlsplit

from yekuo.partners.simulators import base

MAX_KEPT = 1000


class Handler(base.SimulatorHandler):
    name = "sms"
    lock = threading.Lock()

    def post(self, path: str, body: bytes):
        if urlsplit(path).path != "/sms":
            return 404, {"error": "not found"}
        token = self.options.get("token")
        if token and self.headers.get("Authorization", "") != f"Bearer {token}":
            return 401, {"code": "unauthorized", "error": "bad token"}
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"code": "bad_request", "error": "not JSON"}
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("phone"), str)
            or not isinstance(data.get("text"), str)
        ):
            return 400, {"code": "bad_request", "error": "phone and text are required"}
        kept = self.server.received
        with self.lock:
            if not any(m.get("message_id") == data.get("message_id") for m in kept if data.get("message_id")):
                kept.append({k: data.get(k) for k in ("phone", "text", "template", "params", "message_id")})
                del kept[:-MAX_KEPT]
                if not self.options.get("quiet"):
                    sys.stdout.write(f"[sms] to {data['phone']}: {data['text']}\n")
                    sys.stdout.flush()
        return 200, {"code": 0, "id": data.get("message_id") or ""}

    def get(self, path: str):
        parts = urlsplit(path)
        if parts.path != "/messages":
            return 404, {"error": "not found"}
        phone = parse_qs(parts.query).get("phone", [""])[0]
        with self.lock:
            rows = [m for m in self.server.received if not phone or m["phone"] == phone]
        return 200, {"messages": rows}


def make_server(host: str, port: int, **options):
    server = base.make_server(Handler, host, port, **options)
    server.received = []
    return server


def serve(host: str, port: int, **options) -> None:
    base.serve_forever(make_server(host, port, **options), "sms")


def add_arguments(parser) -> None:
    base.add_service_arguments(parser, "YEKUO_SMS_URL")
    parser.add_argument("--token", default="", help="require Authorization: Bearer TOKEN")


def command(options: dict) -> None:
    base.run_command(serve, "YEKUO_SMS_URL", options, extra=("token",))
