"""Excel import: bad rows reported by line and column, the good rows kept; the template reads back (R5)."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from yekuo.common.errors import InvalidInput
from yekuo.reserve.importer import COLUMNS, import_projects, template_workbook
from yekuo.reserve.models import Project, Source
from yekuo.reserve.tests.conftest import CODE

HEADERS = ["项目名称", "投资主体", "统一社会信用代码", "联系电话", "项目地址", "营业区编码", "预计负荷", "负荷单位",
           "预计电压等级", "预计用电时间"]  # fmt: skip


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = ["东区物流园", "某物流有限公司", CODE, "13947700001", "东区康和路1号", "", 800, "kVA", "10kV", "2027-03-01"]


def test_bad_rows_are_reported_by_line_and_field_and_good_rows_kept(cast):
    bad_code = CODE[:-1] + ("1" if CODE[-1] != "1" else "2")
    rows = [
        GOOD,  # line 2
        ["", "某公司", "", "", "东区某路", "", "", "", "", ""],  # line 3: no name
        ["西区项目", "某公司", bad_code, "12345", "西区园林路2号", "", "abc", "kVA", "10kV", "明年"],  # line 4
        [None] * 10,  # an empty row is skipped, not an error
        ["西区仓库", "某公司", "", "", "西区园林路9号", "west", 200, "kW", "380V", None],  # line 6
        ["北区项目", "某公司", "", "", "北区某路", "north", 1, "kW", "380V", None],  # line 7: another company's area
    ]
    result = import_projects(workbook(rows), actor=cast.dispatcher)
    assert [p.name for p in result.created] == ["东区物流园", "西区仓库"]
    errors = {(e.line, e.field) for e in result.errors}
    assert (3, "项目名称") in errors
    assert {(4, "统一社会信用代码"), (4, "预计用电时间")} <= errors
    assert (7, "营业区编码") in errors
    assert all(e.line in (3, 4, 7) for e in result.errors)
    east, west = Project.objects.get(name="东区物流园"), Project.objects.get(name="西区仓库")
    assert east.source == Source.IMPORT and east.branch == cast.east and str(east.expected_date) == "2027-03-01"
    assert west.branch == cast.west and west.load_unit == "kW"


def test_line_four_reports_every_bad_field_of_the_row(cast):
    row = ["项目", "某公司", "91150602MA0Q2X3Y40", "12345", "东区某路", "", "abc", "kVA", "66kV", None]
    result = import_projects(workbook([row]), actor=cast.dispatcher)
    fields = {e.field for e in result.errors if e.line == 2}
    assert {"统一社会信用代码", "联系电话", "预计负荷", "预计电压等级"} <= fields
    assert not Project.objects.exists()


def test_importing_the_same_file_again_adds_nothing(cast):
    data = workbook([GOOD])
    assert len(import_projects(data, actor=cast.customer_manager).created) == 1
    again = import_projects(data, actor=cast.customer_manager)
    assert again.created == [] and again.errors[0].line == 2 and "已在储备库" in again.errors[0].message
    assert Project.objects.count() == 1


def test_a_branch_user_imports_into_their_branch_only(cast):
    row = ["西区仓库", "某公司", "", "", "西区园林路9号", "west", 200, "kW", "380V", None]
    result = import_projects(workbook([row]), actor=cast.customer_manager)
    assert result.created == [] and result.errors[0].field == "营业区编码"


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(cast):
    with pytest.raises(InvalidInput):
        import_projects(b"<html>not a workbook</html>", actor=cast.dispatcher)
    with pytest.raises(InvalidInput) as refused:
        import_projects(workbook([GOOD], headers=["名称"]), actor=cast.dispatcher)
    assert "项目名称" in refused.value.message


def test_the_template_has_every_column_and_imports_empty(cast):
    out = BytesIO()
    template_workbook(out)
    book = load_workbook(BytesIO(out.getvalue()))
    assert [c.value for c in book.worksheets[0][1]] == [header for _n, header, *_r in COLUMNS]
    result = import_projects(out.getvalue(), actor=cast.dispatcher)
    assert result.rows == 0 and result.errors == []
