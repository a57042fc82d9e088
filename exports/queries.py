"""The register's read side: streamed Core selects on the app's `Database`, no ORM object per row.

Every row source is a generator over `session.execute(..., yield_per=…)`, so neither the result
nor the sheets are held in memory whole. Rows are plain tuples of what a sheet shows; the sheet
writers (exports/sheets_*.py) never query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session, aliased

from models.groups import Group, Membership
from models.innovations import Innovation, Organisation, StageChange, innovation_organisations
from models.people import Member
from models.register import Filters, RegisterCounts, check_filters  # noqa: F401  (the read side's filters)
from models.standups import StandupPrompt, StandupRun, StandupSchedule, blocking_index
from models.standups.answers import NO_BLOCKER
from models.vocab import FORMER_MEMBER, RISK_LEVELS, RISKS, STAGES

STREAM_ROWS = 2000  # rows fetched per round trip while streaming
LATE_STAGES = ("piloting", "scaling", "adopted")  # where an unassessed or unguarded risk needs attention


def has_schema(session: Session) -> bool:
    """False on a database nobody migrated yet: its register is empty."""
    return inspect(session.connection()).has_table(Innovation.__tablename__)


def innovation_filter(filters: Filters, group_id: int | None) -> list:
    where = []
    if group_id is not None:
        where.append(Innovation.group_id == group_id)
    if filters.stage:
        where.append(Innovation.stage == filters.stage)
    return where


def count_register(session: Session, filters: Filters, group_id: int | None) -> RegisterCounts:
    """Innovations per stage and per group (the Summary sheet and the Slack comment), cheaply."""
    where = innovation_filter(filters, group_id)
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


def stream(session: Session, stmt):
    return session.execute(stmt, execution_options={"yield_per": STREAM_ROWS})


def person(member_id: str | None, name: str | None, forgotten: bool | None) -> str:
    """Member.display_name from columns (no ORM object per row)."""
    if member_id is None:
        return ""
    if forgotten:
        return FORMER_MEMBER
    return name or member_id


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
        .where(*innovation_filter(filters, group_id))
        .order_by(Innovation.id)
    )


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
        .where(*innovation_filter(filters, group_id))
        .order_by(StageChange.innovation_id, StageChange.at, StageChange.id)
    )


@dataclass
class GroupRow:
    handle: str
    description: str
    lead: str
    members: list[str]
    organisations: list[str]
    channel_id: str | None
    innovations: int
    schedule: StandupSchedule | None
    participation: float | None
    archived_at: datetime | None


def group_rows(session: Session, filters: Filters, group_id: int | None) -> Iterator[GroupRow]:
    """One row per action group (archived ones too), in handle order; a few queries in all."""
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
            .where(*innovation_filter(filters, group_id))
            .group_by(Innovation.group_id)
        ).all()
    )
    rates = participation(session)
    schedules = {s.group_id: s for s in session.scalars(select(StandupSchedule))}
    lead = aliased(Member)
    groups = (
        select(
            Group.id,
            Group.handle,
            Group.description,
            Group.channel_id,
            Group.archived_at,
            lead.id,
            lead.name,
            lead.forgotten,
        )
        .outerjoin(lead, lead.id == Group.lead_id)
        .order_by(Group.handle)
    )
    if group_id is not None:
        groups = groups.where(Group.id == group_id)
    for gid, handle, description, channel, archived_at, lead_id, lead_name, lead_forgotten in session.execute(groups):
        people = members.get(gid, [])
        yield GroupRow(
            handle=handle,
            description=description,
            lead=person(lead_id, lead_name, lead_forgotten),
            members=[name for name, _ in people],
            organisations=sorted({o for _, o in people if o}, key=str.lower),
            channel_id=channel,
            innovations=int(innovations.get(gid, 0)),
            schedule=schedules.get(gid),
            participation=rates.get(gid),
            archived_at=archived_at,
        )


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


@dataclass
class WeekRow:
    handle: str
    week: str  # ISO week, "2026-W48"
    prompted: int = 0
    answered: int = 0
    blockers: int = 0

    @property
    def participation(self) -> float | None:
        return self.answered / self.prompted if self.prompted else None


def _json_list(value) -> list:
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


def standup_weeks(session: Session, group_id: int | None, timezone: str) -> list[WeekRow]:
    """Per group and ISO week (of the due time, in `timezone`): prompts sent, answered, blockers.

    A blocker is an answer to the run's blocking question that says more than "no" or "none".
    """
    zone = ZoneInfo(timezone)
    stmt = (
        select(Group.handle, StandupRun.due_at, StandupRun.questions, StandupPrompt.answered_at, StandupPrompt.answers)
        .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
        .join(Group, Group.id == StandupRun.group_id)
        .where(StandupPrompt.sent_at.is_not(None))
        .order_by(Group.handle, StandupRun.due_at)
    )
    if group_id is not None:
        stmt = stmt.where(StandupRun.group_id == group_id)
    weeks: dict[tuple[str, str], WeekRow] = {}
    blocking: dict[str, int] = {}
    for handle, due_at, questions, answered_at, answers in stream(session, stmt):
        year, week, _ = due_at.astimezone(zone).isocalendar()
        row = weeks.get((handle, label := f"{year}-W{week:02d}"))
        if row is None:
            row = weeks[(handle, label)] = WeekRow(handle, label)
        row.prompted += 1
        if answered_at is None:
            continue
        row.answered += 1
        key = questions if isinstance(questions, str) else json.dumps(questions)
        if key not in blocking:
            blocking[key] = blocking_index([str(q) for q in _json_list(questions)])
        given = _json_list(answers)
        index = blocking[key]
        text = str(given[index]).strip() if 0 <= index < len(given) else ""
        if text.lower() not in NO_BLOCKER:
            row.blockers += 1
    return list(weeks.values())


def risk_counts(session: Session, filters: Filters, group_id: int | None) -> dict[str, dict[str, int]]:
    """stage -> "risk:level" -> innovations, every stage and level present (zeros included)."""
    counts = {stage: {f"{r}:{lv}": 0 for r, _ in RISKS for lv in RISK_LEVELS} for stage in STAGES}
    where = innovation_filter(filters, group_id)
    for risk, _ in RISKS:
        column = getattr(Innovation, risk)
        stmt = (
            select(Innovation.stage, column, func.count(Innovation.id)).where(*where).group_by(Innovation.stage, column)
        )
        for stage, level, n in session.execute(stmt):
            if stage in counts and f"{risk}:{level}" in counts[stage]:
                counts[stage][f"{risk}:{level}"] = int(n)
    return counts


def attention_query(filters: Filters, group_id: int | None):
    """Innovations at piloting or later with a risk not assessed, or a high risk and no safeguards."""
    risks = [getattr(Innovation, r) for r, _ in RISKS]
    return (
        select(Innovation.id, Innovation.title, Group.handle, Innovation.stage, *risks, Innovation.safeguards)
        .join(Group, Group.id == Innovation.group_id)
        .where(*innovation_filter(filters, group_id), Innovation.stage.in_(LATE_STAGES))
        .where(or_(*(r == "not-assessed" for r in risks), *(r == "high" for r in risks)))
        .order_by(Innovation.id)
    )


def attention_rows(session: Session, filters: Filters, group_id: int | None) -> Iterator[tuple]:
    """(id, title, handle, stage, not-assessed risks, high risks) for each innovation needing attention."""
    for iid, title, handle, stage, *levels, safeguards in stream(session, attention_query(filters, group_id)):
        unassessed = [label for (_, label), lv in zip(RISKS, levels, strict=True) if lv == "not-assessed"]
        unguarded = (
            []
            if (safeguards or "").strip()
            else [label for (_, label), lv in zip(RISKS, levels, strict=True) if lv == "high"]
        )
        if unassessed or unguarded:
            yield iid, title, handle, stage, unassessed, unguarded
