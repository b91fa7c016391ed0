"""Writes to the regulation versions: publishing a file (REQUIREMENTS R14).

A published version is immutable, because orders keep the version in force when they were created and
their clocks must mean tomorrow what they meant today. A change is published as a new version: a new
code and a new effective date.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction

from yekuo.common.errors import Conflict
from yekuo.regulations.loader import load_file
from yekuo.regulations.models import Regulation

BUNDLED_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LoadResult:
    code: str
    document: str
    effective_from: date
    checksum: str
    status: str  # "loaded", or "unchanged" when this version is already published
    same_file: bool = True  # False when only comments or layout differ from the published file

    def as_dict(self) -> dict:
        data = {
            "code": self.code,
            "document": self.document,
            "effective_from": self.effective_from.isoformat(),
            "status": self.status,
            "checksum": self.checksum,
        }
        if not self.same_file:
            data["note"] = "the file differs from the published one only in comments or layout"
        return data


@transaction.atomic
def regulation_load(path: str | Path) -> LoadResult:
    """Validate and publish the regulation in `path`, in one transaction.

    The same version again is a no-op ("unchanged"); a different content under a published code, or a
    second version taking effect on the same day, is refused with Conflict.
    """
    spec, checksum = load_file(path)
    content = spec.to_content()
    result = LoadResult(spec.code, spec.document, spec.effective_from, checksum, "loaded")
    published = Regulation.objects.select_for_update().filter(code=spec.code).first()
    if published is not None:
        # Comparing the normalised content, not only the checksum, lets comments be improved later.
        if published.checksum == checksum or json.loads(published.content) == content:
            return LoadResult(
                spec.code, published.document, published.effective_from, published.checksum,
                "unchanged", same_file=published.checksum == checksum,
            )  # fmt: skip
        raise Conflict(
            f"regulation {spec.code} was published on {published.loaded_at:%Y-%m-%d} from a different file "
            f"(sha256 {published.checksum[:12]}…) and a published version never changes; publish the change "
            f"as a new version with a new code and a new effective_from"
        )
    clash = Regulation.objects.filter(effective_from=spec.effective_from).first()
    if clash is not None:
        raise Conflict(
            f"regulation {clash.code} already takes effect on {spec.effective_from}; two versions cannot "
            f"take effect on the same day (an order created that day would not know its limits)"
        )
    try:
        Regulation.objects.create(
            code=spec.code,
            document=spec.document,
            title=spec.title,
            effective_from=spec.effective_from,
            supersedes=spec.supersedes,
            content=json.dumps(content, ensure_ascii=False),
            checksum=checksum,
            source=str(path)[-500:],
        )
    except IntegrityError:  # another load of the same code or date committed in between
        raise Conflict(f"regulation {spec.code} or its effective date was published concurrently; retry") from None
    return result


@transaction.atomic
def regulation_load_bundled(directory: Path = BUNDLED_DIR) -> list[LoadResult]:
    """Publish every regulation file shipped with yekuo; idempotent, all or nothing."""
    return [regulation_load(path) for path in sorted(directory.glob("*.toml"))]
