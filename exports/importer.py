"""Import of the Innovations sheet: read, compare with the database, and apply all or nothing.

`preview(db, data)` reports what would change and writes nothing; `apply(db, data, actor_id, now)`
applies it in one transaction when no row has an error (and nothing at all when one has). Both
take the file's bytes and return an `ImportReport`, so the CLI and a Slack upload share them.
A row's fields are compared after the same normalising the bot does when a person types them,
and against what an export writes, so re-importing an export reports no changes.
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

REF_RE = re.compile(r"^\s*(?:INN-?)?\s*([0-9]{1,9})\s*$", re.IGNORECASE)


@dataclass
class Change:
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


def _read(data: bytes) -> tuple[ImportReport, list[R.RawRow] | None]:
    report = ImportReport()
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
            rows = list(R.read_rows(ws, sheet, header_row, report.notes))
        finally:
            wb.close()
    except Refused as exc:
        report.errors.append(Problem(None, None, str(exc)))
        return report, None
    report.rows = len(rows)
    report.headers = sheet.headers
    return report, rows


def _plan(session: Session, report: ImportReport, rows: list[R.RawRow], create_groups: bool, zone: ZoneInfo) -> None:
    headers = report.headers
    index = {key: i for i, key in enumerate(R.KEYS)}
    groups = {g.handle: g for g in session.scalars(select(Group))}
    refs: dict[int, int] = {}  # ref -> the first row naming it
    wanted: set[int] = set()
    for raw in rows:
        ref_text = raw.values[index["ref"]]
        if ref_text:
            found = REF_RE.match(ref_text)
            if found:
                wanted.add(int(found.group(1)))
    existing = load_existing(session, wanted)
    matches = load_matches(session, [g.id for g in groups.values()])
    new_keys: dict[tuple[str, str], int] = {}
    to_create: dict[str, int] = {}

    def col(key: str) -> str:
        return headers.get(key) or header(key)

    for raw in rows:
        errors = list(raw.problems)
        get = {key: raw.values[i] for key, i in index.items()}
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
        clean_title, title_error = clean_field("title", get["title"] or "", zone)
        title = str(clean_title or "")
        if title_error:
            errors.append(Problem(raw.number, col("title"), title_error))
        current: Existing | None = existing.get(ref) if ref is not None else None
        if current is None and ref is None and handle in groups and title:
            found_ids = matches.get((groups[handle].id, title.lower()), [])
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
                    current = existing.get(ref) or load_existing(session, {ref})[ref]
                    existing[ref] = current
        if current is not None:
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
                clean, error = clean_field(key, value, zone)
                before = stored_value(current, key)
                if clean == before or clean == as_read_back(before):  # unchanged: not checked again
                    continue
                if error:
                    errors.append(Problem(raw.number, col(key), error))
                    continue
                planned.values[key] = clean
                planned.changes.append(Change(col(key), _show(before), _show(clean)))
            if errors:
                report.errors += errors
            elif planned.values:
                report.changed.append(planned)
            else:
                report.unchanged += 1
            continue
        # A new innovation.
        if not handle and not any(e.column == col("group") for e in errors):
            errors.append(Problem(raw.number, col("group"), "the action group is missing."))
        group = groups.get(handle)
        if handle and group is None:
            if create_groups:
                to_create.setdefault(handle, raw.number)
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
            if key_ in new_keys:
                errors.append(
                    Problem(raw.number, col("title"), f"the same action group and title as row {new_keys[key_]}.")
                )
            else:
                new_keys[key_] = raw.number
        values: dict = {}
        for key in FIELDS:
            if key == "stage" and not (get[key] or "").strip():
                values[key] = "exploring"
                continue
            clean, error = clean_field(key, get[key] or "" if key != "logged_on" else get[key], zone)
            if error:
                errors.append(Problem(raw.number, col(key), error))
            values[key] = clean
        if errors:
            report.errors += errors
        else:
            report.new.append(Planned(raw.number, None, handle, title, values))
    report.groups_to_create = sorted(to_create)


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
