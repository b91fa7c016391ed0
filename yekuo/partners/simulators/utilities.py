"""Simulator of the water, gas, heating and telecom units receiving joint applications through the platform
(水电气暖讯联合报装, R4): POST /water, /gas, /heating, /telecom with yekuo's signed outbox messages.

It checks the signature (option `secret`), is idempotent by message id (a message sent again is acknowledged,
not applied twice), and, with `yekuo_url`, answers each application `answer_after` seconds later by posting a
signed answer to yekuo (POST <yekuo_url>/api/v1/partners/answers). GET /received lists what it applied.
Options as the e-licence simulator's for failures."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request

from yekuo.outbox.transports import MESSAGE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify
from yekuo.partners.simulators import base

UNITS = ("water", "gas", "heating", "telecom")
ANSWERS = {
    "water": "已受理，供水接入方案将在3个工作日内答复",
    "gas": "已受理，将安排燃气管线现场踏勘",
    "heating": "已受理，供热接入需待采暖期结束后施工",
    "telecom": "已受理，光纤接入与电力同步施工",
}


def send_answer(yekuo_url: str, secret: str, message_id: str, unit: str) -> int:
    body = json.dumps(
        {"message_id": message_id, "destination": f"utility_{unit}", "result": "accepted", "note": ANSWERS[unit]},
        ensure_ascii=False,
    ).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{yekuo_url.rstrip('/')}/api/v1/partners/answers",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


class Handler(base.SimulatorHandler):
    name = "utilities"
    lock = threading.Lock()
    applied: dict[tuple[str, str], dict] = {}

    def get(self, path: str):
        if path.split("?")[0] == "/received":
            with self.lock:
                return 200, [
                    {"unit": u, "message_id": m, "order": d.get("order")} for (u, m), d in self.applied.items()
                ]
        return 404, {"error": "not found"}

    def post(self, path: str, body: bytes):
        unit = path.strip("/").split("?")[0]
        if unit not in UNITS:
            return 404, {"error": f"no unit {unit!r}"}
        secret = self.options.get("secret") or ""
        if secret and not verify(secret, self.headers.get(TIMESTAMP_HEADER, ""), body,
                                 self.headers.get(SIGNATURE_HEADER, "")):  # fmt: skip
            return 401, {"error": "bad signature"}
        message_id = self.headers.get(MESSAGE_ID_HEADER, "")
        try:
            envelope = json.loads(body)
        except ValueError:
            return 400, {"error": "not JSON"}
        with self.lock:
            duplicate = (unit, message_id) in self.applied
            if not duplicate:
                self.applied[(unit, message_id)] = envelope.get("payload", {})
        if not duplicate:
            sys.stdout.write(f"[utilities] {unit}: application {message_id} for order {envelope.get('order')}\n")
            sys.stdout.flush()
            yekuo_url = self.options.get("yekuo_url")
            if yekuo_url:
                threading.Thread(target=self._answer_later, args=(yekuo_url, secret, message_id, unit),
                                 daemon=True).start()  # fmt: skip
        return 200, {"received": True, "unit": unit, "duplicate": duplicate, "reference": f"{unit}-{message_id[:8]}"}

    def _answer_later(self, yekuo_url, secret, message_id, unit):
        time.sleep(float(self.options.get("answer_after") or 5))
        for _ in range(5):
            try:
                send_answer(yekuo_url, secret, message_id, unit)
                return
            except OSError as exc:
                sys.stdout.write(f"[utilities] answer to yekuo failed ({exc}); trying again\n")
                time.sleep(5)


def make_server(host: str, port: int, **options):
    handler = type("Handler", (Handler,), {"applied": {}, "lock": threading.Lock()})
    return base.make_server(handler, host, port, **options)


def serve(host: str, port: int, **options) -> None:
    base.serve_forever(make_server(host, port, **options), "utilities")


def add_arguments(parser) -> None:
    base.add_service_arguments(parser, "YEKUO_UTILITIES_URL")
    parser.add_argument("--secret", default=None, help="the signing secret (default: YEKUO_PARTNER_SECRET)")
    parser.add_argument("--yekuo-url", default=None, help="where to post the units' answers (none: no answers)")
    parser.add_argument("--answer-after", type=float, default=5.0, help="seconds before a unit answers")


def command(options: dict) -> None:
    from django.conf import settings

    options = {**options, "secret": options.get("secret") or settings.YEKUO_PARTNER_SECRET}
    base.run_command(serve, "YEKUO_UTILITIES_URL", options, extra=("secret", "yekuo_url", "answer_after"))
