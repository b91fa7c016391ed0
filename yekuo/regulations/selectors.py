"""Reads of the regulation versions: by code, in force on a date, and the list.

Specs are parsed once per process and cached: a published version never changes, so the cache never
goes stale. It is keyed by code *and* checksum so that a database rebuilt with other content under the
same code (tests, a restored backup) is never served an old spec.
"""

import json
from datetime import date, datetime

from django.utils import timezone

from yekuo.common.errors import InvalidInput, YekuoError
from yekuo.common.memo import remembered
from yekuo.regulations.loader import build_spec
from yekuo.regulations.models import Regulation
from yekuo.regulations.spec import RegulationSpec

_specs: dict[tuple[str, str], RegulationSpec] = {}


def _spec(code: str, checksum: str) -> RegulationSpec:
    key = (code, checksum)
    spec = _specs.get(key)
    if spec is None:
        content = Regulation.objects.values_list("content", flat=True).get(code=code)
        spec = _specs[key] = build_spec(json.loads(content), f"regulation {code} (stored)")
    return spec


@remembered
def regulation_get(code: str) -> RegulationSpec:
    return regulation_spec(code, Regulation.objects.filter(code=code).values_list("checksum", flat=True).first())


def regulation_spec(code: str, checksum: str | None) -> RegulationSpec:
    """The spec of `code` when its stored checksum (read by the caller, None: not stored) is known."""
    if checksum is None:
        raise YekuoError(f"no regulation {code!r} is loaded; see `yekuo regulations list`", code="not_found")
    return _spec(code, checksum)


@remembered
def regulation_effective(on: date | datetime) -> RegulationSpec:
    """The version in force on `on`: the latest whose effective_from is on or before it (R14).

    An instant is cut to its calendar date in local time (Asia/Shanghai), like every date in yekuo.
    """
    if isinstance(on, datetime):
        if timezone.is_naive(on):
            raise InvalidInput(f"{on.isoformat()} has no UTC offset", field="on")
        on = timezone.localdate(on)
    row = (
        Regulation.objects.filter(effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("code", "checksum")
        .first()
    )
    if row is None:
        first = Regulation.objects.order_by("effective_from").values_list("code", "effective_from").first()
        if first is None:
            problem = "no regulation is loaded; run `yekuo regulations load-bundled`"
        else:
            problem = f"the earliest loaded regulation, {first[0]}, takes effect on {first[1]}"
        raise YekuoError(f"no regulation is in force on {on}: {problem}", code="no_regulation", field="on")
    return _spec(*row)


def regulation_list() -> list[dict]:
    rows = Regulation.objects.order_by("effective_from").values(
        "code", "document", "title", "effective_from", "supersedes", "checksum", "loaded_at", "content"
    )
    return [
        {
            **{k: v for k, v in row.items() if k != "content"},
            "effective_from": row["effective_from"].isoformat(),
            "loaded_at": row["loaded_at"].isoformat(),
            "categories": list(json.loads(row["content"]).get("categories", {})),
        }
        for row in rows
    ]
