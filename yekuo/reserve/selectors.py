"""The reserve library's reads (REQUIREMENTS R5), all through `restrict()` (R15): a branch's staff see their
branch's projects, company-scope staff the company's (also those not yet placed in a branch)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Q, QuerySet

from yekuo.accounts.scope import restrict
from yekuo.orders.models import OrderStatus
from yekuo.reserve.models import OPEN_STAGES, OrderMatch, Project, Stage

DAY = 86400.0


def projects_for(user, action: str = "order.view") -> QuerySet[Project]:
    return restrict(Project.objects.select_related("branch", "service_area", "order"), user, action)


def filtered(projects: QuerySet[Project], *, stage="", source="", branch=None, q="", since=None, until=None):
    """The library's filters: stage (or `open`), source, branch, identified between two dates, and a text
    that finds the project name, the investor, its credit code or the address."""
    if stage == "open":
        projects = projects.filter(stage__in=OPEN_STAGES)
    elif stage:
        projects = projects.filter(stage=stage)
    if source:
        projects = projects.filter(source=source)
    if branch is not None:
        projects = projects.filter(branch=branch)
    if since:
        projects = projects.filter(identified_at__date__gte=since)
    if until:
        projects = projects.filter(identified_at__date__lte=until)
    if q:
        projects = projects.filter(Q(name__icontains=q) | Q(investor_name__icontains=q)
                                   | Q(investor_code__iexact=q) | Q(site_address__icontains=q))  # fmt: skip
    return projects


@dataclass
class LeadTime:
    count: int
    median_days: float | None
    mean_days: float | None


def _lead(seconds: list[float]) -> LeadTime:
    if not seconds:
        return LeadTime(0, None, None)
    days = [s / DAY for s in seconds]
    return LeadTime(len(days), round(median(days), 1), round(sum(days) / len(days), 1))


@dataclass
class Figures:
    total: int
    by_stage: dict[str, int]
    applied: int
    dropped: int
    conversion_rate: float | None  # applied / (projects identified), None with no project
    decided_rate: float | None  # applied / (applied + dropped): of the projects whose outcome is known
    energized: int
    identified_to_applied: LeadTime
    applied_to_energized: LeadTime
    identified_to_energized: LeadTime


def figures(projects: QuerySet[Project]) -> Figures:
    """Conversion rate and lead times (calendar days) of the filtered projects: identified → applied (the
    order's creation) → energized (the order's last node, its closing as energized)."""
    rows = list(projects.values_list("stage", "identified_at", "applied_at", "order__status", "order__closed_at"))
    by_stage = {code: 0 for code in Stage.values}
    to_applied, to_energized, whole = [], [], []
    energized = 0
    for stage, identified, applied, status, closed in rows:
        by_stage[stage] += 1
        if applied is not None:
            to_applied.append(max((applied - identified).total_seconds(), 0.0))
        if status == OrderStatus.ENERGIZED and closed is not None:
            energized += 1
            if applied is not None:
                to_energized.append((closed - applied).total_seconds())
            whole.append(max((closed - identified).total_seconds(), 0.0))
    total = len(rows)
    applied, dropped = by_stage[Stage.APPLIED], by_stage[Stage.DROPPED]
    return Figures(
        total=total, by_stage=by_stage, applied=applied, dropped=dropped,
        conversion_rate=applied / total if total else None,
        decided_rate=applied / (applied + dropped) if applied + dropped else None, energized=energized,
        identified_to_applied=_lead(to_applied), applied_to_energized=_lead(to_energized),
        identified_to_energized=_lead(whole),
    )  # fmt: skip


def proposals_for_order(user, order) -> list[OrderMatch]:
    """The open projects proposed for this order that the user may act on."""
    return list(
        restrict(OrderMatch.objects.select_related("project"), user, "order.view").filter(
            order=order, state=OrderMatch.State.PROPOSED, project__order__isnull=True
        )
    )


def proposals_for_project(project) -> list[OrderMatch]:
    if project.order_id is not None:
        return []
    return list(
        OrderMatch.objects.select_related("order")
        .filter(project=project, state=OrderMatch.State.PROPOSED)
        .exclude(order__reserve_project__isnull=False)
    )
