"""The spooled hyperlinks write the same workbook as openpyxl's own write-only writer, part for part."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from exports import linkspool
from exports.cells import CellMaker, Styles
from exports.workbook import bar_chart, table

MODIFIED = re.compile(rb"<dcterms:modified[^<]*</dcterms:modified>|<dcterms:created[^<]*</dcterms:created>")


def build(lean: bool) -> bytes:
    wb = Workbook(write_only=True)
    styles = Styles(wb)
    out = io.BytesIO()
    sheets = []
    for title in ("Links", "Counts", "None"):
        ws = linkspool.create_sheet(wb, title) if lean else wb.create_sheet(title)
        sheets.append(ws)
    links, counts, _empty = sheets
    cells = CellMaker(links, styles)
    links.append(["Ref", "Link", "Note"])
    for n in range(1, 40):
        url = f'https://example.org/{n}?a=1&b="{n}"' if n % 3 else "not a link"
        link = cells.link(url)
        if not lean and link is not None and not isinstance(link, str) and link.hyperlink is not None:
            link.hyperlink = link.hyperlink.target  # openpyxl's own Hyperlink object, for the stock writer
        links.append([f"INN-{n}", link, cells.text("=1+1")])
    table(links, "Links", ["Ref", "Link", "Note"], 39)
    counts.append(["Stage", "Innovations"])
    for stage, n in (("idea", 3), ("piloting", 5)):
        counts.append([stage, n])
    counts.add_chart(bar_chart(counts, "Per stage", "Innovations", 1, 2, 5), "A5")
    table(counts, "Counts", ["Stage", "Innovations"], 2)
    if lean:
        linkspool.save(wb, out)
    else:
        wb.save(out)
    return out.getvalue()


def test_lean_writer_writes_what_openpyxl_writes():
    stock, lean = zipfile.ZipFile(io.BytesIO(build(False))), zipfile.ZipFile(io.BytesIO(build(True)))
    assert sorted(stock.namelist()) == sorted(lean.namelist())
    assert "xl/worksheets/_rels/sheet1.xml.rels" in lean.namelist()
    for name in stock.namelist():
        assert MODIFIED.sub(b"", stock.read(name)) == MODIFIED.sub(b"", lean.read(name)), name
    ws = load_workbook(io.BytesIO(build(True)))["Links"]
    assert ws["B2"].hyperlink.target == 'https://example.org/1?a=1&b="1"' and ws["B4"].hyperlink is None
    assert ws.tables["Links"].ref == "A1:C40"
