"""What a person's Home tab reads, one statement per part, and the hash of the last Home we published.

Every query here is one SQL statement whose cost does not grow with the number of innovations
shown (counts are grouped in the database, lists are limited there), so a Home costs the same
few statements for a newcomer and for a coordinator of a register of 100,000 innovations.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Integer, String, and_, bindparam, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.groups import Group, Membership
from models.innovations import Innovation
from models.standups import LIVE, StandupPrompt, StandupRun, StandupSchedule


class HomeView(Base):
    """The `hash` Slack gave the last Home we published for a person (views.publish's race guard).

    Keyed by the Slack user id, not a member: someone the bot has never met has a Home too.
    """

    __tablename__ = "home_views"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hash: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)


_LAST_HASH = select(HomeView.hash).where(HomeView.user_id == bindparam("user"))


def last_hash(session: Session, user_id: str) -> str | None:
    return session.scalar(_LAST_HASH, {"user": user_id})


def remember_hash(session: Session, user_id: str, view_hash: str, now: datetime) -> None:
    """Upsert in one statement: two publishers racing both succeed, the later write stays."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(HomeView).values(user_id=user_id, hash=view_hash[:200], published_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={"hash": stmt.excluded.hash, "published_at": stmt.excluded.published_at}
        )
    )


# The statements are built once (a Home is published often, and building a select costs more
# than running these small ones); each execution only binds the person, their groups and limits.
MEMBER = bindparam("member", type_=String)
IDS = bindparam("ids", expanding=True, type_=Integer)
LIMIT = bindparam("limit", type_=Integer)
_NOT_MINE = ~exists().where(Membership.group_id == Group.id, Membership.member_id == MEMBER)


class MyGroup(NamedTuple):
    id: int
    handle: str
    description: str
    channel_id: str | None
    lead_id: str | None
    days: str | None  # the stand-up schedule (None: none, or not active)
    local_time: str | None
    tz: str | None


_MY_GROUPS = (
    select(
        Group.id,
        Group.handle,
        Group.description,
        Group.channel_id,
        Group.lead_id,
        StandupSchedule.days,
        StandupSchedule.local_time,
        StandupSchedule.tz,
        StandupSchedule.active,
    )
    .join(Membership, and_(Membership.group_id == Group.id, Membership.member_id == MEMBER))
    .outerjoin(StandupSchedule, StandupSchedule.group_id == Group.id)
    .where(Group.archived_at.is_(None))
    .order_by(Group.handle)
)


def my_groups(session: Session, member_id: str) -> list[MyGroup]:
    """The person's active groups by handle, each with its active stand-up schedule (one join)."""
    return [
        MyGroup(i, h, d or "", c, lead, days if active and days else None, t, tz)
        for i, h, d, c, lead, days, t, tz, active in session.execute(_MY_GROUPS, {"member": member_id})
    ]


_STAGE_COUNTS = (
    select(Innovation.group_id, Innovation.stage, func.count())
    .where(Innovation.group_id.in_(IDS))
    .group_by(Innovation.group_id, Innovation.stage)
)


def stage_counts(session: Session, group_ids: list[int]) -> dict[int, dict[str, int]]:
    """group id → stage → how many innovations (counted from the (group_id, stage) index, grouped)."""
    if not group_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}
    for group_id, stage, n in session.execute(_STAGE_COUNTS, {"ids": group_ids}):
        counts.setdefault(group_id, {})[stage] = int(n)
    return counts


class MyInnovation(NamedTuple):
    id: int
    title: str
    stage: str
    handle: str


_LATEST = (Innovation.updated_at.desc(), Innovation.id.desc())
# The ids first, from the (group_id, updated_at, id) index alone; then only those rows are read.
_TOP = select(Innovation.id).where(Innovation.group_id.in_(IDS)).order_by(*_LATEST).limit(LIMIT)
_MY_INNOVATIONS = (
    select(Innovation.id, Innovation.title, Innovation.stage, Group.handle)
    .join(Group, Group.id == Innovation.group_id)
    .where(Innovation.id.in_(_TOP.scalar_subquery()))
    .order_by(*_LATEST)
)


def my_innovations(session: Session, group_ids: list[int], limit: int) -> list[MyInnovation]:
    """The most recently updated innovations of these groups."""
    if not group_ids:
        return []
    return [MyInnovation(*row) for row in session.execute(_MY_INNOVATIONS, {"ids": group_ids, "limit": limit})]


class OtherGroup(NamedTuple):
    handle: str
    description: str


_TO_JOIN = (
    select(Group.handle, Group.description, func.count().over())
    .where(Group.archived_at.is_(None), _NOT_MINE)
    .order_by(Group.created_at.desc(), Group.id.desc())
    .limit(LIMIT)
)


def groups_to_join(session: Session, member_id: str, limit: int) -> tuple[list[OtherGroup], int]:
    """The newest active groups the person is not in, and how many there are in all (a window count)."""
    rows = session.execute(_TO_JOIN, {"member": member_id, "limit": limit}).all()
    total = int(rows[0][2]) if rows else 0
    return [OtherGroup(h, d or "") for h, d, _n in rows], total


def find_groups(session: Session, member_id: str, text: str, limit: int) -> list[str]:
    """Handles of active groups the person is not in that contain `text` (any case), by handle."""
    query = select(Group.handle).where(Group.archived_at.is_(None), _NOT_MINE)
    words = "".join(c for c in text.lower() if c.isalnum() or c == "-")[:40]  # handles are a-z, 0-9 and -
    if words:
        query = query.where(Group.handle.contains(words, autoescape=True))
    return list(session.scalars(query.order_by(Group.handle).limit(limit), {"member": member_id}))


class OpenPrompt(NamedTuple):
    prompt_id: int
    handle: str
    due_at: datetime


_OPEN_PROMPTS = (
    select(StandupPrompt.id, Group.handle, StandupRun.due_at, func.count().over())
    .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
    .join(Group, Group.id == StandupRun.group_id)
    .where(StandupPrompt.member_id == MEMBER, StandupPrompt.answered_at.is_(None), StandupRun.status.in_(LIVE))
    .order_by(StandupRun.due_at.desc(), StandupPrompt.id.desc())
    .limit(LIMIT)
)


def open_prompts(session: Session, member_id: str, limit: int) -> tuple[list[OpenPrompt], int]:
    """Stand-ups still taking answers that the person has not answered, newest first, and how many."""
    rows = session.execute(_OPEN_PROMPTS, {"member": member_id, "limit": limit}).all()
    total = int(rows[0][3]) if rows else 0
    return [OpenPrompt(p, h, d) for p, h, d, _n in rows], total


class LeadRow(NamedTuple):
    handle: str
    lead_id: str | None


_LEADS = (
    select(Group.handle, Group.lead_id, func.count().over())
    .where(Group.archived_at.is_(None))
    .order_by(Group.lead_id.is_not(None), Group.handle)
    .limit(LIMIT)
)


def groups_and_leads(session: Session, limit: int) -> tuple[list[LeadRow], int]:
    """For coordinators: active groups, those without a lead first, then by handle; and how many."""
    rows = session.execute(_LEADS, {"limit": limit}).all()
    total = int(rows[0][2]) if rows else 0
    return [LeadRow(h, lead) for h, lead, _n in rows], total
