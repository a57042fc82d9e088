"""Rows written as text (exports/sheetxml.py) are the bytes openpyxl's own row writer writes."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from exports import linkspool, sheetxml
from exports.cells import CellMaker, Styles

MODIFIED = re.compile(rb"<dcterms:modified[^<]*</dcterms:modified>|<dcterms:created[^<]*</dcterms:created>")
ZONE = ZoneInfo("Europe/Amsterdam")
ROW_XML = sheetxml.RowWriter.row_xml
PLAIN = [
    "plain",
    "",
    " leading",
    "trailing ",
    "   ",
    "tab\tinside",
    "line\nbreak",
    "\r\ncarriage",
    "a & b < c > d \"quoted\" 'single'",
    "=",
    "=1+1",
    "#N/A",
    "#DIV/0!",
    "-1",
    "+x",
    "@SUM(A1)",
    "ünïcødé — 🙂",
    "x" * 40_000,
]
NUMBERS = [0, -7, 12, 10**17, 2**70, 0.1, 1 / 3, -1e-20, 1e300, float("nan"), float("inf")]
OTHERS = [True, False, datetime(2026, 3, 1, 9, 30), date(2026, 3, 1), Decimal("1.25")]


def rows(cells: CellMaker, ws) -> list[tuple]:
    moment = datetime(2026, 3, 1, 8, 15, 42, tzinfo=UTC)
    styled = WriteOnlyCell(ws, "bold")
    styled.font = Font(bold=True)
    general = WriteOnlyCell(ws, "a style of defaults only")
    general.number_format = "General"  # a style array of zeros: written without `s`
    assert general._style is not None and not any(general._style)
    out: list = [[cells.header("Ref"), cells.header("Value"), "Note"]]
    out += [(f"INN-{n}", value, n) for n, value in enumerate(PLAIN + NUMBERS + OTHERS)]
    out += [
        (cells.text(value, width=10) for value in [*PLAIN, "bell\x07"]),  # a generator, read once
        [cells.word(v) for v in ("idea", "=idea", "idea")],
        [cells.date(moment, ZONE), cells.percent(0.25), cells.percent(1), None, cells.date(None, ZONE)],
        [cells.link("https://example.org/a?b=1&c=2"), cells.link("=not a link"), cells.link("https://x.org", "=Label")],
        [cells.note("italic"), cells.bold("bold"), cells.title("title"), styled, general, WriteOnlyCell(ws, "x")],
        [],
        [None, None, "after two blanks"],
        [f"col {n}" for n in range(1, 130)],  # past the prepared column letters
        ["a row with its own height"],
    ]
    return out


def build(fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, int]:
    """The workbook, and how many rows the text writer wrote."""
    written = 0

    def counted(self, values, row_idx):
        nonlocal written
        text = ROW_XML(self, values, row_idx) if fast else None
        written += text is not None
        return text

    monkeypatch.setattr(sheetxml.RowWriter, "row_xml", counted)
    wb = Workbook(write_only=True)
    styles = Styles(wb)
    ws = linkspool.create_sheet(wb, "Values")
    cells = CellMaker(ws, styles)
    data = rows(cells, ws)
    ws.row_dimensions[len(data)].height = 30
    for row in data:
        ws.append(row)
    out = io.BytesIO()
    linkspool.save(wb, out)
    return out.getvalue(), written


def test_text_rows_are_openpyxls_rows(monkeypatch):
    stock, none_fast = build(False, monkeypatch)
    fast, written = build(True, monkeypatch)
    assert none_fast == 0
    # Most rows take the text path; formulas, error codes, other types, the cut text, the row
    # with a height are openpyxl's.
    assert written >= 25
    a, b = zipfile.ZipFile(io.BytesIO(stock)), zipfile.ZipFile(io.BytesIO(fast))
    assert a.namelist() == b.namelist()
    for name in a.namelist():
        assert MODIFIED.sub(b"", a.read(name)) == MODIFIED.sub(b"", b.read(name)), name


def test_text_rows_read_back(monkeypatch):
    fast, _ = build(True, monkeypatch)
    ws = load_workbook(io.BytesIO(fast))["Values"]
    values = PLAIN + NUMBERS
    for index in (0, 2, 8, 13, 16):
        assert ws.cell(2 + index, 2).value == values[index]
    assert ws.cell(2 + PLAIN.index("=1+1"), 2).data_type == "f"  # a plain "=…" str stays openpyxl's formula
    assert ws.cell(2 + len(PLAIN) + NUMBERS.index(10**17), 2).value == 10**17
    guarded = next(r for r in ws.iter_rows() if r[0].value == "plain" and r[0].column == 1)
    assert guarded[PLAIN.index("=1+1")].value == "=1+1" and guarded[PLAIN.index("=1+1")].quotePrefix
    links = next(r for r in ws.iter_rows() if r[0].hyperlink is not None)
    assert [c.hyperlink.target for c in links if c.hyperlink] == ["https://example.org/a?b=1&c=2", "https://x.org"]
