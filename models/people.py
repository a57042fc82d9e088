"""Members (anyone who has used the bot), coordinators and the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.vocab import FORMER_MEMBER

MAX_ORG_LEN = 120


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack user ID
    name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(MAX_ORG_LEN))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    away_until: Mapped[date | None] = mapped_column(Date)
    profile_fetched: Mapped[bool] = mapped_column(Boolean, default=False)
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def display_name(self) -> str:
        if self.forgotten:
            return FORMER_MEMBER
        return self.name or self.id


class AuditEntry(Base):
    """Who did what, for coordinator actions (export, archive, coordinator changes)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


def audit(session: Session, now: datetime, actor_id: str | None, action: str, detail: str = "") -> None:
    session.add(AuditEntry(at=now, actor_id=actor_id, action=action, detail=detail[:2000]))


def ensure_member(session: Session, user_id: str, now: datetime, name: str = "") -> tuple[Member, bool]:
    """The member for a Slack user, created on first contact. Returns (member, created)."""
    member = session.get(Member, user_id)
    if member is not None:
        return member, False
    member = Member(id=user_id, name=name[:200], created_at=now)
    session.add(member)
    session.flush()
    return member, True


def update_profile(session: Session, user_id: str, name: str | None, tz: str | None) -> None:
    """Store what `users.info` told us; forgotten members stay forgotten."""
    member = session.get(Member, user_id)
    if member is None or member.forgotten:
        return
    if name:
        member.name = name[:200]
    if tz:
        member.tz = tz[:64]
    member.profile_fetched = True


def seed_coordinators(session: Session, user_ids: list[str], now: datetime) -> None:
    for user_id in user_ids:
        member, _ = ensure_member(session, user_id, now)
        member.is_coordinator = True


def set_organisation(session: Session, member: Member, organisation: str) -> str:
    organisation = " ".join(organisation.split())
    if not organisation:
        raise Invalid("Name your organisation, for example `/spindle org Cordaid`.")
    if len(organisation) > MAX_ORG_LEN:
        raise Invalid(f"That organisation name is {len(organisation)} characters; {MAX_ORG_LEN} is the most.")
    member.organisation = organisation
    return organisation


def require_coordinator(member: Member, doing: str) -> None:
    if not member.is_coordinator:
        raise Forbidden(f"Only coordinators may {doing}. `/spindle coordinator list` shows who they are.")


def list_coordinators(session: Session) -> list[Member]:
    return list(
        session.scalars(select(Member).where(Member.is_coordinator.is_(True)).order_by(func.lower(Member.name)))
    )


def add_coordinator(session: Session, actor: Member, user_id: str, now: datetime) -> Member:
    require_coordinator(actor, "add coordinators")
    target, _ = ensure_member(session, user_id, now)
    if target.is_coordinator:
        raise Conflict(f"<@{user_id}> is already a coordinator.")
    target.is_coordinator = True
    audit(session, now, actor.id, "coordinator.add", user_id)
    return target


def is_last_coordinator(session: Session, member: Member) -> bool:
    """Whether `member` is a coordinator and nobody else is."""
    if not member.is_coordinator:
        return False
    others = session.scalar(
        select(func.count()).select_from(Member).where(Member.is_coordinator.is_(True), Member.id != member.id)
    )
    return not others


def remove_coordinator(session: Session, actor: Member, user_id: str, now: datetime) -> Member:
    require_coordinator(actor, "remove coordinators")
    target = session.get(Member, user_id)
    if target is None or not target.is_coordinator:
        raise NotFound(f"<@{user_id}> is not a coordinator.")
    if is_last_coordinator(session, target):
        raise Conflict("That is the last coordinator; add another one before removing them.")
    target.is_coordinator = False
    audit(session, now, actor.id, "coordinator.remove", user_id)
    return target


def get_member(session: Session, user_id: str) -> Member:
    member = session.get(Member, user_id)
    if member is None:
        raise NotFound(f"<@{user_id}> has not used Spindle Bot yet.")
    return member


# --- forget-me ---------------------------------------------------------------------------------

FORGOTTEN_PREFIX = "forgotten-"


@dataclass
class Erasure:
    """What `forget_member` did; `replies` are the stand-up answers we posted in threads."""

    done: bool
    answers: int = 0
    groups_left: list[str] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts)


def forget_token(member: Member) -> str:
    """Ties a confirm button to the member it was shown to, so an old button cannot erase a fresh start."""
    return str(int(member.created_at.timestamp() * 1_000_000))


def forget_member(session: Session, user_id: str, now: datetime, *, token: str | None = None) -> Erasure:
    """Erase a member's personal data; their contributions stay, attributed to "former member".

    The member's row is replaced by an anonymous one (id `forgotten-…`, `forgotten=True`, no name,
    organisation or time zone) and every reference to the Slack user ID — innovations, notes,
    stage history, stand-up prompts, audit entries — moves to it, so nothing links the person to
    what they did any more. Stand-up answers are erased (participation dates stay), memberships
    and leads are dropped. If the person uses the bot again, they start as a new member.
    Idempotent: a second call finds nothing to erase.
    """
    from models.groups import Group, Membership  # imported here: models.groups imports this module
    from models.standups import StandupPrompt, StandupRun

    # FOR UPDATE: a concurrent second click waits, then finds the row gone and does nothing.
    member = session.get(Member, user_id, with_for_update=True)
    if member is None or member.forgotten:
        return Erasure(done=False)
    if token is not None and token != forget_token(member):
        raise Conflict("That confirmation is out of date; type `/spindle forget-me` again if you still want this.")

    pseudonym = f"{FORGOTTEN_PREFIX}{uuid.uuid4().hex[:16]}"
    erasure = Erasure(done=True)
    prompts = session.execute(
        select(StandupPrompt.id, StandupPrompt.reply_ts, StandupRun.channel_id)
        .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
        .where(StandupPrompt.member_id == user_id, StandupPrompt.answers.is_not(None))
    ).all()
    erasure.answers = len(prompts)
    erasure.replies = [(channel, ts) for _, ts, channel in prompts if ts and channel]
    session.execute(
        update(StandupPrompt).where(StandupPrompt.member_id == user_id).values(answers=None),
        execution_options={"synchronize_session": False},
    )
    erasure.groups_left = list(
        session.scalars(
            select(Group.handle)
            .join(Membership, Membership.group_id == Group.id)
            .where(Membership.member_id == user_id)
            .order_by(Group.handle)
        )
    )
    # Forgotten people get no more stand-ups and are listed nowhere; leading stops with them.
    session.execute(delete(Membership).where(Membership.member_id == user_id))
    session.execute(
        update(Group).where(Group.lead_id == user_id).values(lead_id=None),
        execution_options={"synchronize_session": False},
    )

    session.add(Member(id=pseudonym, name="", profile_fetched=True, forgotten=True, created_at=now))
    session.flush()
    members_id = Member.__table__.c.id
    for table in Member.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is members_id:
                session.execute(table.update().where(fk.parent == user_id).values({fk.parent.name: pseudonym}))
    session.execute(update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=pseudonym))
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.detail.contains(user_id))
        .values(detail=func.replace(AuditEntry.detail, user_id, pseudonym))
    )
    session.expunge(member)
    session.execute(delete(Member).where(Member.id == user_id), execution_options={"synchronize_session": False})
    audit(
        session,
        now,
        pseudonym,
        "member.forget",
        f"{erasure.answers} stand-up answers erased; left {len(erasure.groups_left)} groups",
    )
    session.flush()
    session.expire_all()
    return erasure
