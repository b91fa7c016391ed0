"""Adapters of the partner services (R2): a configurable endpoint, timeout and retries (settings, from the
environment in config/settings.py), and an answer checked before anything of it is stored.

Each returns the normalised data, raises `NotFound` when the service answered that it has no such record (not
retried), or `Unavailable` when it could not be asked or answered nonsense (down, slow, 5xx, not JSON, fields
missing): the caller keeps the question waiting and the worker asks again.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings


class Unavailable(Exception):
    pass


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    data: dict
    source: str  # which service and endpoint answered


def _get_json(url: str, timeout: float, retries: int) -> dict:
    """GET a JSON object, retrying quickly (`retries` times, 0.2 s apart) on what may pass."""
    error = "not asked"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(0.2)
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "yekuo"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read(256 * 1024)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotFound(f"{url}: 404") from None
            error = f"HTTP {exc.code}"
            continue
        except (OSError, http.client.HTTPException, ValueError) as exc:  # timeout, refused, not HTTP
            error = f"{type(exc).__name__}: {exc}"
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            error = "answer is not JSON"
            continue
        if not isinstance(data, dict):
            error = "answer is not a JSON object"
            continue
        return data
    raise Unavailable(error[:300])


def _require(data: dict, fields: tuple[str, ...], what: str) -> None:
    missing = [f for f in fields if not isinstance(data.get(f), str) or not data[f].strip()]
    if missing:
        raise Unavailable(f"{what} answer lacks {', '.join(missing)}")


LICENCE_FIELDS = ("credit_code", "company_name", "legal_representative", "address", "valid_from")


def licence_lookup(credit_code: str) -> Answer:
    """R2 一证办电: the business licence registered under a unified social credit code, from the e-licence
    sharing service: company name, legal representative, address, validity (valid_until null: long-term)."""
    base = settings.YEKUO_ELICENCE_URL
    url = f"{base}/licences/{urllib.parse.quote(credit_code)}"
    data = _get_json(url, settings.YEKUO_ELICENCE_TIMEOUT, settings.YEKUO_ELICENCE_RETRIES)
    _require(data, LICENCE_FIELDS, "e-licence")
    if data["credit_code"] != credit_code:
        raise Unavailable("e-licence answered about another credit code")
    valid_until = data.get("valid_until")
    result = {f: data[f].strip() for f in LICENCE_FIELDS}
    result["valid_until"] = valid_until.strip() if isinstance(valid_until, str) and valid_until.strip() else None
    return Answer(result, f"电子证照共享服务 {base}")


IDENTITY_FIELDS = ("reference", "method", "verifying_party", "result", "verified_at")


def identity_result(reference: str) -> Answer:
    """R2 刷脸办电: the platform's record of a resident's identity verification: how (face), by whom, the result
    (passed / failed) and when. yekuo never verifies a face itself; it records what the platform did."""
    base = settings.YEKUO_IDENTITY_URL
    url = f"{base}/verifications/{urllib.parse.quote(reference)}"
    data = _get_json(url, settings.YEKUO_IDENTITY_TIMEOUT, settings.YEKUO_IDENTITY_RETRIES)
    _require(data, IDENTITY_FIELDS, "identity")
    if data["reference"] != reference:
        raise Unavailable("identity service answered about another verification")
    if data["result"] not in ("passed", "failed"):
        raise Unavailable(f"identity result {data['result']!r} is neither passed nor failed")
    result = {f: data[f].strip() for f in IDENTITY_FIELDS}
    for optional in ("name", "id_number_masked"):
        if isinstance(data.get(optional), str):
            result[optional] = data[optional].strip()
    return Answer(result, f"身份核验服务 {base}")


ADAPTERS = {"elicence": licence_lookup, "identity": identity_result}
