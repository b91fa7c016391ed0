"""Simulator of the platform's identity-verification results (刷脸办电, R2): GET /verifications/<reference>.

The platform verified a resident's face; this answers how, by whom, with what result and when. A reference
ending in F failed, any other passed; one ending in 404 is unknown. Options as the e-licence simulator's."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from yekuo.partners.simulators import base
from yekuo.partners.simulators.elicence import GIVEN, SURNAMES


class Handler(base.SimulatorHandler):
    name = "identity"

    def get(self, path: str):
        match = re.fullmatch(r"/verifications/([A-Za-z0-9_-]{1,64})", path.split("?")[0])
        if not match or match.group(1).endswith("404"):
            return 404, {"error": "verification not found"}
        reference = match.group(1)
        h = hashlib.sha256(reference.encode()).digest()
        when = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=h[0] % 50 + 1)
        return 200, {
            "reference": reference,
            "method": "face",
            "verifying_party": "内蒙古自治区政务服务平台（蒙速办）刷脸核验",
            "result": "failed" if reference.upper().endswith("F") else "passed",
            "verified_at": when.isoformat(),
            "name": SURNAMES[h[1] % len(SURNAMES)] + GIVEN[h[2] % len(GIVEN)],
        }


def make_server(host: str, port: int, **options):
    return base.make_server(Handler, host, port, **options)


def serve(host: str, port: int, **options) -> None:
    base.serve_forever(make_server(host, port, **options), "identity")


def add_arguments(parser) -> None:
    base.add_service_arguments(parser, "YEKUO_IDENTITY_URL")


def command(options: dict) -> None:
    base.run_command(serve, "YEKUO_IDENTITY_URL", options)
