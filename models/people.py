"""Members (anyone who has used the bot) and coordinators."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, String, bindparam, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import audit
from models.base import Base, UTCDateTime
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.vocab import FORMER_MEMBER, LANGUAGES

MAX_ORG_LEN = 120


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack user ID
    name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(MAX_ORG_LEN))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    away_until: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(8))  # their own choice: `en` or `nl`
    locale: Mapped[str | None] = mapped_column(String(16))  # Slack's (users.info include_locale)
    profile_fetched: Mapped[bool] = mapped_column(Boolean, default=False)
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def display_name(self) -> str:
        if self.forgotten:
            return FORMER_MEMBER
        return self.name or self.id


# Prebuilt: every request reads its member first, and `Session.get` spends about twice this
# statement's CPU building its query each time (bench/ack_latency.py measures the whole command).
_BY_ID = select(Member).where(Member.id == bindparam("user_id"))


def member_by_id(session: Session, user_id: str) -> Member | None:
    return session.scalars(_BY_ID, {"user_id": user_id}).one_or_none()


def ensure_member(session: Session, user_id: str, now: datetime, name: str = "") -> tuple[Member, bool]:
    """The member for a Slack user, created on first contact. Returns (member, created)."""
    member = member_by_id(session, user_id)
    if member is not None:
        return member, False
    member = Member(id=user_id, name=name[:200], created_at=now)
    session.add(member)
    session.flush()
    return member, True


def member_or_newcomer(session: Session, user_id: str, now: datetime, name: str = "") -> Member:
    """The member for a Slack user; on first contact an unsaved one with a new member's defaults.

    For reads: nothing is written (on SQLite a read never takes the write lock). The newcomer is
    stored after the ack, with their Slack profile, or by the first command that writes.
    """
    member = member_by_id(session, user_id)
    if member is not None:
        return member
    return Member(
        id=user_id,
        name=name[:200],
        tz=None,
        organisation=None,
        is_coordinator=False,
        away_until=None,
        profile_fetched=False,
        forgotten=False,
        created_at=now,
    )


def update_profile(session: Session, user_id: str, name: str | None, tz: str | None, locale: str | None = None) -> None:
    """Store what `users.info` told us; forgotten members stay forgotten."""
    member = session.get(Member, user_id)
    if member is None or member.forgotten:
        return
    if name:
        member.name = name[:200]
    if tz:
        member.tz = tz[:64]
    if locale:
        member.locale = locale[:16]
    member.profile_fetched = True


def reader_language(language: str | None, locale: str | None, default: str) -> str:
    """The language a member reads: their own choice, else Dutch for a Slack locale `nl-*`, else the default."""
    if language in LANGUAGES:
        return language
    if locale and locale.lower().startswith("nl"):
        return "nl"
    return default


def checked_language(language: str) -> str:
    """One of LANGUAGES (`EN`, ` nl ` are fine); Invalid naming the choices otherwise."""
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise Invalid("people.language_unknown", language=language.strip().replace("`", "'")[:20])
    return code


def set_language(member: Member, language: str) -> str:
    """The member's own choice: it wins over their Slack locale and the workspace default."""
    member.language = checked_language(language)
    return member.language


def seed_coordinators(session: Session, user_ids: list[str], now: datetime) -> None:
    for user_id in user_ids:
        member, _ = ensure_member(session, user_id, now)
        member.is_coordinator = True


def set_organisation(session: Session, member: Member, organisation: str) -> str:
    organisation = " ".join(organisation.split())
    if not organisation:
        raise Invalid("people.org_missing")
    if len(organisation) > MAX_ORG_LEN:
        raise Invalid("people.org_too_long", length=len(organisation), limit=MAX_ORG_LEN)
    member.organisation = organisation
    return organisation


def require_coordinator(member: Member, doing: str) -> None:
    """`doing` names the refused action by code (`"group.new"`); handlers/ui/errors.py words it."""
    if not member.is_coordinator:
        raise Forbidden("people.coordinators_only", doing=doing)


def list_coordinators(session: Session) -> list[Member]:
    return list(
        session.scalars(select(Member).where(Member.is_coordinator.is_(True)).order_by(func.lower(Member.name)))
    )


def add_coordinator(session: Session, actor: Member, user_id: str, now: datetime) -> Member:
    require_coordinator(actor, "coordinator.add")
    target, _ = ensure_member(session, user_id, now)
    if target.is_coordinator:
        raise Conflict("people.already_coordinator", user_id=user_id)
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
    require_coordinator(actor, "coordinator.remove")
    target = session.get(Member, user_id)
    if target is None or not target.is_coordinator:
        raise NotFound("people.not_coordinator", user_id=user_id)
    if is_last_coordinator(session, target):
        raise Conflict("people.last_coordinator", user_id=user_id)
    target.is_coordinator = False
    audit(session, now, actor.id, "coordinator.remove", user_id)
    return target


def get_member(session: Session, user_id: str) -> Member:
    member = session.get(Member, user_id)
    if member is None:
        raise NotFound("people.unknown", user_id=user_id)
    return member
