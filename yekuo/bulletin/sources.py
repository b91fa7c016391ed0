"""What a bulletin revision freezes: the month's figures as the other parts of yekuo compute them (R12).

- the indicators per branch × category and per node (`yekuo.reports.indicators.monthly`, docs/indicators.md);
- the return visits per branch (`yekuo.visits.selectors.month_summary`, R11);
- the normativity findings, each with the rule it broke (`yekuo.normativity.findings.findings`);
- the overdue orders, one row each with its overdue clocks, as the indicators count them (this module:
  `overdue`).

`collect` puts them into one JSON-safe dict for one company; `bulletin.services.report_run_create` stores it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from yekuo.accounts.models import Branch
from yekuo.common.errors import InvalidInput
from yekuo.workcal.engine import SHANGHAI

FORMAT = 2  # 2: the overdue list has one row per order (`clocks`), 1 had one per clock (`clock`)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, Asia/Shanghai; a bad month is `invalid_input`."""
    found = MONTH_RE.match(month or "")
    if not found:
        raise InvalidInput(f"month {month!r} is not YYYY-MM, e.g. 2026-10", field="month")
    year, number = int(found.group(1)), int(found.group(2))
    first = date(year, number, 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (datetime.combine(first, time(), SHANGHAI), datetime.combine(following, time(), SHANGHAI))


def _plain(value):
    """A JSON-safe copy: dataclasses and named tuples become dicts, dates ISO strings, Decimals floats."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "_asdict"):
        return value._asdict()
    if isinstance(value, datetime):
        return timezone.localtime(value, SHANGHAI).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def indicators(month: str, company: str | None = None) -> dict:
    from yekuo.reports.indicators import monthly

    return monthly(month, company=company)


def visits(month: str) -> list[dict] | None:
    """The month's return visits per branch; None where yekuo is installed without the visits app."""
    try:
        from yekuo.visits.selectors import month_summary
    except ImportError:
        return None
    return month_summary(month)


def findings(month: str) -> list | None:
    """The month's normativity findings; None where yekuo is installed without the normativity checks."""
    try:
        from yekuo.normativity.findings import findings as normativity_findings
    except ImportError:
        return None
    return normativity_findings(month)


def overdue(month: str, branches: dict[int, str]) -> list[dict]:
    """The month's overdue orders as the indicators count them (docs/indicators.md): `late` (超期接电),
    energized in the month with a clock that missed its deadline, and `open` (月末在途超期), open at the month's
    end with a clock past its deadline then. One row per order (a manager follows orders up, not clocks), its
    overdue clocks summarised: `clocks` (their codes, in the order's sequence), `nodes`, and the earliest
    missed `deadline_at` with that clock's `completed_at`. So the list has as many rows of each kind as the
    indicators count (`late`, `open_overdue`), and a big month's list is a fraction of its overdue clocks.
    `branches`: the company's branches (key → code), whose orders only are listed. The rows are JSON-safe as
    they are made (times as Asia/Shanghai ISO text): a million-order month has some 200,000 of them."""
    from yekuo.reports.indicators import overdue_clocks

    clocks = overdue_clocks(month, branches).values_list(
        "order__number", "order__branch_id", "order__category", "kind", "code", "nodes", "deadline_at", "completed_at"
    )
    rows = []
    row = None
    for number, branch_id, category, kind, code, nodes, deadline_at, completed_at in clocks.order_by(
        "order__number", "position"
    ).iterator(chunk_size=5000):
        if row is None or row["order"] != number:
            row = {
                "order": number,
                "branch": branches[branch_id],
                "category": category,
                "kind": kind,
                "clocks": [],
                "nodes": [],
                "deadline_at": deadline_at,
                "completed_at": completed_at,
            }
            rows.append(row)
        row["clocks"].append(code)
        row["nodes"].extend(n for n in nodes or [] if n not in row["nodes"])
        if deadline_at < row["deadline_at"]:
            row["deadline_at"], row["completed_at"] = deadline_at, completed_at
    for row in rows:
        row["deadline_at"] = _iso(row["deadline_at"])
        row["completed_at"] = _iso(row["completed_at"])
    return sorted(rows, key=lambda r: (r["branch"], r["order"]))


def _iso(moment: datetime | None) -> str | None:
    """As `_plain` writes a time: Asia/Shanghai, ISO 8601."""
    return None if moment is None else timezone.localtime(moment, SHANGHAI).isoformat()


def _mine(rows, codes: set[str]) -> list[dict] | None:
    """The rows of the company's branches, JSON-safe; None stays None (the part is not installed)."""
    if rows is None:
        return None
    return [row for row in _plain(list(rows)) if row.get("branch") in codes]


def collect(company, month: str, figures: dict | None = None) -> dict:
    """The snapshot of `month` for `company`: every list restricted to the company's branches. `figures`:
    the month's indicators when the caller has them already (`yekuo report monthly`)."""
    parse_month(month)
    branch_rows = list(Branch.objects.filter(company=company).order_by("code").values("id", "code", "name"))
    codes = {b["code"] for b in branch_rows}
    data = _plain(figures if figures is not None else indicators(month, company.code))
    for key, value in list(data.items()):
        if isinstance(value, list) and value and isinstance(value[0], dict) and "branch" in value[0]:
            data[key] = [row for row in value if row.get("branch") in codes]
    return {
        "format": FORMAT,
        "month": month,
        "company": {"code": company.code, "name": company.name},
        "branches": [{"code": b["code"], "name": b["name"]} for b in branch_rows],
        "indicators": data,
        "visits": _mine(visits(month), codes),
        "findings": _mine(findings(month), codes),
        "overdue": overdue(month, {b["id"]: b["code"] for b in branch_rows}),
    }
