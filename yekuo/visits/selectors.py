"""Reads of the return visits (REQUIREMENTS R11, R12): the month's summary per branch for the bulletin, and
the lists of the pages.

`month_summary(month)` is what the bulletin and the assessment read; its row keys are a contract:
{"branch", "planned", "visited", "reached", "reach_rate", "satisfaction_mean", "time_disagreements",
"disagreement_rate", "problems": {category_code: n}}. Definitions (docs/visits.md):

- planned: the month's visits (the orders energized in the month chosen for a visit, and those the customer
  rated themselves); visited: those with a recorded attempt; reached: those where the customer was reached;
- reach_rate = reached / visited; satisfaction_mean over the reached visits' satisfaction (1–5);
- time_disagreements: reached visits where the customer's account of the time disagrees with the system's;
  disagreement_rate = time_disagreements / reached visits that answered the time question;
- problems: the problems found, by category code.

A rate with nothing to divide is None. Two aggregate queries, whatever the month's size.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q

from yekuo.accounts.models import Branch
from yekuo.visits.models import Visit, VisitProblem
from yekuo.visits.months import parse_month


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def month_summary(month: str) -> list[dict]:
    """One row per branch that has visits in the month, by branch code (R11, for the bulletin R12)."""
    parse_month(month)
    visits = Visit.objects.filter(month=month)
    rows = (
        visits.values("branch_id")
        .annotate(
            n_planned=Count("pk"),
            n_visited=Count("pk", filter=Q(visited_at__isnull=False)),
            n_reached=Count("pk", filter=Q(reached=True)),
            mean=Avg("satisfaction", filter=Q(reached=True)),
            n_answered=Count("pk", filter=Q(reached=True, time_agrees__isnull=False)),
            n_disagreeing=Count("pk", filter=Q(reached=True, time_agrees=False)),
        )
        .order_by()
    )
    problems: dict[int, dict[str, int]] = {}
    counted = (
        VisitProblem.objects.filter(visit__month=month)
        .values_list("visit__branch_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for branch_id, category, n in counted:
        problems.setdefault(branch_id, {})[category] = n
    codes = dict(Branch.objects.values_list("pk", "code"))
    out = []
    for row in rows:
        mean = row["mean"]
        out.append(
            {
                "branch": codes[row["branch_id"]],
                "planned": row["n_planned"],
                "visited": row["n_visited"],
                "reached": row["n_reached"],
                "reach_rate": _rate(row["n_reached"], row["n_visited"]),
                "satisfaction_mean": None if mean is None else round(float(mean), 4),
                "time_disagreements": row["n_disagreeing"],
                "disagreement_rate": _rate(row["n_disagreeing"], row["n_answered"]),
                "problems": dict(sorted(problems.get(row["branch_id"], {}).items())),
            }
        )
    return sorted(out, key=lambda r: r["branch"])


def month_visits(month: str, user, *, branch: str = "", status: str = "", assignee: str = "", category: str = ""):
    """The month's visits the user may see, filtered: status planned / done / unreached / disagree / problems."""
    from yekuo.accounts.scope import restrict

    visits = restrict(Visit.objects.filter(month=month), user, "visit.view")
    if branch:
        visits = visits.filter(branch__code=branch)
    if category:
        visits = visits.filter(category=category)
    if assignee == "me":
        visits = visits.filter(assignee=user)
    elif assignee:
        visits = visits.filter(assignee__username=assignee)
    filters = {
        "planned": Q(visited_at__isnull=True),
        "done": Q(visited_at__isnull=False),
        "unreached": Q(reached=False),
        "disagree": Q(time_agrees=False),
        "problems": Q(problems__isnull=False),
    }
    if status in filters:
        visits = visits.filter(filters[status]).distinct()
    return visits.select_related("order", "branch", "assignee").order_by("branch__code", "category", "order__number")


def problems_in_scope(user, *, month: str = "", state: str = "", category: str = ""):
    from yekuo.accounts.scope import restrict

    rows = restrict(VisitProblem.objects.all(), user, "visit.view")
    if month:
        rows = rows.filter(visit__month=month)
    if state == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif state == "closed":
        rows = rows.filter(closed_at__isnull=False)
    if category:
        rows = rows.filter(category_id=category)
    return (
        rows.select_related("visit__order", "visit__branch", "category")
        .prefetch_related("follow_ups__actor")
        .order_by("-found_at", "-pk")
    )
