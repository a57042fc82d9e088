"""Forget-me: erase a member's personal data. Above the other domain modules, so it may import them all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.audit import AuditEntry, audit
from models.errors import Conflict
from models.groups import Group, Membership
from models.people import Member
from models.standups import StandupPrompt, StandupRun

# --- forget-me ---------------------------------------------------------------------------------

FORGOTTEN_PREFIX = "forgotten-"


@dataclass
class Erasure:
    """What `forget_member` did; `replies` are the stand-up answers we posted in threads."""

    done: bool
    answers: int = 0
    groups_left: list[str] = field(default_factory=list)
    replies: list[tuple[str, str, str | None]] = field(default_factory=list)  # (channel, ts, group's language)


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
    # FOR UPDATE: a concurrent second click waits, then finds the row gone and does nothing.
    member = session.get(Member, user_id, with_for_update=True)
    if member is None or member.forgotten:
        return Erasure(done=False)
    if token is not None and token != forget_token(member):
        raise Conflict("privacy.confirmation_out_of_date")

    pseudonym = f"{FORGOTTEN_PREFIX}{uuid.uuid4().hex[:16]}"
    erasure = Erasure(done=True)
    prompts = session.execute(
        select(StandupPrompt.id, StandupPrompt.reply_ts, StandupRun.channel_id, Group.language)
        .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
        .join(Group, Group.id == StandupRun.group_id)
        .where(StandupPrompt.member_id == user_id, StandupPrompt.answers.is_not(None))
    ).all()
    erasure.answers = len(prompts)
    erasure.replies = [(channel, ts, language) for _, ts, channel, language in prompts if ts and channel]
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
