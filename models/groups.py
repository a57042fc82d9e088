"""Action groups and their memberships."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import audit
from models.base import Base, UTCDateTime
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.people import Member, checked_language, require_coordinator
from models.vocab import HANDLE_PATTERN

HANDLE_RE = re.compile(rf"^{HANDLE_PATTERN}$")
MAX_DESCRIPTION = 300


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-case, so the unique index is case-insensitive on every backend.
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str | None] = mapped_column(String(32))
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(8))  # of its channel posts; None: the default

    lead: Mapped[Member | None] = relationship(foreign_keys=[lead_id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Membership.joined_at"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "member_id", name="uq_memberships_group_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship(back_populates="memberships")
    member: Mapped[Member] = relationship()


def normalise_handle(handle: str) -> str:
    handle = handle.strip().lower().lstrip("#")
    if not HANDLE_RE.match(handle):
        raise Invalid("group.handle_invalid", handle=handle[:60])
    return handle


def get_group(session: Session, handle: str, *, include_archived: bool = False) -> Group:
    handle = normalise_handle(handle)
    group = session.scalar(select(Group).where(Group.handle == handle))
    if group is None or (group.archived and not include_archived):
        raise NotFound("group.not_found", handle=handle)
    return group


def is_member(session: Session, group: Group, member_id: str) -> bool:
    return (
        session.scalar(select(Membership.id).where(Membership.group_id == group.id, Membership.member_id == member_id))
        is not None
    )


def member_ids(session: Session, group: Group) -> list[str]:
    return list(
        session.scalars(
            select(Membership.member_id).where(Membership.group_id == group.id).order_by(Membership.joined_at)
        )
    )


def can_lead(group: Group, member: Member) -> bool:
    return member.is_coordinator or group.lead_id == member.id


def create_group(session: Session, actor: Member, handle: str, description: str, now: datetime) -> Group:
    require_coordinator(actor, "group.new")
    handle = normalise_handle(handle)
    description = " ".join(description.split())
    if len(description) > MAX_DESCRIPTION:
        raise Invalid("group.description_too_long", length=len(description), limit=MAX_DESCRIPTION)
    if session.scalar(select(Group.id).where(Group.handle == handle)) is not None:
        raise Conflict("group.exists", handle=handle)
    group = Group(handle=handle, description=description, created_by=actor.id, created_at=now)
    session.add(group)
    session.flush()
    audit(session, now, actor.id, "group.create", handle)
    return group


class GroupSummary(NamedTuple):
    handle: str
    description: str
    channel_id: str | None
    members: int


_MEMBER_COUNTS = (
    select(Membership.group_id, func.count(Membership.id).label("n")).group_by(Membership.group_id).subquery()
)
# Built once: `group list` is the most frequent command, and it needs columns, not ORM objects.
_LIST_GROUPS = (
    select(Group.handle, Group.description, Group.channel_id, func.coalesce(_MEMBER_COUNTS.c.n, 0))
    .outerjoin(_MEMBER_COUNTS, _MEMBER_COUNTS.c.group_id == Group.id)
    .where(Group.archived_at.is_(None))
    .order_by(Group.handle)
)


def list_groups(session: Session) -> list[GroupSummary]:
    """Active groups with their member counts, by handle."""
    return [GroupSummary(h, d or "", c, int(n)) for h, d, c, n in session.execute(_LIST_GROUPS)]


def join_group(session: Session, member: Member, handle: str, now: datetime) -> Group:
    group = get_group(session, handle)
    if is_member(session, group, member.id):
        raise Conflict("group.already_member", handle=group.handle)
    session.add(Membership(group_id=group.id, member_id=member.id, joined_at=now))
    session.flush()
    return group


def leave_group(session: Session, member: Member, handle: str) -> Group:
    group = get_group(session, handle, include_archived=True)
    membership = session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.member_id == member.id)
    )
    if membership is None:
        raise NotFound("group.not_member", handle=group.handle)
    session.delete(membership)
    if group.lead_id == member.id:
        group.lead_id = None
    session.flush()
    return group


def link_channel(session: Session, actor: Member, handle: str, channel_id: str) -> Group:
    group = get_group(session, handle)
    if not can_lead(group, actor):
        raise Forbidden("group.channel_lead_only", handle=group.handle)
    if not channel_id:
        raise Invalid("group.channel_missing")
    group.channel_id = channel_id
    return group


def set_language(session: Session, actor: Member, handle: str, language: str, now: datetime) -> Group:
    """The language of the group's channel posts; its lead or a coordinator (as for its channel)."""
    group = get_group(session, handle)
    if not can_lead(group, actor):
        raise Forbidden("group.language_lead_only", handle=group.handle)
    group.language = checked_language(language)
    audit(session, now, actor.id, "group.language", f"{group.handle} {group.language}")
    return group


def set_lead(session: Session, actor: Member, handle: str, user_id: str, now: datetime) -> Group:
    require_coordinator(actor, "group.lead")
    group = get_group(session, handle)
    if not is_member(session, group, user_id):
        raise Invalid("group.lead_not_member", handle=group.handle, user_id=user_id)
    if group.lead_id == user_id:
        raise Conflict("group.already_lead", handle=group.handle, user_id=user_id)
    group.lead_id = user_id
    audit(session, now, actor.id, "group.lead", f"{group.handle} {user_id}")
    return group


def archive_group(session: Session, actor: Member, handle: str, now: datetime) -> Group:
    require_coordinator(actor, "group.archive")
    group = get_group(session, handle)
    group.archived_at = now
    audit(session, now, actor.id, "group.archive", group.handle)
    return group


def groups_of(session: Session, member_id: str) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .join(Membership, Membership.group_id == Group.id)
            .where(Membership.member_id == member_id, Group.archived_at.is_(None))
            .order_by(Group.handle)
        )
    )
