"""What a bulletin revision freezes: the month's figures as the other parts of yekuo compute them (R12).

- the indicators per branch × category and per node (`yekuo.reports.indicators.monthly`, docs/indicators.md);
- the return visits per branch (`yekuo.visits.selectors.month_summary`, R11);
- the normativity findings, each with the rule it broke (`yekuo.normativity.findings.findings`);
- the clocks whose deadline fell in the month and that ran past it (this module: `overdue`).

`collect` puts them into one JSON-safe dict for one company; `bulletin.services.report_run_create` stores it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.utils import timezone

from yekuo.accounts.models import Branch
from yekuo.common.errors import InvalidInput
from yekuo.orders.models import Clock
from yekuo.workcal.engine import SHANGHAI

FORMAT = 1
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
    """Each clock of the company's orders whose deadline fell in the month and which was not completed by it:
    completed late, or still open at the month's end (R9's overdue, as the lists of problem orders)."""
    start, end = parse_month(month)
    clocks = (
        Clock.objects.filter(order__branch_id__in=branches, deadline_at__gte=start, deadline_at__lt=end)
        .exclude(state="cancelled")
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=F("deadline_at")))
        .select_related("order")
        .order_by("order__number", "position")
    )
    rows = []
    for clock in clocks:
        rows.append(
            {
                "order": clock.order.number,
                "branch": branches[clock.order.branch_id],
                "category": clock.order.category,
                "clock": clock.code,
                "nodes": list(clock.nodes or []),
                "deadline_at": clock.deadline_at,
                "completed_at": clock.completed_at,
            }
        )
    return rows


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
        "overdue": _plain(overdue(month, {b["id"]: b["code"] for b in branch_rows})),
    }
