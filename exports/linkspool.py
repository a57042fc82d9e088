"""Hyperlinks in write-only sheets without an object per link: memory flat in the number of links.

openpyxl keeps every hyperlink of a write-only sheet in memory until the sheet is saved (one
Hyperlink object per link), then adds a Relationship object per link and builds the whole
`<hyperlinks>` element and the sheet's `.rels` part as element trees at once: 130 of the 187 MB
an export of 100,000 innovations peaked at. Here a link is a line in a temporary file while the
rows stream; at save, `<hyperlinks>` is written link by link into the sheet, and the `.rels` part
likewise into the archive. The XML says what openpyxl's says (the same ids, targets and order).
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from typing import IO
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.packaging.relationship import Relationship, RelationshipList, get_rels_path
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import PKG_REL_NS, REL_NS
from openpyxl.xml.functions import tostring

from exports.sheetxml import RowWriter

HYPERLINK_TYPE = f"{REL_NS}/hyperlink"
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}  # as ElementTree quotes attributes


class Link:
    """What a cell's hyperlink is to openpyxl's row writer: a target, and the ref it is given."""

    __slots__ = ("ref", "target")

    def __init__(self, target: str):
        self.ref = ""
        self.target = target


class _Spool:
    """A sheet's links, one `ref<TAB>target` line each in a temporary file (targets are web
    addresses without white space: exports.cells.is_web_link)."""

    def __init__(self) -> None:
        self._file: IO[str] | None = None
        self.count = 0

    def append(self, link: Link) -> None:  # what openpyxl calls for each linked cell it writes
        if self._file is None:
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self._file.write(f"{link.ref}\t{link.target}\n")
        self.count += 1

    def __iter__(self) -> Iterator[tuple[str, str]]:
        if self._file is None:
            return
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            ref, _, target = line.rstrip("\n").partition("\t")
            yield ref, target

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _Rels(RelationshipList):
    """The sheet's relationships: its hyperlinks' (rId1…rIdN, from the spool) and the others
    (drawing, tables: objects, numbered after the links, as openpyxl numbers them).

    Falsy on purpose: openpyxl's ExcelWriter writes a sheet's `.rels` as one tree when the list
    is truthy; `LeanWriter` streams this one instead.
    """

    def __init__(self, links: _Spool):
        super().__init__()
        self.links = links

    def append(self, value) -> None:
        if not value.Id:
            value.Id = f"rId{self.links.count + list.__len__(self) + 1}"
        super().append(value)

    def __bool__(self) -> bool:
        return False

    def has_any(self) -> bool:
        return self.links.count > 0 or list.__len__(self) > 0

    def write(self, out: IO[bytes]) -> None:
        out.write(f'<Relationships xmlns="{PKG_REL_NS}">'.encode())
        for n, (_ref, target) in enumerate(self.links, 1):
            out.write(
                f'<Relationship Type="{HYPERLINK_TYPE}" Target="{escape(target, _ATTRIBUTE)}" TargetMode="External" '
                f'Id="rId{n}" />'.encode()
            )
        others: list[Relationship] = list(list.__iter__(self))
        for rel in others:
            out.write(tostring(rel.to_tree()))
        out.write(b"</Relationships>")


class _SheetWriter(WorksheetWriter):
    def __init__(self, ws, out=None):
        super().__init__(ws, out)
        self.ws._hyperlinks = _Spool()
        self._rels = _Rels(self.ws._hyperlinks)

    def write_hyperlinks(self) -> None:
        links = self.ws._hyperlinks
        if not links.count:
            return
        xf = self.xf.send(True)
        write = xf._file  # as text: what ElementTree writes for each (refs are cell coordinates)
        with xf.element("hyperlinks"):
            for n, (ref, _target) in enumerate(links, 1):
                write(f'<hyperlink xmlns:r="{REL_NS}" ref="{escape(ref, _ATTRIBUTE)}" r:id="rId{n}" />')
        self.xf.send(None)


class LeanSheet(WriteOnlyWorksheet):
    """A write-only sheet whose hyperlinks are spooled to disk (cells carry a `Link`), and whose
    rows are written as text where exports.sheetxml can (the same XML, without an element per cell)."""

    _writer: WorksheetWriter | None = None

    def _get_writer(self) -> None:
        if self._writer is None:
            writer = self._writer = _SheetWriter(self)
            writer.write_top()

    def _write_rows(self):
        """openpyxl's WriteOnlyWorksheet._write_rows, with a row written as text when it can be."""
        assert self._writer is not None
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        rows = RowWriter(self)
        write = xf._file  # the stream's text writer: what xf.write(element) ends in
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    values = yield
                    if not isinstance(values, list | tuple):  # a generator is read once
                        values = tuple(values)
                    text = rows.row_xml(values, row_idx)
                    if text is None:
                        self._writer.write_row(xf, self._values_to_row(values, row_idx), row_idx)
                    else:
                        write(text)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)


class LeanWriter(ExcelWriter):
    """openpyxl's workbook writer, streaming the `.rels` part of each `LeanSheet`."""

    def _write_worksheets(self) -> None:
        super()._write_worksheets()
        for ws in self.workbook.worksheets:
            rels = ws._rels
            if isinstance(rels, _Rels):
                if rels.has_any():
                    with self._archive.open(get_rels_path(ws.path)[1:], "w") as out:
                        rels.write(out)
                rels.links.close()


def create_sheet(wb: Workbook, title: str) -> LeanSheet:
    ws = LeanSheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws


def save(wb: Workbook, target: str | IO[bytes]) -> None:
    """`wb.save(target)` (openpyxl's save_workbook), with `LeanWriter`."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    LeanWriter(wb, archive).save()
