"""Test and simulator helpers: realistic applications, and signed requests."""

from __future__ import annotations

import json
import random
import secrets
import time

from yekuo.intake.signing import signed_headers
from yekuo.orders.validation import resident_id_check

PUSH_PATH = "/api/v1/platforms/{code}/applications"
DOCUMENT_KINDS = ("licence", "id_card", "property", "site_plan")


def resident_id(rng: random.Random) -> str:
    first = f"150602{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + resident_id_check(first)


def application(application_id: str, address: str = "东区幸福路8号", *, rng: random.Random | None = None,
                category: str = "lv_resident", **overrides) -> dict:  # fmt: skip
    """One application as a platform pushes it (docs/platforms.md)."""
    rng = rng or random.Random(application_id)
    body = {
        "application_id": application_id,
        "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 - 60)),
        "category": category,
        "customer": {"name": rng.choice(["王建华", "李秀英", "张伟", "刘芳", "陈静"]),
                     "id_number": resident_id(rng), "phone": f"139{rng.randint(10_000_000, 99_999_999)}"},
        "site": {"address": address},
        "capacity_kva": 8 if category == "lv_resident" else 100,
        "voltage": "220V" if category == "lv_resident" else "380V",
        "documents": [
            {"kind": kind, "name": f"{kind}.pdf", "url": f"https://platform.example/docs/{application_id}/{kind}.pdf"}
            for kind in DOCUMENT_KINDS[: rng.randint(1, 4)]
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def signed(key_id: str, secret: str, code: str, body: dict | bytes, *, timestamp: int | None = None,
           nonce: str | None = None, method: str = "POST") -> tuple[str, bytes, dict]:  # fmt: skip
    """(path, body bytes, headers) of a signed push."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    path = PUSH_PATH.format(code=code)
    stamp = int(time.time()) if timestamp is None else timestamp
    return path, raw, signed_headers(key_id, secret, method, path, stamp, nonce or secrets.token_urlsafe(18), raw)
