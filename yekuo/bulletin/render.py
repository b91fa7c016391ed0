"""A frozen bulletin revision as a document (R12): the page's context, an Excel workbook (one sheet per
table, real numbers), a printable A4 PDF in Chinese (WeasyPrint with the bundled Noto Sans SC, as the
commitment letter) and a self-contained HTML file. All from `tables.build(run.data)`: the documents of one
revision always say the same, whenever they are made."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from yekuo.bulletin import tables
from yekuo.bulletin.models import ReportRun
from yekuo.common.xlsx import cell, plain
from yekuo.workcal.engine import SHANGHAI

NUMBER_FORMATS = {"rate": "0.0%", "number": "0.00"}
FORMATTED = frozenset(NUMBER_FORMATS)  # the long lists have none: a styled cell per value costs 5× a plain one
EIGHT_HOURS = timedelta(hours=8)
BOLD = Font(bold=True)


# The lists of problem orders of a big month run to tens of thousands of rows: the page and the printed
# documents show the first ones and say how many there are; the Excel file has them all.
LISTS = ("overdue", "findings")
PAGE_LIST_ROWS = 500
PRINT_LIST_ROWS = 200


def document(run: ReportRun, branch: str | None = None, list_rows: int = PAGE_LIST_ROWS) -> dict:
    """What the page, the PDF and the HTML file show; `branch` keeps the lists of problem orders to one
    branch (a branch's staff see only their own orders, R15), the figures stay company-wide; each list
    shows at most `list_rows` rows."""
    shown = []
    for table in tables.build(run.data, branch=branch, list_rows=list_rows):
        rows = table.rows
        total = table.total
        shown.append(
            {
                "key": table.key,
                "title": str(table.title),
                "columns": [{"key": c.key, "title": str(c.title), "kind": c.kind} for c in table.columns],
                "rows": [
                    [
                        {"text": tables.display(v, c.kind), "number": c.kind != "text"}
                        for v, c in zip(table.cells(r), table.columns, strict=False)
                    ]
                    for r in rows
                ],
                "total": total,
                "cut": total > len(rows),
            }
        )
    return {**_heading(run), "run": run, "month": run.month, "tables": shown, "changes": run.changes}


def _heading(run: ReportRun) -> dict:
    return {
        "company": run.data.get("company", {}).get("name", ""),
        "title": _("%(month)s 业扩报装服务管控月度通报") % {"month": run.month},
        "generated_at": timezone.localtime(run.created_at),
    }


def _value(value, kind: str):
    """A time as Asia/Shanghai wall-clock time (Excel has no time zones); the snapshot holds +08:00 already."""
    if kind == "time" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.utcoffset() != EIGHT_HOURS:
            moment = moment.astimezone(SHANGHAI)
        return moment.replace(tzinfo=None)
    return value


def xlsx(run: ReportRun) -> bytes:
    """One sheet per table, headers in the active language, numbers as numbers (percent and day formats),
    times as Asia/Shanghai wall-clock times; every text cell through yekuo.common.xlsx (no formulas)."""
    book = Workbook(write_only=True)
    about = book.create_sheet(_("说明")[:31])
    data = _heading(run)  # not `document`: the Excel file's tables are built below, with every row
    about.append([cell(about, data["title"], font=BOLD)])
    about.append([plain(about, _("供电公司")), plain(about, data["company"])])
    about.append([plain(about, _("月份")), plain(about, run.month)])
    about.append([plain(about, _("版本")), run.revision])
    about.append(
        [
            plain(about, _("生成时间")),
            cell(about, data["generated_at"].replace(tzinfo=None), number_format="yyyy-mm-dd hh:mm"),
        ]
    )
    about.append([plain(about, _("数据校验码")), plain(about, run.checksum)])
    for table in tables.build(run.data):
        sheet = book.create_sheet(str(table.title)[:31])
        sheet.append([cell(sheet, str(c.title), font=BOLD) for c in table.columns])
        for row in table.rows:
            values = []
            for column, value in zip(table.columns, table.cells(row), strict=False):
                value = _value(value, column.kind)
                if column.kind in FORMATTED and isinstance(value, int | float):
                    values.append(cell(sheet, value, number_format=NUMBER_FORMATS[column.kind]))
                else:  # text, counts and times as plain values: openpyxl gives a datetime its date format
                    values.append(plain(sheet, value))
            sheet.append(values)
    if run.changes:
        sheet = book.create_sheet(_("与上一版本的变化")[:31])
        sheet.append([cell(sheet, str(t), font=BOLD) for t in (_("项目"), _("上一版本"), _("本版本"))])
        for change in run.changes:
            sheet.append(
                [plain(sheet, change["path"]), plain(sheet, _flat(change["old"])), plain(sheet, _flat(change["new"]))]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flat(value):
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _css() -> str:
    return Path(finders.find("bulletin/bulletin_print.css")).read_text(encoding="utf-8")


def html(run: ReportRun) -> str:
    """A self-contained HTML file of the revision (its style inside: it is a file to circulate, not a page)."""
    return render_to_string(
        "bulletin/bulletin_document.html",
        {"doc": document(run, list_rows=PRINT_LIST_ROWS), "css": _css(), "standalone": True},
    )


def pdf(run: ReportRun) -> bytes:
    """The revision as a printable A4 PDF in Chinese, with the bundled Noto Sans SC."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from yekuo.common.pdf_fonts import font_faces

    page = render_to_string(
        "bulletin/bulletin_document.html", {"doc": document(run, list_rows=PRINT_LIST_ROWS), "standalone": False}
    )
    fonts = FontConfiguration()
    style = CSS(string=font_faces() + "\n" + _css(), font_config=fonts)
    return HTML(string=page).write_pdf(stylesheets=[style], font_config=fonts)


def assessment_xlsx(assessment) -> bytes:
    """A month's scores (R13): the ranking, then one row per branch and indicator or deduction."""
    book = Workbook(write_only=True)
    ranking = book.create_sheet(_("考核得分"))
    ranking.append(
        [cell(ranking, str(t), font=BOLD) for t in (_("排名"), _("分公司"), _("得分"), _("指标得分"), _("扣分"))]
    )
    scores = list(assessment.scores.order_by("rank", "branch_code"))
    for s in scores:
        ranking.append(
            [s.rank, plain(ranking, s.branch_name), cell(ranking, float(s.score), number_format="0.00"),
             cell(ranking, s.breakdown["earned"], number_format="0.00"),
             cell(ranking, s.breakdown["deducted"], number_format="0.00")]
        )  # fmt: skip
    lines = book.create_sheet(_("得分明细"))
    titles = (_("分公司"), _("项目"), _("实际"), _("目标"), _("完成度"), _("权重"), _("得分"))
    lines.append([cell(lines, str(t), font=BOLD) for t in titles])
    for s in scores:
        for line in s.breakdown["indicators"]:
            target = line["target"] if isinstance(line["target"], int | float) else json.dumps(line["target"])
            lines.append(
                [plain(lines, s.branch_name), plain(lines, line["name"]), line["actual"], plain(lines, target),
                 cell(lines, line["achievement"], number_format="0.0%"), line["weight"], line["points"]]
            )  # fmt: skip
        for d in s.breakdown["deductions"]:
            lines.append(
                [plain(lines, s.branch_name), plain(lines, f"{_('扣分')}：{d['name']}"), d["count"], None, None, None,
                 -d["points"]]
            )  # fmt: skip
    about = book.create_sheet(_("说明"))
    about.append([plain(about, _("月份")), plain(about, assessment.month)])
    about.append([plain(about, _("评分细则")), plain(about, assessment.scheme.code)])
    about.append([plain(about, _("依据的通报版本")), assessment.report.revision])
    about.append([plain(about, _("确认时间")), plain(about, _local_text(assessment.confirmed_at))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
