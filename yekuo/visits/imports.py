"""A call centre's return-visit results from a spreadsheet (REQUIREMENTS R11, O5): each row is checked on its
own; a bad row is reported by its line and the field at fault and the good rows are kept. Importing the same
file again changes nothing (a row whose outcome is already recorded, at the same time, is `unchanged`).

The first sheet; the first row names the columns, in Chinese or English (`COLUMNS`), in any order. Required:
the order number, the visit time, the channel and whether the customer was reached. The visit is the month's
visit planned for the order (the month of the visit time, else the order's latest planned visit).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction

from yekuo.accounts.permissions import require
from yekuo.accounts.scope import restrict
from yekuo.common.errors import InvalidInput
from yekuo.common.xlsx import read_first_sheet
from yekuo.regulations.codes import NODES
from yekuo.visits.models import Channel, ProblemCategory, Visit, VisitSource
from yekuo.visits.months import SHANGHAI, month_of
from yekuo.visits.services import Outcome, check_outcome, record_visit

# column key → the headings it is known by (Chinese first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "order": ("工单编号", "order_number", "order"),
    "visited_at": ("回访时间", "visited_at"),
    "channel": ("回访方式", "channel"),
    "reached": ("是否联系上", "reached"),
    "satisfaction": ("满意度", "satisfaction"),
    "time_agrees": ("时间是否一致", "time_agrees"),
    "time_node": ("偏差环节", "time_node"),
    "time_offset_days": ("偏差天数", "time_offset_days"),
    "problems": ("问题类别", "problems"),
    "description": ("问题描述", "problem_description"),
    "note": ("备注", "note"),
}
REQUIRED = ("order", "visited_at", "channel", "reached")
YES = {"是", "y", "yes", "true", "1", "已联系上", "一致"}
NO = {"否", "n", "no", "false", "0", "未联系上", "不一致"}
CHANNEL_NAMES = {"电话": "phone", "短信": "sms", "线上评价": "app", "app": "app", "phone": "phone", "sms": "sms"}
MAX_ROWS = 20000


@dataclass
class RowResult:
    line: int
    status: str  # applied, unchanged, rejected
    order: str = ""
    field: str = ""
    message: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"applied": 0, "unchanged": 0, "rejected": 0}
        for row in self.rows:
            out[row.status] += 1
        return out

    def as_dict(self) -> dict:
        return {"summary": self.counts(), "rows": [asdict(r) for r in self.rows]}


class RowError(InvalidInput):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _flag(value, name: str, *, optional: bool = False) -> bool | None:
    text = _text(value).lower()
    if not text and optional:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError(f"{name}: 是 or 否 (yes / no), not {text!r}", field=name)


def _int(value, name: str) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d+", text):
        raise RowError(f"{name}: a whole number, not {text!r}", field=name)
    return int(text)


def _when(value) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(12, 0))
    else:
        text = _text(value).replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowError(
                f"visited_at: a date and time (2026-11-20 10:30), not {text!r}", field="visited_at"
            ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _node(value) -> str:
    text = _text(value)
    by_name = {name: code for code, name in NODES.items()}
    return by_name.get(text, text)


def _problems(value, description) -> list[tuple[str, str]]:
    text = _text(value)
    if not text:
        return []
    by_name = dict(ProblemCategory.objects.values_list("name", "code"))
    codes = [by_name.get(p.strip(), p.strip()) for p in re.split(r"[、,，;；]", text) if p.strip()]
    return [(code, _text(description)) for code in codes]


def _outcome(row: dict) -> tuple[str, Outcome]:
    for key in REQUIRED:
        if not _text(row.get(key)):
            raise RowError(f"{COLUMNS[key][0]} ({key}) is required", field=key)
    channel = CHANNEL_NAMES.get(_text(row["channel"]).lower(), _text(row["channel"]))
    if channel not in Channel.values:
        raise RowError(f"channel: 电话, 短信 or 线上评价 (phone, sms, app), not {channel!r}", field="channel")
    reached = _flag(row["reached"], "reached")
    outcome = Outcome(
        channel=channel,
        reached=reached,
        satisfaction=_int(row.get("satisfaction"), "satisfaction"),
        time_agrees=_flag(row.get("time_agrees"), "time_agrees", optional=True),
        time_node=_node(row.get("time_node")),
        time_offset_days=_int(row.get("time_offset_days"), "time_offset_days"),
        problems=_problems(row.get("problems"), row.get("description")),
        note=_text(row.get("note")),
        visited_at=_when(row["visited_at"]),
    )
    return _text(row["order"]), check_outcome(outcome)


def _same(visit: Visit, outcome: Outcome) -> bool:
    return (
        visit.visited_at == outcome.visited_at
        and visit.channel == outcome.channel
        and visit.reached == outcome.reached
        and visit.satisfaction == outcome.satisfaction
        and visit.time_agrees == outcome.time_agrees
        and visit.time_node == outcome.time_node
        and visit.time_offset_days == outcome.time_offset_days
        and visit.note == outcome.note
        and set(visit.problems.values_list("category_id", "description")) >= set(outcome.problems)
    )


def read_rows(handle) -> list[tuple[int, dict]]:
    """(line, {column key: value}) of every non-empty row of the first sheet; InvalidInput if unreadable."""
    rows = iter(read_first_sheet(handle))
    header = next(rows, None) or ()
    names = {heading.lower(): key for key, headings in COLUMNS.items() for heading in headings}
    keys = [names.get(_text(h).lower()) for h in header]
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in keys]
    if missing:
        raise InvalidInput(f"the first row lacks the column(s): {', '.join(missing)}", field="file")
    out = []
    for line, values in enumerate(rows, start=2):
        if line > MAX_ROWS + 1:
            raise InvalidInput(f"more than {MAX_ROWS} rows: split the file", field="file")
        if not any(_text(v) for v in values):
            continue
        out.append((line, {k: v for k, v in zip(keys, values, strict=False) if k}))
    return out


def import_visits(handle, *, actor) -> ImportReport:
    """Apply every row of the workbook `handle` (a path or a binary file) for `actor` (visit.record, scope)."""
    require(actor, "visit.record")
    if hasattr(handle, "size") and handle.size > settings.YEKUO_UPLOAD_MAX_BYTES:
        raise InvalidInput("the file is larger than YEKUO_UPLOAD_MAX_BYTES", field="file")
    report = ImportReport()
    visits = restrict(Visit.objects.all(), actor, "visit.record")
    for line, row in read_rows(handle):
        number = _text(row.get("order"))
        try:
            number, outcome = _outcome(row)
            found = visits.filter(order__number=number)
            visit = found.filter(month=month_of(outcome.visited_at)).first() or found.order_by("-month").first()
            if visit is None:
                raise RowError(f"no return visit is planned for order {number} (in your scope)", field="order")
            if _same(visit, outcome):
                report.rows.append(RowResult(line, "unchanged", number))
                continue
            with transaction.atomic():
                record_visit(visit, outcome, actor=actor, source=VisitSource.IMPORT)
            report.rows.append(RowResult(line, "applied", number))
        except InvalidInput as exc:
            report.rows.append(RowResult(line, "rejected", number, exc.field or "", exc.message))
    return report
