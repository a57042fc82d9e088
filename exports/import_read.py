"""Reading an uploaded register safely: size and zip checks first, then openpyxl read-only.

Nothing is evaluated: a formula cell is an error (its text is never run or trusted), every other
value is read as text, except dates, which stay dates. The checks run before openpyxl touches
the file, from the zip's own directory, so a zip bomb is refused without being expanded.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from exports.columns import INNOVATIONS, headers_in, sheet_names_in
from models.vocab import LANGUAGES

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_EXPANDED = 300 * 1024 * 1024  # what the whole zip may expand to
MAX_RATIO = 150  # a member compressing better than this is a bomb, not a spreadsheet
MAX_MEMBERS = 5_000
CHUNK_ROWS = 1_000  # rows planned at a time (exports/importer.py)
KEYS: tuple[str, ...] = tuple(c.key for c in INNOVATIONS)
REQUIRED = ("title", "group")
MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')


class Refused(Exception):
    """The file as a whole cannot be imported; the message says why, in one line."""


@dataclass
class Problem:
    row: int | None
    column: str | None
    text: str

    def line(self) -> str:
        where = ", ".join(
            p for p in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "") if p
        )
        return f"{where}: {self.text}" if where else self.text


@dataclass
class Sheet:
    name: str
    columns: dict[str, int]  # field key -> 0-based position in the row
    headers: dict[str, str]  # field key -> the header as written in the file
    notes: list[Problem] = field(default_factory=list)


def _norm(header: object) -> str:
    return " ".join(str(header).split()).casefold() if header is not None else ""


@cache
def header_keys() -> dict[str, str]:
    """Any language's header -> field key (the Innovations columns only)."""
    return {_norm(header): key for language in LANGUAGES for key, header in headers_in(language, KEYS).items()}


@cache
def sheet_names() -> frozenset[str]:
    """The Innovations sheet's name in every language."""
    return frozenset(_norm(sheet_names_in(language)["innovations"]) for language in LANGUAGES)


def check_archive(data: bytes) -> zipfile.ZipFile:
    """The bytes as a zip that is plausibly an .xlsx, or Refused."""
    if not data:
        raise Refused("the file is empty.")
    if len(data) > MAX_BYTES:
        raise Refused(f"the file is {len(data) / 1024 / 1024:.1f} MB; {MAX_BYTES // 1024 // 1024} MB is the most.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused("this is not an .xlsx workbook (it is not even a zip file).") from None
    if len(members) > MAX_MEMBERS:
        raise Refused(f"the workbook holds {len(members)} parts; that is not a register.")
    expanded = sum(m.file_size for m in members)
    if expanded > MAX_EXPANDED:
        raise Refused(f"the workbook would expand to {expanded / 1024 / 1024:.0f} MB; it looks like a zip bomb.")
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise Refused(
                f"{m.filename[:60]} expands {m.file_size // max(m.compress_size, 1)}-fold; it looks like a zip bomb."
            )
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise Refused("this is not an .xlsx workbook (a zip file, but without a workbook in it).")
    return archive


def open_workbook(data: bytes):
    archive = check_archive(data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; each means the same here
        raise Refused(f"this .xlsx workbook cannot be read ({type(exc).__name__}).") from None
    return wb, archive


def _header_row(ws) -> tuple[int, list] | None:
    for number, row in enumerate(ws.iter_rows(min_row=1, max_row=5, values_only=True), 1):
        if any(v not in (None, "") for v in row):
            return number, list(row)
    return None


def find_sheet(wb) -> tuple[object, Sheet, int]:
    """The Innovations sheet (by name, in any language, else the first with its headers)."""
    candidates = sorted(wb.worksheets, key=lambda ws: _norm(ws.title) not in sheet_names())
    for ws in candidates:
        found = _header_row(ws)
        if found is None:
            continue
        number, row = found
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        notes: list[Problem] = []
        for index, value in enumerate(row):
            key = header_keys().get(_norm(value))
            if key is None:
                if value not in (None, ""):
                    notes.append(Problem(None, str(value)[:60], "not a register column: ignored."))
                continue
            if key in columns:
                raise Refused(f"sheet {ws.title}: the column {value} appears twice.")
            columns[key], headers[key] = index, str(value)
        if all(k in columns for k in REQUIRED):
            for key in ("logged_by", "updated"):
                if key in columns:
                    notes.append(Problem(None, headers[key], "written by the bot: not imported."))
            return ws, Sheet(ws.title, columns, headers, notes), number
    raise Refused("no sheet has the register's headers (at least Title and Action group, or Titel and Actiegroep).")


def merged_ranges(archive: zipfile.ZipFile, ws) -> list[str]:
    """Merged ranges of a read-only sheet (openpyxl does not parse them in that mode)."""
    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    found: list[str] = []
    tail = b""
    with archive.open(path) as xml:
        while chunk := xml.read(1 << 20):
            block = tail + chunk
            found += [m.decode() for m in MERGE_RE.findall(block)]
            tail = block[-200:]
            found = list(dict.fromkeys(found))  # a match in the overlap is found twice
    return found


def as_text(value) -> str:
    """A cell's value as the text a person sees (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


@dataclass(slots=True)
class RawRow:
    number: int  # the sheet's row number
    values: tuple  # per KEYS: text, a datetime (dates only), or None when the sheet has no such column
    problems: list[Problem]


def read_rows(ws, sheet: Sheet, header_row: int, notes: list[Problem]) -> Iterator[RawRow]:
    """Non-blank rows below the header; blank ones become one note per run of them."""
    positions = [sheet.columns.get(k) for k in KEYS]
    width = max(sheet.columns.values()) + 1
    blank_from = None
    count = 0
    for number, cells in enumerate(ws.iter_rows(min_row=header_row + 1, max_col=width), header_row + 1):
        if all(getattr(c, "value", None) in (None, "") for c in cells):
            if blank_from is None:
                blank_from = number
            continue
        if blank_from is not None:
            span = f"row {blank_from}" if blank_from == number - 1 else f"rows {blank_from}–{number - 1}"
            notes.append(Problem(None, None, f"{span} blank: skipped."))
            blank_from = None
        count += 1
        if count > MAX_ROWS:
            raise Refused(f"the sheet has more than {MAX_ROWS:,} rows; split it into smaller files.")
        problems: list[Problem] = []
        values: list[object] = []
        for key, pos in zip(KEYS, positions, strict=True):
            if pos is None:
                values.append(None)
                continue
            cell = cells[pos] if pos < len(cells) else None
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                problems.append(
                    Problem(
                        number, sheet.headers[key], "a formula; type the value itself (formulas are never evaluated)."
                    )
                )
                value = None
            values.append(value if isinstance(value, datetime | date) and key == "logged_on" else as_text(value))
        yield RawRow(number, tuple(values), problems)


class RowSpool:
    """The sheet's rows, kept compressed a chunk at a time until they are planned.

    As Python objects 50,000 rows take ~100 MB; as compressed JSON, a tenth of that. The rows are
    read in full before any planning, so the whole file is checked before the database is
    touched and an apply holds its write lock only to plan and write.
    """

    def __init__(self, chunk_rows: int | None = None) -> None:
        self.chunk_rows = chunk_rows or CHUNK_ROWS
        self.count = 0
        self._packed: list[bytes] = []
        self._pending: list[RawRow] = []

    def append(self, row: RawRow) -> None:
        self.count += 1
        self._pending.append(row)
        if len(self._pending) >= self.chunk_rows:
            self._pack()

    def _pack(self) -> None:
        if self._pending:
            rows = [
                [r.number, [_pack_value(v) for v in r.values], [[p.row, p.column, p.text] for p in r.problems]]
                for r in self._pending
            ]
            # surrogatepass: any str comes back as it went in, even one no XML parser would give.
            text = json.dumps(rows, ensure_ascii=False)
            self._packed.append(zlib.compress(text.encode("utf-8", "surrogatepass"), 1))
            self._pending = []

    def chunks(self) -> Iterator[list[RawRow]]:
        """The rows in sheet order, `chunk_rows` at a time."""
        self._pack()
        for packed in self._packed:
            yield [
                RawRow(number, tuple(_unpack_value(v) for v in values), [Problem(*p) for p in problems])
                for number, values, problems in json.loads(zlib.decompress(packed).decode("utf-8", "surrogatepass"))
            ]


def _pack_value(value: object) -> object:
    """Text and None as they are; a date (the only other kind a row holds) as [kind, ISO text]."""
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    return value


def _unpack_value(value: object) -> object:
    if isinstance(value, list):
        kind, text = value
        return datetime.fromisoformat(text) if kind == "datetime" else date.fromisoformat(text)
    return value


def as_read_back(value: object) -> object:
    """A stored value as a workbook gives it back: XML turns every CR and CRLF into LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
