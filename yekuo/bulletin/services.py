"""Writes of the bulletin and the assessment (R12, R13): each in one transaction.

- `report_run_create`: freeze a month's bulletin as the next revision, with what changed since the last.
- `scheme_load` / `scheme_load_bundled`: publish an assessment scheme file (immutable versions).
- `assessment_compute`: score a month's bulletin (its latest revision) under the scheme in force; refused
  once the month is confirmed.
- `assessment_confirm`: the marketing service department confirms a month's scores; they are frozen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from yekuo.accounts.permissions import has_role, is_working
from yekuo.bulletin import diff, scoring, sources
from yekuo.bulletin.models import Assessment, BranchScore, ReportRun, ScoringScheme
from yekuo.common.errors import Conflict, Forbidden, InvalidInput

# Who confirms the month's scores (notice §3: 营销服务部对通报结果纳入月度组织绩效考核): a department
# manager of the marketing service department with company scope, or an administrator.
CONFIRMING_DEPARTMENT = "marketing_service"


def report_run_create(
    company, month: str, *, actor=None, source: str = "cli", figures: dict | None = None
) -> ReportRun:
    """Freeze `month`'s bulletin for `company` as its next revision (the earlier ones are kept); `figures`: the
    month's indicators when the caller has computed them already."""
    snapshot = sources.collect(company, month, figures)  # outside the lock: the figures take the longest
    snapshot["generated_at"] = timezone.now().isoformat()
    for attempt in range(3):
        try:
            with transaction.atomic():
                last = (
                    ReportRun.objects.select_for_update()
                    .filter(company=company, month=month)
                    .order_by("-revision")
                    .first()
                )
                return ReportRun.objects.create(
                    company=company,
                    month=month,
                    revision=(last.revision + 1) if last else 1,
                    created_at=timezone.now(),
                    created_by=actor,
                    source=source,
                    data=snapshot,
                    checksum=diff.checksum(snapshot),
                    changes=diff.changes(last.data, snapshot) if last else [],
                )
        except IntegrityError:  # another run of the same month took the revision number: take the next
            if attempt == 2:
                raise Conflict(f"the bulletin of {month} is being run by someone else; run it again") from None
    raise AssertionError("unreachable")


@dataclass
class LoadResult:
    code: str
    effective_from: date
    checksum: str
    status: str

    def as_dict(self) -> dict:
        return {**self.__dict__, "effective_from": self.effective_from.isoformat()}


@transaction.atomic
def scheme_load(path: str | Path) -> LoadResult:
    """Validate and publish a scheme file; the same version again is a no-op, a change under a published
    code or a second version on the same day is refused (a change is a new code and effective date)."""
    scheme, checksum = scoring.load_file(path)
    content = scheme.to_content()
    published = ScoringScheme.objects.select_for_update().filter(code=scheme.code).first()
    if published is not None:
        if published.checksum == checksum or json.loads(published.content) == content:
            return LoadResult(scheme.code, published.effective_from, published.checksum, "unchanged")
        raise Conflict(
            f"assessment scheme {scheme.code} is published and never changes; publish the change as a new "
            f"version with a new code and a new effective_from"
        )
    clash = ScoringScheme.objects.filter(effective_from=scheme.effective_from).first()
    if clash is not None:
        raise Conflict(f"assessment scheme {clash.code} already takes effect on {scheme.effective_from}")
    ScoringScheme.objects.create(
        code=scheme.code,
        document=scheme.document,
        title=scheme.title,
        effective_from=scheme.effective_from,
        content=json.dumps(content, ensure_ascii=False),
        checksum=checksum,
        source=str(path)[-500:],
    )
    return LoadResult(scheme.code, scheme.effective_from, checksum, "loaded")


@transaction.atomic
def scheme_load_bundled(directory: Path = scoring.BUNDLED_DIR) -> list[LoadResult]:
    return [scheme_load(path) for path in sorted(directory.glob("*.toml"))]


def scheme_for(month: str) -> ScoringScheme:
    """The scheme in force on the month's first day."""
    first = sources.parse_month(month)[0].date()
    found = ScoringScheme.objects.filter(effective_from__lte=first).order_by("-effective_from").first()
    if found is None:
        raise InvalidInput(
            f"no assessment scheme is in force on {first}; run `yekuo assessment load-bundled`", field="month"
        )
    return found


def can_confirm(user) -> bool:
    """The marketing service department's manager (company scope) or an administrator (R13)."""
    if not is_working(user):
        return False
    if user.is_superuser or has_role(user, "administrator"):
        return True
    department = getattr(user, "department", None)
    return (
        has_role(user, "department_manager")
        and not user.branch_id
        and department is not None
        and department.code == CONFIRMING_DEPARTMENT
    )


def _frozen(assessment: Assessment) -> Conflict:
    who = assessment.confirmed_by.get_full_name() or assessment.confirmed_by.username if assessment.confirmed_by else ""
    when = timezone.localtime(assessment.confirmed_at).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        f"the scores of {assessment.month} were confirmed by {who} on {when} and are frozen; they cannot be "
        f"computed again",
        code="assessment_confirmed",
    )


def assessment_compute(company, month: str, *, actor=None, report: ReportRun | None = None) -> Assessment:
    """Score `month` from its latest bulletin revision (made now if there is none), replacing unconfirmed
    scores; refused with `assessment_confirmed` once the month is confirmed."""
    existing = Assessment.objects.filter(company=company, month=month).select_related("confirmed_by").first()
    if existing is not None and existing.confirmed:
        raise _frozen(existing)
    scheme_row = scheme_for(month)
    if report is None:
        report = ReportRun.objects.filter(company=company, month=month).order_by("-revision").first()
    if report is None:
        report = report_run_create(company, month, actor=actor, source="assessment")
    results = scoring.score(report.data, scoring.from_content(scheme_row.content, scheme_row.code))
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("confirmed_by")
            .filter(company=company, month=month)
        ).first()
        if assessment is not None and assessment.confirmed:
            raise _frozen(assessment)
        if assessment is None:
            assessment = Assessment(company=company, month=month)
        assessment.scheme, assessment.report = scheme_row, report
        assessment.computed_at, assessment.computed_by = timezone.now(), actor
        assessment.save()
        assessment.scores.all().delete()
        BranchScore.objects.bulk_create(
            BranchScore(
                assessment=assessment,
                branch_code=r["branch"],
                branch_name=r["branch_name"],
                score=round(r["score"], 2),
                rank=r["rank"],
                breakdown=r["breakdown"],
            )
            for r in results
        )
    return assessment


@transaction.atomic
def assessment_confirm(company, month: str, *, user) -> Assessment:
    """Confirm the month's scores (the marketing service department); from then on they are frozen."""
    if not can_confirm(user):
        raise Forbidden(
            f"{getattr(user, 'username', '') or 'anonymous'} may not confirm the assessment: it is for the manager "
            f"of the marketing service department (营销服务部) or an administrator"
        )
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("confirmed_by")
        .filter(company=company, month=month)
    ).first()
    if assessment is None:
        raise InvalidInput(f"the scores of {month} have not been computed yet", field="month")
    if assessment.confirmed:
        raise _frozen(assessment)
    assessment.confirmed_at, assessment.confirmed_by = timezone.now(), user
    assessment.save()
    return assessment
