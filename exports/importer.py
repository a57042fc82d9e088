"""Import of the Innovations sheet: read, compare with the database, and apply all or nothing.

`preview(db, data)` reports what would change and writes nothing; `apply(db, data, actor_id, now)`
applies it in one transaction when no row has an error (and nothing at all when one has). Both
take the file's bytes and return an `ImportReport`, so the CLI and a Slack upload share them.
A row's fields are compared after the same normalising the bot does when a person types them,
and against what an export writes, so re-importing an export reports no changes.
Rows are planned a chunk at a time (`_Planner`), so neither a 50,000-row sheet nor the
innovations it names are in memory all at once; only what the report and the apply need is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports import import_read as R
from exports.cells import clean_text
from exports.columns import header
from exports.import_plan import (
    FIELDS,
    Existing,
    clean_field,
    load_existing,
    load_matches,
    stored_value,
)
from exports.import_read import Problem, Refused, as_read_back
from exports.import_write import write_report
from models.db import Database
from models.deliveries import claim_delivery
from models.errors import DomainError
from models.groups import Group, normalise_handle

SHOW = 60  # characters of a value a report shows
REF_RE = re.compile(r"^\s*(?:INN-?)?\s*([0-9]{1,9})\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Change:
    """One changed field, its values as the report shows them (a report of 50,000 keeps no more)."""

    field: str  # the column's header
    before: str
    after: str


@dataclass(slots=True)
class Planned:
    row: int
    ref: int | None  # None: a new innovation
    handle: str
    title: str
    values: dict  # field -> clean value to write (new: every field; changed: the changed ones)
    changes: list[Change] = field(default_factory=list)


@dataclass
class ImportReport:
    sheet: str = ""
    rows: int = 0
    new: list[Planned] = field(default_factory=list)
    changed: list[Planned] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    groups_to_create: list[str] = field(default_factory=list)
    applied: bool = False
    already: bool = False  # `once` was claimed before: applied by an earlier request, nothing now
    headers: dict[str, str] = field(default_factory=dict)  # field -> the header as the file wrote it

    @property
    def ok(self) -> bool:
        return not self.errors


def preview(db: Database, data: bytes, *, create_groups: bool = False, timezone: str = "UTC") -> ImportReport:
    """What importing `data` would change; writes nothing."""
    report, rows = _read(data)
    if rows is None:
        return report
    with db.snapshot() as session:
        _plan(session, report, rows, create_groups, ZoneInfo(timezone))
    return report


def apply(
    db: Database,
    data: bytes,
    actor_id: str | None,
    now: datetime,
    *,
    create_groups: bool = False,
    timezone: str = "UTC",
    once: str | None = None,
) -> ImportReport:
    """Import `data` in one transaction: everything, or nothing when any row has an error.

    `once`: a delivery key (models/deliveries.py) claimed in the same transaction, so a second
    request applies nothing, and a failed one leaves the key free to try again.
    """
    report, rows = _read(data)
    if rows is None:
        return report
    with db.transaction() as session:
        _plan(session, report, rows, create_groups, ZoneInfo(timezone))
        if report.errors:
            return report
        if once is not None and not claim_delivery(session, once, now):
            report.already = True
            return report
        write_report(session, report, actor_id, now)
        report.applied = True
    return report


def _read(data: bytes) -> tuple[ImportReport, R.RowSpool | None]:
    report = ImportReport()
    rows = R.RowSpool()
    try:
        wb, archive = R.open_workbook(data)
        try:
            ws, sheet, header_row = R.find_sheet(wb)
            report.sheet = sheet.name
            report.notes += sheet.notes
            for merged in R.merged_ranges(archive, ws):
                first = re.search(r"[0-9]+", merged)
                report.errors.append(
                    Problem(
                        int(first.group()) if first else None,
                        None,
                        f"merged cells {merged}; unmerge them so each value has its own cell.",
                    )
                )
            for row in R.read_rows(ws, sheet, header_row, report.notes):
                rows.append(row)
        finally:
            wb.close()
    except Refused as exc:
        report.errors.append(Problem(None, None, str(exc)))
        return report, None
    report.rows = rows.count
    report.headers = sheet.headers
    return report, rows


def _plan(session: Session, report: ImportReport, rows: R.RowSpool, create_groups: bool, zone: ZoneInfo) -> None:
    planner = _Planner(session, report, create_groups, zone)
    for chunk in rows.chunks():
        planner.plan_chunk(chunk)
    report.groups_to_create = sorted(planner.to_create)


INDEX = {key: i for i, key in enumerate(R.KEYS)}


class _Planner:
    """Plans the rows a chunk at a time, in sheet order.

    A chunk loads only the innovations its rows name (by Ref, or by group and title), so memory
    holds one chunk's rows and innovations besides what the report keeps; what a later row is
    checked against (Refs and new titles already seen, the groups) is kept for the whole sheet,
    so the report is the same as planning every row at once.
    """

    def __init__(self, session: Session, report: ImportReport, create_groups: bool, zone: ZoneInfo) -> None:
        self.session, self.report, self.create_groups, self.zone = session, report, create_groups, zone
        self.groups = {g.handle: g for g in session.scalars(select(Group))}
        self.refs: dict[int, int] = {}  # ref -> the first row naming it
        self.new_keys: dict[tuple[str, str], int] = {}  # (handle, lower-case title) -> the first new row
        self.to_create: dict[str, int] = {}
        self._matches: dict[tuple[int, str], list[int]] | None = None

    def col(self, key: str) -> str:
        return self.report.headers.get(key) or header(key)

    def matches(self) -> dict[tuple[int, str], list[int]]:
        """Loaded the first time a row has no Ref to match by: a sheet of Refs never needs it."""
        if self._matches is None:
            self._matches = load_matches(self.session, [g.id for g in self.groups.values()])
        return self._matches

    def plan_chunk(self, rows: list[R.RawRow]) -> None:
        wanted: set[int] = set()
        for raw in rows:
            found = REF_RE.match(raw.values[INDEX["ref"]] or "")
            if found:
                wanted.add(int(found.group(1)))
                continue
            # No Ref: the innovation a row matches by title (plan_row checks it again, with errors).
            try:
                handle = normalise_handle(raw.values[INDEX["group"]] or "")
            except DomainError:
                continue
            title = str(clean_field("title", raw.values[INDEX["title"]] or "", self.zone)[0] or "")
            if handle in self.groups and title:
                ids = self.matches().get((self.groups[handle].id, title.lower()), [])
                if len(ids) == 1:
                    wanted.add(ids[0])
        existing = load_existing(self.session, wanted)
        for raw in rows:
            self.plan_row(raw, existing)

    def plan_row(self, raw: R.RawRow, existing: dict[int, Existing]) -> None:
        col = self.col
        errors = list(raw.problems)
        get = {key: raw.values[i] for key, i in INDEX.items()}
        refs = self.refs
        ref = None
        if get["ref"]:
            found = REF_RE.match(get["ref"])
            if not found:
                errors.append(
                    Problem(raw.number, col("ref"), f"{clean_text(get['ref'])[:30]!r} is not a Ref like INN-12.")
                )
            else:
                ref = int(found.group(1))
                if ref in refs:
                    errors.append(
                        Problem(
                            raw.number, col("ref"), f"INN-{ref} is also on row {refs[ref]}; one row per innovation."
                        )
                    )
                    ref = None
                elif ref not in existing:
                    errors.append(Problem(raw.number, col("ref"), f"there is no innovation INN-{ref}."))
                    ref = None
                else:
                    refs[ref] = raw.number
        handle = ""
        if get["group"]:
            try:
                handle = normalise_handle(get["group"])
            except DomainError:
                errors.append(
                    Problem(
                        raw.number, col("group"), f"{clean_text(get['group'])[:40]!r} is not an action group handle."
                    )
                )
        clean_title, title_error = clean_field("title", get["title"] or "", self.zone)
        title = str(clean_title or "")
        if title_error:
            errors.append(Problem(raw.number, col("title"), title_error))
        current: Existing | None = existing.get(ref) if ref is not None else None
        if current is None and ref is None and handle in self.groups and title:
            found_ids = self.matches().get((self.groups[handle].id, title.lower()), [])
            if len(found_ids) > 1:
                refs_ = " and ".join(f"INN-{i}" for i in found_ids[:3])
                errors.append(
                    Problem(raw.number, col("title"), f"matches {refs_} in {handle}; add the Ref to say which.")
                )
            elif found_ids:
                ref = found_ids[0]
                if ref in refs:
                    errors.append(
                        Problem(raw.number, col("title"), f"the same innovation (INN-{ref}) as row {refs[ref]}.")
                    )
                else:
                    refs[ref] = raw.number
                    # Loaded with the chunk, unless the row's Ref was wrong (then it is matched by title).
                    current = existing.get(ref) or load_existing(self.session, {ref})[ref]
                    existing[ref] = current
        if current is not None:
            self.plan_existing(raw, get, current, handle, title, errors)
        else:
            self.plan_new(raw, get, handle, title, errors)

    def plan_existing(
        self, raw: R.RawRow, get: dict, current: Existing, handle: str, title: str, errors: list[Problem]
    ) -> None:
        report, col = self.report, self.col
        if handle and handle != current.handle:
            errors.append(
                Problem(
                    raw.number,
                    col("group"),
                    f"INN-{current.id} belongs to {current.handle}, not {handle}; import does not move innovations.",
                )
            )
        planned = Planned(raw.number, current.id, current.handle, title or current.title, {})
        for key in FIELDS:
            value = get[key]
            if value is None or key == "logged_on":  # the column is not in the sheet, or is kept as recorded
                continue
            if key == "stage" and not value.strip():
                continue
            clean, error = clean_field(key, value, self.zone)
            before = stored_value(current, key)
            if clean == before or clean == as_read_back(before):  # unchanged: not checked again
                continue
            if error:
                errors.append(Problem(raw.number, col(key), error))
                continue
            planned.values[key] = clean
            planned.changes.append(Change(col(key), shown(before), shown(clean)))
        if errors:
            report.errors += errors
        elif planned.values:
            report.changed.append(planned)
        else:
            report.unchanged += 1

    def plan_new(self, raw: R.RawRow, get: dict, handle: str, title: str, errors: list[Problem]) -> None:
        report, col = self.report, self.col
        if not handle and not any(e.column == col("group") for e in errors):
            errors.append(Problem(raw.number, col("group"), "the action group is missing."))
        group = self.groups.get(handle)
        if handle and group is None:
            if self.create_groups:
                self.to_create.setdefault(handle, raw.number)
            else:
                errors.append(
                    Problem(
                        raw.number,
                        col("group"),
                        f"there is no action group {handle}; import with --create-groups to create it.",
                    )
                )
        elif group is not None and group.archived_at is not None:
            errors.append(Problem(raw.number, col("group"), f"{handle} is archived; new innovations cannot join it."))
        if title and handle:
            key_ = (handle, title.lower())
            if key_ in self.new_keys:
                errors.append(
                    Problem(raw.number, col("title"), f"the same action group and title as row {self.new_keys[key_]}.")
                )
            else:
                self.new_keys[key_] = raw.number
        values: dict = {}
        for key in FIELDS:
            if key == "stage" and not (get[key] or "").strip():
                values[key] = "exploring"
                continue
            clean, error = clean_field(key, get[key] or "" if key != "logged_on" else get[key], self.zone)
            if error:
                errors.append(Problem(raw.number, col(key), error))
            values[key] = clean
        if errors:
            report.errors += errors
        else:
            report.new.append(Planned(raw.number, None, handle, title, values))


def shown(value) -> str:
    """A value as a report shows it: on one line, at most SHOW characters."""
    text = " ".join(_show(value).split())
    return text if len(text) <= SHOW else text[: SHOW - 1] + "…"


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
