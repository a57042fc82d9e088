"""Safe cells for the register: user text is always text, dates are real dates, links are links.

openpyxl turns a string starting with `=` into a formula and `#N/A` (and the other error codes)
into an error value; Excel and LibreOffice turn `+`, `-`, `@` and leading control characters into
formulas when a person edits such a cell. So any text that could be read as one is written as an
explicit string cell with Excel's "quote prefix" style: it shows exactly as typed, stays text when
edited, and the sheet XML never holds an `<f>` element for it.

Cells are built from style arrays prepared once per workbook (`CellMaker`), because a register
has millions of cells and openpyxl's per-attribute style setters are the slow path.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray

from exports.linkspool import Link

MAX_CELL = 32_767  # Excel's limit on characters in one cell
CUT_MARK = " […cut: too long for one Excel cell]"
# First characters that Excel or LibreOffice may read as the start of a formula (or that hide one).
FORMULA_STARTS = frozenset("=+-@\t\r\n")
DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0%"
WRAP_OVER = 60  # text longer than this (or with line breaks) is wrapped in its cell


def clean_text(value: object) -> str:
    """The text as Excel can hold it: illegal control characters removed, cut with a visible mark."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - len(CUT_MARK)] + CUT_MARK
    return text


def needs_guard(text: str) -> bool:
    """Would Excel, LibreOffice or openpyxl read this text as something other than text?"""
    return bool(text) and (text[0] in FORMULA_STARTS or text in ERROR_CODES)


def is_web_link(url: str | None) -> bool:
    if not url:
        return False
    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    return parsed.scheme.lower() in ("http", "https") and bool(parsed.netloc) and not any(c.isspace() for c in url)


class CellMaker:
    """Builds write-only cells for one worksheet from style arrays prepared once per workbook."""

    def __init__(self, ws, styles: Styles):
        self.ws = ws
        self.s = styles
        self._words: dict[str, str | None] = {}

    def _cell(self, value, data_type: str, style: StyleArray) -> Cell:
        cell = Cell(self.ws, 1, 1)  # the real row/column are set when the row is written
        cell._value = value
        cell.data_type = data_type
        cell._style = style  # shared and never mutated: openpyxl only reads it when writing
        return cell

    def text(self, value: object, *, wrap: bool = True, width: int = WRAP_OVER):
        """User text: a plain str when harmless and it fits (the fast path), else a styled cell.

        Text longer than `width` (the column's width in characters) or with line breaks wraps
        in its cell, so it never runs over the next cell on screen or on paper.
        """
        if value is None or value == "":
            return None
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_CELL or ILLEGAL_CHARACTERS_RE.search(text):
            text = clean_text(text)
            if not text:
                return None
        long = wrap and (len(text) > width or "\n" in text)
        if text[0] in FORMULA_STARTS or text in ERROR_CODES:
            return self._cell(text, "s", self.s.guard_wrap if long else self.s.guard)
        if long:
            return self._cell(text, "s", self.s.wrap)
        return text

    def word(self, value: str | None):
        """A short value that repeats (stage, kind, risk, handle): `text`, remembered when plain.

        These come from the vocabulary, but are guarded all the same: the database is not a
        promise about what it holds.
        """
        if value is None:
            return None
        try:
            return self._words[value]
        except KeyError:
            pass
        out = self.text(value, wrap=False)
        if not isinstance(out, Cell):  # a cell is written at one position: never reused
            self._words[value] = out
        return out

    def date(self, moment: datetime | None, zone: ZoneInfo):
        """An aware instant as a date cell holding the naive wall-clock time in `zone` (Excel has no zones)."""
        if moment is None:
            return None
        return self._cell(moment.astimezone(zone).replace(tzinfo=None, microsecond=0), "d", self.s.date)

    def link(self, url: str | None, label: str | None = None, *, width: int = WRAP_OVER):
        """A clickable link for http/https addresses; anything else is shown as (guarded) text."""
        if not url:
            return None
        url = clean_text(url)
        if not is_web_link(url):
            return self.text(url, width=width)
        cell = self._cell(clean_text(label or url), "s", self.s.link)
        cell._hyperlink = Link(url)  # spooled to disk when written (exports/linkspool.py)
        if needs_guard(cell._value):
            cell._style = self.s.link_guard
        return cell

    def percent(self, value: float | None):
        return None if value is None else self._cell(value, "n", self.s.percent)

    def header(self, value: str):
        return self._cell(value, "s", self.s.header)

    def bold(self, value: str):
        return self._cell(value, "s", self.s.bold)

    def title(self, value: str):
        return self._cell(value, "s", self.s.title)

    def note(self, value: str):
        """An italic line of the register's own words (an empty chart's label, say)."""
        return self._cell(value, "s", self.s.note)


class Styles:
    """The register's cell styles, registered in the workbook once."""

    def __init__(self, wb):
        def make(**attrs) -> StyleArray:
            probe = Cell(None)
            probe.parent = _Parent(wb)
            for name, value in attrs.items():
                setattr(probe, name, value)
            return probe._style

        top = Alignment(vertical="top")
        wrap = Alignment(vertical="top", wrap_text=True)
        self.header = make(
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F4E78"),
            alignment=Alignment(vertical="center", wrap_text=True),
        )
        self.bold = make(font=Font(bold=True))
        self.title = make(font=Font(bold=True, size=14))
        self.wrap = make(alignment=wrap)
        self.guard = make(quotePrefix=True, alignment=top)
        self.guard_wrap = make(quotePrefix=True, alignment=wrap)
        self.date = make(number_format=DATE_FORMAT, alignment=top)
        self.percent = make(number_format=PERCENT_FORMAT)
        link_font = Font(color="0563C1", underline="single")
        self.link = make(font=link_font, alignment=wrap)
        self.link_guard = make(font=link_font, alignment=wrap, quotePrefix=True)
        self.top = make(alignment=top)
        self.note = make(font=Font(italic=True), alignment=Alignment(vertical="top", wrap_text=False))


class _Parent:
    """Just enough of a worksheet for a detached probe cell to register styles in the workbook."""

    def __init__(self, wb):
        self.parent = wb
