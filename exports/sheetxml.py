"""A write-only sheet's row as XML text, the bytes openpyxl's own writer would write, ~5× sooner.

Without lxml, openpyxl builds an ElementTree element per cell and serialises it through
et_xmlfile's namespace-aware writer: three quarters of a register export's time went there (the
floor of bench/export_scale.py pays it too). `row_xml` writes the common cells straight as text:
plain str, int and float values, and the register's own cells (exports/cells.py: inline strings,
dates, numbers, shared styles, links). Anything else (a formula, an error code, a comment, a
row with its own height, a naive datetime value that openpyxl would give a number format,
illegal characters) returns None, and the sheet writes that row the stock way; so the
sheet's XML is the same either way (tests/test_export_sheetxml.py compares them).
"""

from __future__ import annotations

from datetime import datetime
from math import isfinite
from typing import Any
from xml.sax.saxutils import escape  # & < > : what ElementTree escapes in text

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

_illegal = ILLEGAL_CHARACTERS_RE.search
LETTERS = [""] + [get_column_letter(i) for i in range(1, 101)]


class RowWriter:
    """Per sheet: the style ids already registered in the workbook, by the style's bytes."""

    def __init__(self, ws):
        self.ws = ws
        self.wb = ws.parent
        self.style_ids: dict[bytes, str] = {}

    def _style_id(self, style) -> str:
        key = style.tobytes()
        sid = self.style_ids.get(key)
        if sid is None:  # registers it in the workbook, in first-use order, as openpyxl does
            sid = self.style_ids[key] = f"{self.wb._cell_styles.add(style)}"
        return sid

    def row_xml(self, values, row_idx: int) -> str | None:
        """`<row r="…">…</row>` for `values`, or None when openpyxl must write this row itself."""
        if row_idx in self.ws.row_dimensions:
            return None
        row = str(row_idx)
        parts = [f'<row r="{row}">']
        add = parts.append
        links: list[tuple[Any, str]] = []
        for col, value in enumerate(values, 1):
            if value is None:
                continue
            t = type(value)
            ref = (LETTERS[col] if col <= 100 else get_column_letter(col)) + row
            if t is str:
                # openpyxl makes "=…" a formula and "#N/A" an error, cuts and refuses: its call
                if (
                    len(value) > 32_767
                    or _illegal(value)
                    or (len(value) > 1 and value[0] == "=")
                    or value in ERROR_CODES
                ):
                    return None
                add(f'<c r="{ref}" t="inlineStr"{_inline(value)}')
            elif t is int or (t is float and isfinite(value)):
                add(f'<c r="{ref}" t="n"><v>{_number(value)}</v></c>')
            elif t is Cell:
                cell = self._cell(value, ref, links)
                if cell is None:
                    return None
                add(cell)
            else:  # bool, dates, Decimal, rich text, …: openpyxl's own rules
                return None
        add("</row>")
        for link, ref in links:  # as openpyxl does, once the whole row is known to be written here
            link.ref = ref
            if link:
                self.ws._hyperlinks.append(link)
        return "".join(parts)

    def _cell(self, cell: Cell, ref: str, links: list[tuple[Any, str]]) -> str | None:
        """A prepared cell (its value bound as is, never re-checked by openpyxl either)."""
        value, kind = cell._value, cell.data_type
        if value is None or cell._comment is not None:
            return None
        if cell._hyperlink is not None:
            links.append((cell._hyperlink, ref))
        style = cell._style
        s = f' s="{self._style_id(style)}"' if style is not None and any(style) else ""
        t = type(value)
        if kind == "s" and t is str:
            return f'<c r="{ref}"{s} t="inlineStr"{_inline(value)}'
        if kind == "d" and t is datetime and value.tzinfo is None and not self.wb.iso_dates:
            return f'<c r="{ref}"{s} t="n"><v>{_number(to_excel(value, self.wb.epoch))}</v></c>'
        if kind == "n" and (t is int or (t is float and isfinite(value))):
            return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
        return None


def _number(value: float) -> str:
    return "%.16g" % value  # noqa: UP031  (openpyxl.compat.safe_string's format, to the byte)


def _inline(value: str) -> str:
    """An inline string cell after its `t` attribute, as ElementTree writes it."""
    if not value:
        return " />"
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f"><is><t{space}>{escape(value)}</t></is></c>"
