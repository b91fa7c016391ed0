"""Values into Excel cells, safely: the one way every workbook yekuo writes (order lists, daily lists,
bulletins) puts a value into a cell (O5; OWASP ASVS 5.3.10, formula injection).

- Text is always text: a customer named `=HYPERLINK(…)` or `+86…` is written as a string cell, with the
  quote prefix (Excel's leading apostrophe) when it starts with a character a spreadsheet would read as a
  formula (= + - @, tab, carriage return), so that it stays text when someone edits the cell either.
- A carriage return is written as the line feed an XML reader makes of it (XML 1.0 §2.11): openpyxl's
  lxml writer escapes it (`&#13;`, read back as CR) where its plain writer does not (read back as LF), and a
  file must say the same whichever writer made it. The formula test is made before, on the text as stored.
- Characters that XML 1.0 cannot hold (control characters other than tab and line breaks) are dropped:
  openpyxl refuses them (IllegalCharacterError), and one such name must not break the export of a whole
  branch. The order service's input rule keeps them out; this keeps any older row exportable.

Numbers, dates and None pass through unchanged. Use `cell()` for write-only sheets (a row is a list of
cells) and `put()` on a cell of an ordinary sheet; `WriteOnlyCell` and `Cell.value` are used nowhere else
(yekuo/common/tests/test_xlsx.py checks that every module that writes a workbook goes through here).
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# What makes Excel, LibreOffice or Google Sheets read typed text as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def strip_illegal(text: str) -> str:
    """The text without the characters an .xlsx file cannot contain."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _line_feeds(text: str) -> str:
    """CR LF and a lone CR as LF, as an XML reader normalises them (module docstring)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def put(target: Cell, value) -> Cell:
    """Set the cell's value; text is written as text, never as a formula."""
    if not isinstance(value, str):
        target.value = value
        return target
    text = strip_illegal(value)
    target.value = _line_feeds(text)
    target.data_type = "s"  # openpyxl makes any string starting with "=" a formula
    if text.startswith(FORMULA_STARTS):
        target.quotePrefix = True
    return target


def plain(sheet, value):
    """`value` for a write-only row as cheaply as is safe: numbers, None and ordinary text go in as plain values
    (openpyxl makes each a cell itself, several times faster than building a styled cell here), text that a
    spreadsheet would read as a formula gets the quoted text cell of `cell()`."""
    if not isinstance(value, str):
        return value
    text = strip_illegal(value)
    # openpyxl only turns a plain string into a formula when it starts with "="; the others get the quote prefix.
    return cell(sheet, text) if text.startswith(FORMULA_STARTS) else _line_feeds(text)


def cell(sheet, value, *, number_format: str | None = None, font=None) -> Cell:
    """A cell for a write-only sheet's row (`sheet.append([cell(sheet, v), …])`)."""
    target = put(WriteOnlyCell(sheet), value)
    if number_format:
        target.number_format = number_format
    if font is not None:
        target.font = font
    return target


def read_first_sheet(handle) -> list[tuple]:
    """The values of every row of the first sheet of the workbook `handle` (a path or a binary file), formulas
    as their cached values (never evaluated); InvalidInput (field "file") when it is not an .xlsx workbook."""
    from openpyxl import load_workbook

    from yekuo.common.errors import InvalidInput

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(f"not an Excel workbook (.xlsx): {exc.__class__.__name__}", field="file") from None
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
