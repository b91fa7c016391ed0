"""Reads of the bulletin and the assessment (R12, R13)."""

from __future__ import annotations

from django.utils import timezone

from yekuo.bulletin.models import Assessment, ReportRun, ScoringScheme
from yekuo.common.errors import InvalidInput


def runs(company, month: str | None = None):
    found = ReportRun.objects.filter(company=company).defer("data")
    return found.filter(month=month) if month else found


def months(company) -> list[str]:
    return list(ReportRun.objects.filter(company=company).order_by("-month").values_list("month", flat=True).distinct())


def run_get(company, month: str, revision: int | None = None) -> ReportRun | None:
    found = ReportRun.objects.filter(company=company, month=month)
    return found.filter(revision=revision).first() if revision else found.order_by("-revision").first()


def scheme_list() -> list[dict]:
    return [
        {"code": s.code, "title": s.title, "effective_from": s.effective_from.isoformat(), "checksum": s.checksum}
        for s in ScoringScheme.objects.order_by("effective_from")
    ]


def assessment_get(company, month: str) -> Assessment:
    found = (
        Assessment.objects.filter(company=company, month=month)
        .select_related("scheme", "report", "confirmed_by", "computed_by")
        .first()
    )
    if found is None:
        raise InvalidInput(f"the scores of {month} have not been computed yet", field="month")
    return found


def assessment_dict(assessment: Assessment) -> dict:
    def when(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "month": assessment.month,
        "scheme": assessment.scheme.code,
        "report_revision": assessment.report.revision,
        "computed_at": when(assessment.computed_at),
        "confirmed_at": when(assessment.confirmed_at),
        "confirmed_by": assessment.confirmed_by.username if assessment.confirmed_by else None,
        "scores": [
            {
                "branch": s.branch_code,
                "branch_name": s.branch_name,
                "score": float(s.score),
                "rank": s.rank,
                "breakdown": s.breakdown,
            }
            for s in assessment.scores.order_by("rank", "branch_code")
        ],
    }


def trend(company, last: int = 12) -> dict:
    """The scores of the last `last` assessed months, per branch, oldest first (for the trend chart)."""
    assessments = list(Assessment.objects.filter(company=company).order_by("-month")[:last])[::-1]
    months = [a.month for a in assessments]
    series: dict[str, dict] = {}
    for a in assessments:
        for s in a.scores.all():
            entry = series.setdefault(s.branch_code, {"branch": s.branch_code, "name": s.branch_name, "scores": {}})
            entry["scores"][a.month] = float(s.score)
    return {
        "months": months,
        "confirmed": [a.confirmed for a in assessments],
        "series": [{**e, "scores": [e["scores"].get(m) for m in months]} for e in series.values()],
    }
