"""The register: the read side's rows into the sheets, one .xlsx workbook.

Sheets: Summary, Innovations, Stage history, Action groups, Stand-ups, Risks. Every sheet prints
landscape, one page wide, with its header row repeated, the title and date on top of each page
and page numbers below (SPEC "The register, further"). The whole workbook is written in one
language, the coordinator's (`language`): sheet names, headers, the words shown for stages, kinds
and risks, the summary and the print header and footer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from exports import queries as Q
from exports import words as W
from exports.cells import CellMaker
from exports.columns import sheet_name
from exports.linkspool import create_sheet, save
from exports.sheets_register import write_groups, write_history, write_innovations
from exports.sheets_summary import write_risks, write_standups, write_summary
from exports.workbook import new_workbook, print_setup
from i18n import _, speaking

# The names the rest of the project imports from here.
Filters = Q.Filters
RegisterCounts = Q.RegisterCounts
check_filters = Q.check_filters
count_register = Q.count_register
counts_line = W.counts_line
file_name = W.file_name
title_of = W.title_of


def write_register(
    session: Session | None,
    target: str | IO[bytes],
    *,
    filters: Filters,
    group_id: int | None,
    made_at: datetime,
    made_by: str,
    timezone: str,
    language: str = "en",
    progress: Callable[[int], None] | None = None,
) -> RegisterCounts:
    """Write the register to `target` (a path or a binary file object), in `language`; its counts.

    `session` None, or one on a database without the schema yet, writes an empty register.
    `progress(n)` is called with the number of innovation and stage-history rows written since
    its last call, for a progress bar.
    """
    if session is not None and not Q.has_schema(session):
        session = None
    with speaking(language):
        return _write(session, target, filters, group_id, made_at, made_by, timezone, progress)


def _write(
    session: Session | None,
    target: str | IO[bytes],
    filters: Filters,
    group_id: int | None,
    made_at: datetime,
    made_by: str,
    timezone: str,
    progress: Callable[[int], None] | None,
) -> RegisterCounts:
    zone = ZoneInfo(timezone)
    counts = Q.count_register(session, filters, group_id) if session is not None else _empty_counts()
    wb, styles = new_workbook()
    sheets = {
        key: create_sheet(wb, sheet_name(key))
        for key in ("summary", "innovations", "history", "groups", "standups", "risks")
    }
    header, footer = W.title_of(filters, made_at, timezone), _(W.PAGE_FOOTER)
    for key, ws in sheets.items():
        print_setup(ws, header, footer, title_rows=0 if key == "summary" else 1)
    cells = {key: CellMaker(ws, styles) for key, ws in sheets.items()}

    def rows(query):
        return Q.stream(session, query(filters, group_id)) if session is not None else ()

    n = write_innovations(sheets["innovations"], cells["innovations"], rows(Q.innovations_query), zone, progress)
    counts.stage_changes = write_history(sheets["history"], cells["history"], rows(Q.history_query), zone, progress)
    groups = Q.group_rows(session, filters, group_id) if session is not None else ()
    write_groups(sheets["groups"], cells["groups"], groups, zone)
    weeks = Q.standup_weeks(session, group_id, timezone) if session is not None else []
    write_standups(sheets["standups"], cells["standups"], weeks)
    risks = Q.risk_counts(session, filters, group_id) if session is not None else _empty_risks()
    attention = Q.attention_rows(session, filters, group_id) if session is not None else ()
    write_risks(sheets["risks"], cells["risks"], risks, attention)
    if n != counts.innovations:  # rows changed between the count and the stream: report what was written
        counts.innovations = n
    write_summary(sheets["summary"], cells["summary"], counts, filters, made_at, made_by, timezone)
    save(wb, target)
    return counts


def _empty_counts() -> RegisterCounts:
    return RegisterCounts(per_stage=dict.fromkeys(Q.STAGES, 0))


def _empty_risks() -> dict[str, dict[str, int]]:
    return {stage: {f"{r}:{lv}": 0 for r, _ in Q.RISKS for lv in Q.RISK_LEVELS} for stage in Q.STAGES}


__all__ = [
    "WORKBOOK",
    "Filters",
    "RegisterCounts",
    "check_filters",
    "count_register",
    "counts_line",
    "file_name",
    "title_of",
    "write_register",
]


class Workbook:
    """The register as an Excel workbook: what services/ports.RegisterWriter asks for."""

    def write(
        self,
        session: Session,
        path: str,
        *,
        filters: Filters,
        group_id: int | None,
        made_at: datetime,
        made_by: str,
        timezone: str,
        language: str,
    ) -> RegisterCounts:
        return write_register(
            session,
            path,
            filters=filters,
            group_id=group_id,
            made_at=made_at,
            made_by=made_by,
            timezone=timezone,
            language=language,
        )

    def names(self, filters: Filters, made_at: datetime, timezone: str, language: str) -> tuple[str, str]:
        with speaking(language):
            return file_name(filters, made_at, timezone), title_of(filters, made_at, timezone)


WORKBOOK = Workbook()
