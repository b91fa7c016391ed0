"""Each branch's figures of a month, from a bulletin snapshot (R12): what the rankings show and what the
assessment scores (R13). A pure function of the snapshot, so a frozen revision always gives the same
figures."""

from __future__ import annotations

from collections import defaultdict

# The per-category means of the indicators (docs/indicators.md), averaged over a branch's categories
# weighted by the orders energized in each.
DAY_MEANS = ("utility_days_mean", "customer_days_mean", "calendar_days_mean")


def ratio(part, whole):
    return round(part / whole, 4) if whole else None


def _number(value) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def branch_figures(snapshot: dict) -> dict[str, dict]:
    """{branch code: figures} for every branch of the snapshot, in the snapshot's branch order."""
    rows = defaultdict(list)
    for row in (snapshot.get("indicators") or {}).get("rows", []):
        rows[row.get("branch")].append(row)
    visits = {row.get("branch"): row for row in snapshot.get("visits") or []}
    findings, overdue = defaultdict(int), defaultdict(set)
    for finding in snapshot.get("findings") or []:
        # A time disagreement found by a return visit is also a finding; it is counted once, with the visits.
        if finding.get("rule") != "time_disagreement":
            findings[finding.get("branch")] += 1
    for item in snapshot.get("overdue") or []:
        overdue[item.get("branch")].add(item.get("order"))
    result = {}
    for branch in snapshot.get("branches", []):
        code = branch["code"]
        mine = rows.get(code, [])
        sums = {key: sum(_number(r.get(key)) for r in mine) for key in ("created", "online", "energized", "on_time")}
        figures = {"branch": code, "branch_name": branch["name"], **sums}
        if any("mengsuban" in r for r in mine):
            figures["mengsuban"] = sum(_number(r.get("mengsuban")) for r in mine)
            figures["mengsuban_rate"] = ratio(figures["mengsuban"], sums["created"])
        figures["online_rate"] = ratio(sums["online"], sums["created"])
        figures["on_time_rate"] = ratio(sums["on_time"], sums["energized"])
        for key in DAY_MEANS:
            by_category = {
                r["category"]: (r[key], _number(r.get("energized")))
                for r in mine
                if isinstance(r.get(key), int | float) and _number(r.get("energized")) > 0
            }
            weight = sum(n for _, n in by_category.values())
            figures[key] = round(sum(m * n for m, n in by_category.values()) / weight, 2) if weight else None
            figures[f"{key}_by_category"] = {c: [m, n] for c, (m, n) in sorted(by_category.items())}
        visit = visits.get(code, {})
        for key in ("planned", "visited", "reached", "time_disagreements"):
            figures[key] = _number(visit.get(key))
        figures["reach_rate"] = visit.get("reach_rate")
        figures["satisfaction_mean"] = visit.get("satisfaction_mean")
        figures["disagreement_rate"] = visit.get("disagreement_rate")
        figures["visit_problems"] = sum(_number(n) for n in (visit.get("problems") or {}).values())
        figures["overdue_orders"] = len(overdue.get(code, ()))
        figures["normativity_findings"] = findings.get(code, 0)
        result[code] = figures
    return result


def competition_ranks(values: list[tuple[str, float | None]], higher_is_better: bool = True) -> dict[str, int | None]:
    """Standard competition ranking (1, 1, 3): equal values share a rank; a missing value has no rank."""
    present = [(key, value) for key, value in values if value is not None]
    ordered = sorted(present, key=lambda kv: -kv[1] if higher_is_better else kv[1])
    ranks: dict[str, int | None] = {key: None for key, _ in values}
    for index, (key, value) in enumerate(ordered):
        if index and value == ordered[index - 1][1]:
            ranks[key] = ranks[ordered[index - 1][0]]
        else:
            ranks[key] = index + 1
    return ranks


# The branch rankings of the bulletin: (figure, higher is better).
RANKED = (
    ("on_time_rate", True),
    ("utility_days_mean", False),
    ("online_rate", True),
    ("reach_rate", True),
    ("satisfaction_mean", True),
    ("overdue_orders", False),
    ("normativity_findings", False),
)


def rankings(snapshot: dict) -> list[dict]:
    """Each branch's figures with its rank on each ranked figure (`rank_<figure>`), ordered by on-time rate."""
    figures = branch_figures(snapshot)
    for key, higher in RANKED:
        ranks = competition_ranks([(code, f[key]) for code, f in figures.items()], higher)
        for code, rank in ranks.items():
            figures[code][f"rank_{key}"] = rank
    return sorted(figures.values(), key=lambda f: (f["rank_on_time_rate"] or 10**6, f["branch"]))
