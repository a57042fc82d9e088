"""Action groups: create, list, info, join, leave, link a channel, its language, set a lead, archive.

Each function is one transaction; the acting person becomes a member on first contact. Results
are plain frozen data (no ORM objects leave the transaction) that handlers/ui/groups.py words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models import groups as domain
from models.deliveries import claim_once
from models.groups import GroupSummary, Membership
from models.innovations import count_by_stage
from models.people import Member
from models.standups import get_schedule, next_dues
from services.actor import Actor
from services.people import ActorResult, arrive, look
from services.uow import UnitOfWork

UPCOMING = 3  # next stand-up times shown in `group info`


@dataclass(frozen=True)
class GroupCreated(ActorResult):
    handle: str


@dataclass(frozen=True)
class GroupJoined(ActorResult):
    handle: str
    channel_id: str | None


@dataclass(frozen=True)
class GroupLeft(ActorResult):
    handle: str


@dataclass(frozen=True)
class ChannelLinked(ActorResult):
    handle: str
    channel_id: str


@dataclass(frozen=True)
class GroupLanguageSet(ActorResult):
    handle: str
    language: str  # of its channel posts from now on


@dataclass(frozen=True)
class LeadSet(ActorResult):
    handle: str
    user_id: str


@dataclass(frozen=True)
class GroupArchived(ActorResult):
    handle: str


@dataclass(frozen=True)
class GroupList(ActorResult):
    rows: tuple[GroupSummary, ...]  # active groups by handle, with member counts


@dataclass(frozen=True)
class MemberRow:
    user_id: str
    organisation: str | None  # None for a forgotten member: nothing about them is shown


@dataclass(frozen=True)
class ScheduleSummary:
    days: tuple[str, ...]  # ("mon", "wed", "fri")
    local_time: str  # "HH:MM" in `tz`
    tz: str
    upcoming: tuple[datetime, ...]  # the next due instants, UTC


@dataclass(frozen=True)
class GroupInfo(ActorResult):
    handle: str
    description: str
    archived: bool
    lead_id: str | None
    channel_id: str | None
    members: tuple[MemberRow, ...]  # in the order they joined
    schedule: ScheduleSummary | None  # None: no active schedule
    stage_counts: tuple[tuple[str, int], ...]  # every stage, in order, zeros included
    reader_tz: str | None  # the asking member's own zone, for their local stand-up times
    language: str = "en"  # of its channel posts
    language_chosen: bool = False  # False: SPINDLE_LANGUAGE, as nobody set one

    @property
    def innovations(self) -> int:
        return sum(n for _stage, n in self.stage_counts)


def create_group(
    uow: UnitOfWork, actor: Actor, handle: str, description: str, *, once: str | None = None
) -> GroupCreated:
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, once, now)  # a click's double or retry: AlreadyDone, nothing changes
        member, missing = arrive(session, actor, now)
        group = domain.create_group(session, member, handle, description, now)
        return GroupCreated(group.handle, profile_missing=missing)


def list_groups(uow: UnitOfWork, actor: Actor) -> GroupList:
    """Active groups with member counts, by handle (plain rows from one query)."""
    now = uow.now()
    with uow.read() as session:
        _member, missing = look(session, actor, now)
        return GroupList(tuple(domain.list_groups(session)), profile_missing=missing)


def group_info(uow: UnitOfWork, actor: Actor, handle: str) -> GroupInfo:
    """A group with its members, lead, channel, stand-up schedule and innovations per stage.

    Coordinators may look at archived groups too.
    """
    now = uow.now()
    with uow.read() as session:
        member, missing = look(session, actor, now)
        group = domain.get_group(session, handle, include_archived=member.is_coordinator)
        members = tuple(
            MemberRow(user_id, None if forgotten else organisation)
            for user_id, organisation, forgotten in session.execute(
                select(Member.id, Member.organisation, Member.forgotten)
                .join(Membership, Membership.member_id == Member.id)
                .where(Membership.group_id == group.id)
                .order_by(Membership.joined_at, Membership.id)
            )
        )
        schedule = get_schedule(session, group.id)
        summary = None
        if schedule is not None and schedule.active and schedule.days:
            summary = ScheduleSummary(
                days=tuple(d for d in schedule.days.split(",") if d),
                local_time=schedule.local_time,
                tz=schedule.tz,
                upcoming=tuple(next_dues(schedule, now, UPCOMING)),
            )
        return GroupInfo(
            handle=group.handle,
            description=group.description or "",
            archived=group.archived,
            lead_id=group.lead_id,
            channel_id=group.channel_id,
            members=members,
            schedule=summary,
            stage_counts=tuple(count_by_stage(session, group.id).items()),
            reader_tz=member.tz,
            language=group.language or uow.language,
            language_chosen=group.language is not None,
            profile_missing=missing,
        )


def join_group(uow: UnitOfWork, actor: Actor, handle: str, *, once: str | None = None) -> GroupJoined:
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, once, now)  # a click's double or retry: AlreadyDone, nothing changes
        member, missing = arrive(session, actor, now)
        group = domain.join_group(session, member, handle, now)
        return GroupJoined(group.handle, group.channel_id, profile_missing=missing)


def leave_group(uow: UnitOfWork, actor: Actor, handle: str, *, once: str | None = None) -> GroupLeft:
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, once, now)  # a click's double or retry: AlreadyDone, nothing changes
        member, missing = arrive(session, actor, now)
        return GroupLeft(domain.leave_group(session, member, handle).handle, profile_missing=missing)


def link_channel(uow: UnitOfWork, actor: Actor, handle: str, channel_id: str) -> ChannelLinked:
    """Link the channel the command was typed in; only the group's lead or a coordinator may."""
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        group = domain.link_channel(session, member, handle, channel_id)
        return ChannelLinked(group.handle, channel_id, profile_missing=missing)


def set_language(uow: UnitOfWork, actor: Actor, handle: str, language: str) -> GroupLanguageSet:
    """The language of the group's channel posts (cards, stand-ups, summaries); lead or coordinator."""
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        group = domain.set_language(session, member, handle, language, now)
        return GroupLanguageSet(group.handle, group.language or uow.language, profile_missing=missing)


def set_lead(uow: UnitOfWork, actor: Actor, handle: str, user_id: str, *, once: str | None = None) -> LeadSet:
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, once, now)  # a click's double or retry: AlreadyDone, nothing changes
        member, missing = arrive(session, actor, now)
        group = domain.set_lead(session, member, handle, user_id, now)
        return LeadSet(group.handle, user_id, profile_missing=missing)


def archive_group(uow: UnitOfWork, actor: Actor, handle: str) -> GroupArchived:
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        return GroupArchived(domain.archive_group(session, member, handle, now).handle, profile_missing=missing)
