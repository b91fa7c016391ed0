"""Excel import of prospective projects into the reserve library (REQUIREMENTS R5), and its template.

One row per project under the template's headers (Chinese, or the field names). Each row is checked with
the rules of a staff entry (`services.project_create`: the credit code's check character, the phone, the
texts) and saved in its own transaction: a bad row is reported by its line and the column at fault, and
the good rows are kept. A row whose project name and address are already in the company's library is
reported as a duplicate rather than added twice, so importing the same file again adds nothing.
The file is accepted only as an .xlsx by its content (a zip), within YEKUO_UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from zipfile import BadZipFile

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from yekuo.accounts.models import ServiceArea
from yekuo.accounts.permissions import require
from yekuo.accounts.scope import restrict
from yekuo.common.errors import InvalidInput, YekuoError
from yekuo.common.xlsx import cell
from yekuo.orders.validation import FieldErrors
from yekuo.reserve.models import Project, Source
from yekuo.reserve.services import project_create, validate_project

# (field, header msgid, required, example, width)
COLUMNS = (
    ("name", gettext_noop("项目名称"), True, "康巴什区数据中心二期", 28),
    ("investor_name", gettext_noop("投资主体"), True, "鄂尔多斯市某科技有限公司", 26),
    ("investor_code", gettext_noop("统一社会信用代码"), False, "91150602MA0Q2X3Y4K", 22),
    ("contact_phone", gettext_noop("联系电话"), False, "13947700001", 14),
    ("site_address", gettext_noop("项目地址"), True, "康巴什区哈巴格希街道文化路3号", 32),
    ("area_code", gettext_noop("营业区编码"), False, "", 12),
    ("expected_load", gettext_noop("预计负荷"), False, 2000, 10),
    ("load_unit", gettext_noop("负荷单位"), False, "kVA", 10),
    ("voltage", gettext_noop("预计电压等级"), False, "10kV", 12),
    ("expected_date", gettext_noop("预计用电时间"), False, "2027-06-30", 14),
    ("identified_at", gettext_noop("识别日期"), False, "", 12),
)
MAX_ROWS = 5000
XLSX_SIGNATURE = b"PK\x03\x04"


@dataclass
class RowError:
    line: int  # the spreadsheet's row number (the header is line 1)
    field: str  # the column's header as the file has it, or "" for the whole row
    message: str


@dataclass
class ImportResult:
    created: list[Project] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def header_names() -> dict[str, str]:
    """Header (Chinese msgid, its translation, or the field name) → field."""
    names = {}
    for name, header, *_rest in COLUMNS:
        names[header] = names[_(header)] = names[name] = name
    return names


def _date(value, column: str):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = re.sub(r"[./年月]", "-", str(value).strip()).rstrip("日")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise InvalidInput(_("请填写日期，如 2027-03-01"), field=column) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number
    return str(value).strip()


def read_sheet(data: bytes):
    """(rows, titles): the (line, {field: value}) of each non-empty row, and each field's column header as
    the file has it; raises InvalidInput for a file that is not a workbook of the template."""
    if len(data) > settings.YEKUO_UPLOAD_MAX_BYTES:
        raise InvalidInput(_("文件过大"), field="file")
    if not data.startswith(XLSX_SIGNATURE):
        raise InvalidInput(_("请上传 Excel 文件（.xlsx）"), field="file")
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (BadZipFile, KeyError, IndexError, OSError, ValueError):
        raise InvalidInput(_("无法读取该 Excel 文件（.xlsx）"), field="file") from None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = header_names()
    columns = {index: names.get(_text(title)) for index, title in enumerate(header)}
    missing = [_(h) for name, h, required, *_r in COLUMNS if required and name not in columns.values()]
    if missing:
        raise InvalidInput(
            _("第1行缺少必填列：%(columns)s（请使用导入模板）") % {"columns": "、".join(missing)}, field="file"
        )
    titles = {name: _(header) for name, header, *_r in COLUMNS}
    titles.update({name: _text(header[index]) for index, name in columns.items() if name})

    def lines():
        for line, values in enumerate(rows, start=2):
            if line > MAX_ROWS + 1:
                raise InvalidInput(_("一次最多导入 %(count)s 行") % {"count": MAX_ROWS}, field="file")
            if all(v in (None, "") for v in values):
                continue
            yield line, {columns[i]: v for i, v in enumerate(values) if columns.get(i)}

    return lines(), titles


TEXT_FIELDS = ("name", "investor_name", "investor_code", "contact_phone", "site_address", "load_unit", "voltage")


def _fields(row: dict, titles: dict, areas: dict) -> dict:
    """The row as `project_create`'s arguments; FieldErrors with every bad field of the row at once."""
    errors: dict[str, list[str]] = {}
    fields = {name: _text(row.get(name)) for name in TEXT_FIELDS}
    fields["load_unit"] = {"kw": "kW", "kva": "kVA"}.get(fields["load_unit"].lower(), fields["load_unit"])
    fields["voltage"] = re.sub(r"(?i)kv$", "kV", fields["voltage"]).replace("v", "V")
    fields["expected_load"] = row.get("expected_load")
    dates = {}
    for name in ("expected_date", "identified_at"):
        try:
            dates[name] = _date(row.get(name), name)
        except InvalidInput as error:
            errors.setdefault(name, []).append(error.message)
            dates[name] = None
    fields["expected_date"] = dates["expected_date"]
    identified = dates["identified_at"]
    fields["identified_at"] = (
        timezone.make_aware(datetime.combine(identified, datetime.min.time())) if identified else None
    )
    code = _text(row.get("area_code"))
    fields["service_area"] = areas.get(code) if code else None
    if code and fields["service_area"] is None:
        errors.setdefault("area_code", []).append(_("营业区编码不存在，或不在您的管辖范围内"))
    try:
        validate_project(**{k: v for k, v in fields.items() if k not in ("identified_at", "service_area")})
    except FieldErrors as error:
        for name, messages in error.errors.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise FieldErrors(errors)
    return fields


def import_projects(data: bytes, *, actor) -> ImportResult:
    """Import the workbook's rows as projects entered by `actor` (R5); see the module's docstring."""
    result = ImportResult()
    require(actor, "reserve.manage")
    rows, titles = read_sheet(data)
    areas = {a.code: a for a in restrict(ServiceArea.objects.select_related("branch"), actor, "reserve.manage")}
    library = restrict(Project.objects.all(), actor, "reserve.manage")
    for line, row in rows:
        result.rows += 1
        try:
            fields = _fields(row, titles, areas)
            duplicate = library.filter(name=fields["name"], site_address=fields["site_address"]).first()
            if duplicate is not None:
                raise InvalidInput(_("项目已在储备库中（%(number)s）") % {"number": duplicate.number}, field="")
            project = project_create(actor=actor, source=Source.IMPORT, **fields)
        except YekuoError as error:
            for name, messages in (getattr(error, "errors", None) or {error.field or "": [error.message]}).items():
                for message in messages:
                    result.errors.append(RowError(line, titles.get(name, name), str(message)))
        else:
            result.created.append(project)
    return result


def template_workbook(target) -> None:
    """The import template: the headers (required ones marked), an example row on a second sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("储备项目"))
    notes = book.create_sheet(_("填写说明"))
    for index, (_name, _header, _required, _example, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([cell(sheet, _(header), font=Font(bold=True)) for _n, header, *_r in COLUMNS])
    notes.append([cell(notes, _("列"), font=Font(bold=True)), cell(notes, _("必填"), font=Font(bold=True)),
                  cell(notes, _("示例"), font=Font(bold=True))])  # fmt: skip
    for _name, header, required, example, _width in COLUMNS:
        notes.append([cell(notes, _(header)), cell(notes, _("是") if required else ""), cell(notes, example)])
    rule = _("负荷单位为 kW 或 kVA；电压等级为 220V、380V、10kV、35kV、110kV；日期如 2027-06-30。")
    notes.append([cell(notes, rule)])
    book.save(target)
