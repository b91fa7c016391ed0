"""yekuo.common.xlsx: the one way values go into the cells of any workbook yekuo writes (S3)."""

import ast
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook

from yekuo.common import xlsx

YEKUO = Path(__file__).resolve().parents[1] / "yekuo"


def _round_trip(write) -> object:
    book = Workbook()
    write(book.active)
    buffer = BytesIO()
    book.save(buffer)
    return load_workbook(BytesIO(buffer.getvalue())).active


def test_text_is_never_a_formula_and_numbers_stay_numbers():
    sheet = _round_trip(lambda s: [xlsx.put(s.cell(1, i + 1), v) for i, v in enumerate(["=1+1", "@A1", "普通", 3.5])])
    formula, at, plain, number = (sheet.cell(1, i) for i in range(1, 5))
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1", "s", True)
    assert (at.value, at.data_type, at.quotePrefix) == ("@A1", "s", True)
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("普通", "s", False)
    assert (number.value, number.data_type) == (3.5, "n")


def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal():
    sheet = _round_trip(lambda s: xlsx.put(s.cell(1, 1), "a\x00b\x08c\x1fd\te\nf"))
    assert sheet.cell(1, 1).value == "abcd\te\nf"  # tab and line feed are legal and kept


def test_a_carriage_return_reads_back_as_a_line_feed_and_a_leading_one_still_quotes():
    # openpyxl's lxml writer escapes a CR (read back as CR), its plain writer does not (read back as LF): the
    # cell must read the same whichever wrote it, and "\r=1" must stay quoted text either way.
    def write(sheet):
        xlsx.put(sheet.cell(1, 1), "\r=1")
        xlsx.put(sheet.cell(1, 2), "a\r\nb\rc")

    sheet = _round_trip(write)
    leading, inner = sheet.cell(1, 1), sheet.cell(1, 2)
    assert (leading.value, leading.data_type, leading.quotePrefix) == ("\n=1", "s", True)
    assert inner.value == "a\nb\nc"
    book = Workbook(write_only=True)
    rows = book.create_sheet()
    rows.append([xlsx.plain(rows, "\r=1"), xlsx.plain(rows, "x\ry")])
    buffer = BytesIO()
    book.save(buffer)
    first, second = load_workbook(BytesIO(buffer.getvalue())).active[1]
    assert (first.value, first.quotePrefix, second.value) == ("\n=1", True, "x\ny")


def _workbook_writers() -> list[Path]:
    found = []
    for path in YEKUO.rglob("*.py"):
        if "tests" in path.parts or path.name == "xlsx.py":
            continue
        modules = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
        if any(m.startswith("openpyxl") for m in modules):
            found.append((path, modules, path.read_text()))
    return found


def test_every_module_that_writes_a_workbook_writes_its_cells_through_xlsx():
    writers = _workbook_writers()
    assert writers, "the order list export writes a workbook"
    for path, modules, source in writers:
        where = path.relative_to(YEKUO.parent)
        assert "yekuo.common.xlsx" in modules, f"{where} writes a workbook without yekuo.common.xlsx"
        assert "WriteOnlyCell" not in source and ".value =" not in source, f"{where} sets a cell's value directly"
