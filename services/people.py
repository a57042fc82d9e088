"""People: their organisation, the coordinators, and what we keep of their Slack profile.

A member is created on first contact by whichever service they reach first; `refresh_profile`
runs after the ack and asks Slack once per member for the name and time zone.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import people as domain
from models.people import Member, ensure_member
from services.actor import Actor
from services.ports import Messenger, MessengerError
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

# The acting member's (id, language, locale) as the request's service read them: the reply's
# language then costs no query of its own (reader_language). Cleared for each request.
_acting: ContextVar[tuple[str, str | None, str | None] | None] = ContextVar("acting_member", default=None)


@dataclass(frozen=True, kw_only=True)
class ActorResult:
    """What every service an actor calls returns besides its answer: whether the actor's Slack
    profile is still to be fetched (after the ack, with `refresh_profile`). It is known inside the
    service's transaction, so a member whose profile is in costs no extra query after the ack."""

    profile_missing: bool = False


def arrive(session: Session, actor: Actor, now: datetime) -> tuple[Member, bool]:
    """The acting member, created on first contact, and whether their Slack profile is still missing."""
    member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
    _acting.set((member.id, member.language, member.locale))
    return member, not member.profile_fetched and not member.forgotten


def new_request() -> None:
    """Forget the member a previous request in this context read (handlers/language.py)."""
    _acting.set(None)


@dataclass(frozen=True)
class MemberView(ActorResult):
    user_id: str
    is_coordinator: bool
    tz: str | None
    organisation: str | None


@dataclass(frozen=True)
class OrganisationSet(ActorResult):
    organisation: str


@dataclass(frozen=True)
class CoordinatorAdded(ActorResult):
    user_id: str


@dataclass(frozen=True)
class CoordinatorRemoved(ActorResult):
    user_id: str


@dataclass(frozen=True)
class Coordinators(ActorResult):
    user_ids: tuple[str, ...]  # by name


LanguageSource = Literal["chosen", "slack", "default"]


@dataclass(frozen=True)
class LanguageSet(ActorResult):
    language: str  # the reply is written in it: the new language


@dataclass(frozen=True)
class LanguageShown(ActorResult):
    language: str  # what they read now
    source: LanguageSource  # their own choice, their Slack locale, or SPINDLE_LANGUAGE


def whoami(uow: UnitOfWork, actor: Actor) -> MemberView:
    """The acting member as handlers need them (e.g. whether `help` shows the coordinators' part)."""
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        return MemberView(member.id, member.is_coordinator, member.tz, member.organisation, profile_missing=missing)


def set_organisation(uow: UnitOfWork, actor: Actor, organisation: str) -> OrganisationSet:
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        return OrganisationSet(domain.set_organisation(session, member, organisation), profile_missing=missing)


def set_language(uow: UnitOfWork, actor: Actor, language: str) -> LanguageSet:
    """The person's own language (`en`/`nl`); an unknown code is Invalid and changes nothing."""
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        chosen = domain.set_language(member, language)
        _acting.set((member.id, chosen, member.locale))
        return LanguageSet(chosen, profile_missing=missing)


def language_of(uow: UnitOfWork, actor: Actor) -> LanguageShown:
    """Which language the person reads, and why (for `language` with nothing after it)."""
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        language = domain.reader_language(member.language, member.locale, uow.language)
        source: LanguageSource = "default"
        if member.language == language:
            source = "chosen"
        elif language == "nl" and (member.locale or "").lower().startswith("nl"):
            source = "slack"
        return LanguageShown(language, source, profile_missing=missing)


def add_coordinator(uow: UnitOfWork, actor: Actor, user_id: str) -> CoordinatorAdded:
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        return CoordinatorAdded(domain.add_coordinator(session, member, user_id, now).id, profile_missing=missing)


def remove_coordinator(uow: UnitOfWork, actor: Actor, user_id: str) -> CoordinatorRemoved:
    now = uow.now()
    with uow.transaction() as session:
        member, missing = arrive(session, actor, now)
        target = domain.remove_coordinator(session, member, user_id, now)
        return CoordinatorRemoved(target.id, profile_missing=missing)


def list_coordinators(uow: UnitOfWork, actor: Actor) -> Coordinators:
    now = uow.now()
    with uow.transaction() as session:
        _member, missing = arrive(session, actor, now)
        return Coordinators(tuple(c.id for c in domain.list_coordinators(session)), profile_missing=missing)


def needs_profile(uow: UnitOfWork, user_id: str) -> bool:
    """Whether we still lack this member's Slack profile (a forgotten member is never fetched)."""
    with uow.transaction() as session:
        row = session.execute(
            select(Member.profile_fetched, Member.forgotten).where(Member.id == user_id)
        ).one_or_none()
    return row is not None and not row.profile_fetched and not row.forgotten


def refresh_profile(uow: UnitOfWork, messenger: Messenger, user_id: str) -> bool:
    """After the ack: name and time zone from `users.info`, once per member. Returns whether it stored them.

    Call it when a result says `profile_missing`; it checks again, so a second call is harmless.
    A profile is nice to have: a Slack failure is logged and tried again on the next contact.
    """
    if not needs_profile(uow, user_id):
        return False
    try:
        profile = messenger.profile(user_id)
    except MessengerError as exc:
        log.warning("users.info failed; will retry on next contact", extra={"user": user_id, "error": exc.error})
        return False
    with uow.transaction() as session:
        domain.update_profile(session, user_id, profile.name, profile.tz, profile.locale)
    return True


def reader_language(uow: UnitOfWork, user_id: str) -> str:
    """The language to write to this person in (models/people.reader_language): what this request's
    service read of them, else one primary-key read."""
    if not user_id:
        return uow.language
    acting = _acting.get()
    if acting is not None and acting[0] == user_id:
        return domain.reader_language(acting[1], acting[2], uow.language)
    with uow.read() as session:
        row = session.execute(select(Member.language, Member.locale).where(Member.id == user_id)).first()
    if row is None:
        return uow.language
    return domain.reader_language(row.language, row.locale, uow.language)
