"""The innovation register as one .xlsx workbook, written in openpyxl's write-only mode.

Rows come from streamed Core selects (`yield_per`): neither the query result nor the sheets are
ever held in memory whole, so the register's size is bounded by disk, not RAM. Write-only sheets
need their layout (frozen header, column widths) before the first row; tables, validations and
charts are written at the sheet's end, so their ranges are set once the row count is known.

Sheets: Summary, Innovations, Stage history, Action groups.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from sqlalchemy import create_engine, event, func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from exports.cells import CellMaker, Styles, clean_text
from models.db import Database
from models.errors import Invalid
from models.groups import Group, Membership, get_group
from models.innovations import Innovation, Organisation, StageChange, innovation_organisations
from models.people import Member
from models.standups import StandupPrompt, StandupRun, StandupSchedule
from models.vocab import FORMER_MEMBER, KINDS, RISK_LEVELS, SDG_NAMES, STAGES

STREAM_ROWS = 2000  # rows fetched per round trip while streaming
PROGRESS_EVERY = 1000

# (header, width) per column; headers are the contract of SPEC.md "The register".
INNOVATION_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Ref", 10), ("Title", 40), ("Action group", 18), ("Kind", 15), ("Stage", 12), ("Summary", 60),
    ("Organisations", 30), ("Logged by", 20), ("Logged on", 17), ("Last updated", 17), ("Link", 40),
    ("SDGs", 36), ("Privacy risk", 13), ("Civic space risk", 13), ("Manipulation risk", 13),
    ("Safeguards", 50), ("Tags", 24),
)  # fmt: skip
HISTORY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Ref", 10), ("Title", 40), ("From", 12), ("To", 12), ("By", 20), ("When", 17), ("Note", 60),
)  # fmt: skip
GROUP_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Handle", 20), ("Description", 50), ("Lead", 20), ("Members", 40), ("Organisations", 40), ("Channel", 14),
    ("Innovations", 12), ("Stand-up schedule", 30), ("Stand-up participation", 14), ("Archived", 17),
)  # fmt: skip
LOGGED = "(logged)"  # the From of an innovation's first stage-history entry


@dataclass(frozen=True)
class Filters:
    handle: str | None = None  # normalised, lower-case
    stage: str | None = None

    def describe(self) -> str:
        parts = [f"group {self.handle}"] if self.handle else []
        if self.stage:
            parts.append(f"stage {self.stage}")
        return ", ".join(parts) if parts else "none (the whole register)"

    def slug(self) -> str:
        return "".join(f"-{p}" for p in (self.handle, self.stage) if p)


@dataclass
class RegisterCounts:
    innovations: int = 0
    stage_changes: int = 0
    groups: int = 0
    per_stage: dict[str, int] = field(default_factory=dict)
    per_group: list[tuple[str, int]] = field(default_factory=list)


@contextmanager
def reading(db: Database) -> Iterator[Session]:
    """A read-only unit of work for an export: one consistent snapshot that blocks no writer.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction, so every sheet and count agree.
    SQLite: the project's engine begins every transaction with BEGIN IMMEDIATE (the write lock),
    which held for a long export would stall every command; so the export reads through its own
    engine on the same file in a deferred transaction. In WAL mode that reader sees one snapshot
    and never blocks a writer.
    """
    if db.backend != "sqlite":
        with db.transaction() as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            session.execute(sql("SET TRANSACTION READ ONLY"))
            yield session
        return
    engine = create_engine(db.url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # pysqlite's own BEGIN handling off: ours below
        dbapi_conn.execute("PRAGMA busy_timeout=15000")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN DEFERRED")

    try:
        with Session(engine) as session:  # closing it rolls back: nothing is written, the snapshot ends
            yield session
    finally:
        engine.dispose()


def check_filters(session: Session, handle: str | None, stage: str | None) -> tuple[Filters, int | None]:
    """Normalised filters and the group's id; DomainError for an unknown group or stage.

    Archived groups are accepted: their history is part of the register.
    """
    group_id = None
    if handle:
        group = get_group(session, handle, include_archived=True)
        handle, group_id = group.handle, group.id
    if stage is not None:
        stage = stage.strip().lower()
        if stage not in STAGES:
            raise Invalid(f"`{clean_text(stage)[:40]}` is not a stage. Stages: {', '.join(STAGES)}.")
    return Filters(handle or None, stage or None), group_id


def count_register(session: Session, filters: Filters, group_id: int | None) -> RegisterCounts:
    """Innovations per stage and per group (the Summary sheet and the Slack comment), cheaply."""
    where = _innovation_filter(filters, group_id)
    counts = RegisterCounts(per_stage=dict.fromkeys(STAGES, 0))
    for stage, n in session.execute(
        select(Innovation.stage, func.count(Innovation.id)).where(*where).group_by(Innovation.stage)
    ):
        counts.per_stage[stage] = int(n)
    counts.innovations = sum(counts.per_stage.values())
    counts.stage_changes = int(
        session.scalar(
            select(func.count(StageChange.id))
            .join(Innovation, Innovation.id == StageChange.innovation_id)
            .where(*where)
        )
        or 0
    )
    groups = select(Group.id, Group.handle).order_by(Group.handle)
    if group_id is not None:
        groups = groups.where(Group.id == group_id)
    per_group = dict(
        session.execute(
            select(Innovation.group_id, func.count(Innovation.id)).where(*where).group_by(Innovation.group_id)
        ).all()
    )
    counts.per_group = [(handle, int(per_group.get(gid, 0))) for gid, handle in session.execute(groups)]
    counts.groups = len(counts.per_group)
    return counts


def _innovation_filter(filters: Filters, group_id: int | None) -> list:
    where = []
    if group_id is not None:
        where.append(Innovation.group_id == group_id)
    if filters.stage:
        where.append(Innovation.stage == filters.stage)
    return where


def counts_line(counts: RegisterCounts) -> str:
    """One line for a person: "128 innovations in 6 groups: 12 idea, 40 exploring, … · 380 stage changes"."""
    stages = ", ".join(f"{n} {stage}" for stage, n in counts.per_stage.items() if n)
    noun = "innovation" if counts.innovations == 1 else "innovations"
    groups = "group" if counts.groups == 1 else "groups"
    line = f"{counts.innovations} {noun} in {counts.groups} {groups}"
    if stages:
        line += f": {stages}"
    return line + f" · {counts.stage_changes} stage changes"


def file_name(filters: Filters, made_at: datetime, timezone: str) -> str:
    day = made_at.astimezone(ZoneInfo(timezone)).date().isoformat()
    return f"spindle-register-{day}{filters.slug()}.xlsx"


def title_of(filters: Filters, made_at: datetime, timezone: str) -> str:
    day = made_at.astimezone(ZoneInfo(timezone)).strftime("%-d %b %Y")
    suffix = "" if not (filters.handle or filters.stage) else f" ({filters.describe()})"
    return f"Innovation register, {day}{suffix}"


def person(member_id: str | None, name: str | None, forgotten: bool | None) -> str:
    """Member.display_name from columns (no ORM object per row)."""
    if member_id is None:
        return ""
    if forgotten:
        return FORMER_MEMBER
    return name or member_id


def write_register(
    session: Session,
    target: str | IO[bytes],
    *,
    filters: Filters,
    group_id: int | None,
    made_at: datetime,
    made_by: str,
    timezone: str,
    progress: Callable[[int], None] | None = None,
) -> RegisterCounts:
    """Write the register to `target` (a path or a binary file object) and return its counts.

    `progress(n)` is called with the number of innovation and stage-history rows written since
    its last call, for a progress bar.
    """
    zone = ZoneInfo(timezone)
    counts = count_register(session, filters, group_id)
    wb = Workbook(write_only=True)
    styles = Styles(wb)
    summary = wb.create_sheet("Summary")
    innovations = wb.create_sheet("Innovations")
    history = wb.create_sheet("Stage history")
    groups = wb.create_sheet("Action groups")

    n = _write_innovations(session, innovations, CellMaker(innovations, styles), filters, group_id, zone, progress)
    counts.stage_changes = _write_history(
        session, history, CellMaker(history, styles), filters, group_id, zone, progress
    )
    _write_groups(session, groups, CellMaker(groups, styles), filters, group_id, zone)
    _write_summary(summary, CellMaker(summary, styles), styles, counts, filters, made_at, made_by, zone, timezone)
    if n != counts.innovations:  # rows changed between the count and the stream: report what was written
        counts.innovations = n
    wb.save(target)
    return counts


# --- sheets ----------------------------------------------------------------------------------------


def _layout(ws, cells: CellMaker, columns: tuple[tuple[str, int], ...]) -> None:
    """Frozen, styled header and widths: write-only sheets need these before the first row."""
    ws.freeze_panes = "A2"
    for index, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append([cells.header(name) for name, _ in columns])


def _table(ws, name: str, columns: tuple[tuple[str, int], ...], rows: int) -> None:
    """An Excel table with filter buttons over the header and `rows` data rows.

    A table needs at least one data row, so an empty sheet's table spans one empty row.
    """
    ref = f"A1:{get_column_letter(len(columns))}{max(rows, 1) + 1}"
    table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
    table.tableColumns = [TableColumn(id=i, name=header) for i, (header, _) in enumerate(columns, 1)]
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():
        # openpyxl warns that write-only tables need their columns set by hand: they are, above.
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)


def _choices(ws, column: int, values: tuple[str, ...], rows: int) -> None:
    """A drop-down list on one column's data cells (with room to add rows by hand)."""
    letter = get_column_letter(column)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not in the list",
        error="Choose one of: " + ", ".join(values),
    )
    validation.add(f"{letter}2:{letter}{max(rows, 1) + 1000}")
    ws.data_validations.append(validation)


def stream(session: Session, stmt):
    return session.execute(stmt, execution_options={"yield_per": STREAM_ROWS})


def innovations_query(filters: Filters, group_id: int | None):
    """One row per innovation, everything the Innovations sheet shows, in reference order.

    Organisation names hold no commas (they are split on commas when typed), so ", " joins them.
    """
    io = innovation_organisations
    organisations = (
        select(io.c.innovation_id, func.aggregate_strings(Organisation.name, ", ").label("names"))
        .join(Organisation, Organisation.id == io.c.organisation_id)
        .group_by(io.c.innovation_id)
        .subquery()
    )
    return (
        select(
            Innovation.id,
            Innovation.title,
            Group.handle,
            Innovation.kind,
            Innovation.stage,
            Innovation.summary,
            organisations.c.names,
            Member.id,
            Member.name,
            Member.forgotten,
            Innovation.logged_at,
            Innovation.updated_at,
            Innovation.link,
            Innovation.sdgs,
            Innovation.privacy_risk,
            Innovation.civic_space_risk,
            Innovation.manipulation_risk,
            Innovation.safeguards,
            Innovation.tags,
        )
        .join(Group, Group.id == Innovation.group_id)
        .outerjoin(organisations, organisations.c.innovation_id == Innovation.id)
        .outerjoin(Member, Member.id == Innovation.logged_by)
        .where(*_innovation_filter(filters, group_id))
        .order_by(Innovation.id)
    )


def _write_innovations(session, ws, cells: CellMaker, filters, group_id, zone, progress) -> int:
    _layout(ws, cells, INNOVATION_COLUMNS)
    stmt = innovations_query(filters, group_id)
    text, word, date, link = cells.text, cells.word, cells.date, cells.link
    sdg_labels: dict[str, str] = {}
    append = ws.append
    n = 0
    for (
        iid, title, handle, kind, stage, summary, orgs, by_id, by_name, by_forgotten, logged_at, updated_at,
        url, sdgs, privacy, civic, manipulation, safeguards, tags,
    ) in stream(session, stmt):  # fmt: skip
        sdg = sdg_labels.get(sdgs)
        if sdg is None:
            if len(sdg_labels) > 10_000:  # few combinations repeat; stay bounded if they do not
                sdg_labels.clear()
            sdg = sdg_labels[sdgs] = "; ".join(
                f"{x} {SDG_NAMES.get(int(x), '')}".strip() for x in sdgs.split(",") if x.strip().isdigit()
            )
        tag = tags.replace(",", ", ") if tags else None  # stored normalised: "ai,privacy"
        append((
            f"INN-{iid}", text(title), word(handle), word(kind), word(stage), text(summary),
            text(", ".join(sorted(orgs.split(", "), key=str.lower))) if orgs else None,
            text(person(by_id, by_name, by_forgotten)), date(logged_at, zone), date(updated_at, zone), link(url),
            sdg or None, word(privacy), word(civic), word(manipulation), text(safeguards), text(tag),
        ))  # fmt: skip
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(n % PROGRESS_EVERY)
    _table(ws, "Innovations", INNOVATION_COLUMNS, n)
    _choices(ws, 4, KINDS, n)
    _choices(ws, 5, STAGES, n)
    for column in (13, 14, 15):
        _choices(ws, column, RISK_LEVELS, n)
    return n


def history_query(filters: Filters, group_id: int | None):
    """Stage changes of the selected innovations, per innovation, oldest first."""
    return (
        select(
            StageChange.innovation_id,
            Innovation.title,
            StageChange.from_stage,
            StageChange.to_stage,
            Member.id,
            Member.name,
            Member.forgotten,
            StageChange.at,
            StageChange.note,
        )
        .join(Innovation, Innovation.id == StageChange.innovation_id)
        .outerjoin(Member, Member.id == StageChange.by_id)
        .where(*_innovation_filter(filters, group_id))
        .order_by(StageChange.innovation_id, StageChange.at, StageChange.id)
    )


def _write_history(session, ws, cells: CellMaker, filters, group_id, zone, progress) -> int:
    _layout(ws, cells, HISTORY_COLUMNS)
    stmt = history_query(filters, group_id)
    text, word, date, append = cells.text, cells.word, cells.date, ws.append
    # Names and titles repeat from row to row: plain strings are reused; a guarded cell is an
    # object written at one position, so it is built afresh each time.
    names: dict[tuple, str | None] = {}
    last_iid, ref, title_value = None, "", None
    n = 0
    for iid, title, from_stage, to_stage, by_id, by_name, by_forgotten, at, note in stream(session, stmt):
        key = (by_id, by_name, by_forgotten)
        if key in names:
            by = names[key]
        else:
            by = text(person(by_id, by_name, by_forgotten), wrap=False)
            if not isinstance(by, Cell):
                names[key] = by
        if iid != last_iid or isinstance(title_value, Cell):
            last_iid, ref, title_value = iid, f"INN-{iid}", text(title)
        append((ref, title_value, word(from_stage or LOGGED), word(to_stage), by, date(at, zone), text(note)))
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(n % PROGRESS_EVERY)
    _table(ws, "StageHistory", HISTORY_COLUMNS, n)
    _choices(ws, 3, (LOGGED, *STAGES), n)
    _choices(ws, 4, STAGES, n)
    return n


def _write_groups(session, ws, cells: CellMaker, filters, group_id, zone) -> int:
    """One row per action group (archived ones too). Participation: see `participation`."""
    _layout(ws, cells, GROUP_COLUMNS)
    groups = select(Group).order_by(Group.handle)
    if group_id is not None:
        groups = groups.where(Group.id == group_id)
    members: dict[int, list[tuple[str, str | None]]] = {}
    member_rows = (
        select(Membership.group_id, Member.id, Member.name, Member.forgotten, Member.organisation)
        .join(Member, Member.id == Membership.member_id)
        .order_by(Membership.group_id, func.lower(Member.name), Member.id)
    )
    if group_id is not None:
        member_rows = member_rows.where(Membership.group_id == group_id)
    for gid, mid, name, forgotten, organisation in session.execute(member_rows):
        members.setdefault(gid, []).append((person(mid, name, forgotten), None if forgotten else organisation))
    innovations = dict(
        session.execute(
            select(Innovation.group_id, func.count(Innovation.id))
            .where(*_innovation_filter(filters, group_id))
            .group_by(Innovation.group_id)
        ).all()
    )
    rates = participation(session)
    schedules = {s.group_id: s for s in session.scalars(select(StandupSchedule))}
    n = 0
    for group in session.scalars(groups):
        people = members.get(group.id, [])
        organisations = sorted({o for _, o in people if o}, key=str.lower)
        lead = person(group.lead.id, group.lead.name, group.lead.forgotten) if group.lead is not None else ""
        channel = cells.link(f"https://slack.com/app_redirect?channel={group.channel_id}", group.channel_id) if (
            group.channel_id
        ) else None  # fmt: skip
        ws.append((
            cells.word(group.handle), cells.text(group.description), cells.text(lead) or None,
            cells.text(", ".join(name for name, _ in people)), cells.text(", ".join(organisations)), channel,
            int(innovations.get(group.id, 0)), schedule_text(schedules.get(group.id)),
            cells.percent(rates.get(group.id)), cells.date(group.archived_at, zone),
        ))  # fmt: skip
        n += 1
    _table(ws, "ActionGroups", GROUP_COLUMNS, n)
    return n


def participation(session: Session) -> dict[int, float]:
    """Per group: stand-up prompts answered / prompts sent, over every run so far.

    A prompt counts as sent once its direct message went out (`sent_at`), and as answered once
    an answer came in (`answered_at`, late answers included). Groups that never sent one have none.
    """
    rows = session.execute(
        select(StandupRun.group_id, func.count(StandupPrompt.id), func.count(StandupPrompt.answered_at))
        .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
        .where(StandupPrompt.sent_at.is_not(None))
        .group_by(StandupRun.group_id)
    )
    return {gid: int(answered) / int(sent) for gid, sent, answered in rows if sent}


def schedule_text(schedule: StandupSchedule | None) -> str:
    if schedule is None or not schedule.active or not schedule.days:
        return "off"
    return f"{schedule.days.replace(',', ', ')} at {schedule.local_time} ({schedule.tz})"


def _write_summary(ws, cells: CellMaker, styles: Styles, counts, filters, made_at, made_by, zone, timezone) -> None:
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    title = cells.bold("Innovation register — The Spindle")
    title._style = styles.title
    ws.append([title])
    ws.append([cells.bold("Made on"), cells.date(made_at, zone)])
    ws.append([cells.bold("Made by"), cells.text(made_by, wrap=False)])
    ws.append([cells.bold("Filters"), cells.text(filters.describe(), wrap=False)])
    ws.append([cells.bold("Dates are in"), timezone])
    ws.append([cells.bold("Innovations"), counts.innovations])
    ws.append([cells.bold("Stage changes"), counts.stage_changes])
    ws.append([])
    stage_top = 9
    ws.append([cells.header("Stage"), cells.header("Innovations")])
    for stage in STAGES:
        ws.append([stage, counts.per_stage.get(stage, 0)])
    ws.append([])
    group_top = stage_top + len(STAGES) + 2
    ws.append([cells.header("Action group"), cells.header("Innovations")])
    for handle, n in counts.per_group:
        ws.append([cells.word(handle), n])

    ws.add_chart(_bar_chart(ws, "Innovations per stage", stage_top, len(STAGES)), "D2")
    if counts.per_group:
        ws.add_chart(_bar_chart(ws, "Innovations per action group", group_top, len(counts.per_group)), "D20")


def _bar_chart(ws, title: str, header_row: int, rows: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: stage and group names stay readable
    chart.title = title
    chart.legend = None
    chart.y_axis.title = "Innovations"
    chart.y_axis.majorGridlines = None
    chart.height = 7.5
    chart.width = 16
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=header_row + rows), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + rows))
    chart.x_axis.scaling.orientation = "maxMin"  # first stage on top, as in the table
    return chart


__all__ = [
    "Filters",
    "RegisterCounts",
    "check_filters",
    "count_register",
    "counts_line",
    "file_name",
    "history_query",
    "innovations_query",
    "reading",
    "stream",
    "title_of",
    "write_register",
]
