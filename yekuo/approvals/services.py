"""Writes to the R6 rule sets: publishing a file.

A published rule set is immutable, so that a decision made under it reads the same tomorrow; a change
(a new threshold, a street added to the list) is published as a new version with a new code and a new
effective date. Mirrors `yekuo.regulations.services`.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction

from yekuo.approvals.loader import load_file
from yekuo.approvals.models import RuleSet
from yekuo.common.errors import Conflict

BUNDLED_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LoadResult:
    code: str
    effective_from: date
    checksum: str
    status: str  # "loaded", or "unchanged" when this version is already published

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "effective_from": self.effective_from.isoformat(),
            "status": self.status,
            "checksum": self.checksum,
        }


@transaction.atomic
def rule_set_load(path: str | Path) -> LoadResult:
    """Validate and publish the rule set in `path`, in one transaction.

    The same version again is a no-op ("unchanged", also when only comments differ); different content
    under a published code, or a second version taking effect on the same day, is refused with Conflict.
    """
    spec, checksum = load_file(path)
    content = spec.to_content()
    published = RuleSet.objects.select_for_update().filter(code=spec.code).first()
    if published is not None:
        if published.checksum == checksum or json.loads(published.content) == content:
            return LoadResult(spec.code, published.effective_from, published.checksum, "unchanged")
        raise Conflict(
            f"rule set {spec.code} was published on {published.loaded_at:%Y-%m-%d} from a different file "
            f"(sha256 {published.checksum[:12]}…) and a published version never changes; publish the change "
            f"as a new version with a new code and a new effective_from"
        )
    clash = RuleSet.objects.filter(effective_from=spec.effective_from).first()
    if clash is not None:
        raise Conflict(
            f"rule set {clash.code} already takes effect on {spec.effective_from}; two versions cannot take "
            f"effect on the same day"
        )
    try:
        RuleSet.objects.create(
            code=spec.code,
            document=spec.document,
            title=spec.title,
            effective_from=spec.effective_from,
            content=json.dumps(content, ensure_ascii=False),
            checksum=checksum,
            source=str(path)[-500:],
        )
    except IntegrityError:  # another load of the same code or date committed in between
        raise Conflict(f"rule set {spec.code} or its effective date was published concurrently; retry") from None
    return LoadResult(spec.code, spec.effective_from, checksum, "loaded")


@transaction.atomic
def rule_set_load_bundled(directory: Path = BUNDLED_DIR) -> list[LoadResult]:
    """Publish every rule set shipped with yekuo; idempotent, all or nothing."""
    return [rule_set_load(path) for path in sorted(directory.glob("*.toml"))]
