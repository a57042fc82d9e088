"""People: their organisation, the coordinators, and what we keep of their Slack profile.

A member is created on first contact: by the first service that writes, or, when the first
contact only reads (`list`, `help`, …: those take no write lock), by `refresh_profile`, which runs
after the ack and asks Slack once per member for the name and time zone.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import people as domain
from models.people import Member, ensure_member, member_or_newcomer
from services.actor import Actor
from services.ports import Messenger, MessengerError, Profile
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


def look(session: Session, actor: Actor, now: datetime) -> tuple[Member, bool]:
    """`arrive` for a service that only reads: on first contact an unsaved member (see
    models.people.member_or_newcomer), whose profile is missing, so `refresh_profile` stores them."""
    member = member_or_newcomer(session, actor.user_id, now, name=actor.name)
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
    with uow.read() as session:
        member, missing = look(session, actor, now)
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
    with uow.read() as session:
        _member, missing = look(session, actor, now)
        return Coordinators(tuple(c.id for c in domain.list_coordinators(session)), profile_missing=missing)


def _profile_state(uow: UnitOfWork, user_id: str) -> str:
    """ "new" (never stored: a first contact that only read), "due" (profile still to fetch) or "done"."""
    with uow.read() as session:
        row = session.execute(
            select(Member.profile_fetched, Member.forgotten).where(Member.id == user_id)
        ).one_or_none()
    if row is None:
        return "new"
    return "due" if not row.profile_fetched and not row.forgotten else "done"


def refresh_profile(uow: UnitOfWork, messenger: Messenger, actor: Actor) -> bool:
    """After the ack: name and time zone from `users.info`, once per member. Returns whether it stored them.

    Call it when a result says `profile_missing`; it checks again, so a second call is harmless.
    A first contact that only read is stored here, with the payload's name until Slack answers.
    A profile is nice to have: a Slack failure is logged and tried again on the next contact.
    """
    state = _profile_state(uow, actor.user_id)
    if state == "done":
        return False
    profile: Profile | None = None
    try:
        profile = messenger.profile(actor.user_id)
    except MessengerError as exc:
        log.warning("users.info failed; will retry on next contact", extra={"user": actor.user_id, "error": exc.error})
        if state == "due":
            return False
    for attempt in (1, 2):
        try:
            with uow.transaction() as session:
                ensure_member(session, actor.user_id, uow.now(), name=actor.name)
                if profile is not None:
                    domain.update_profile(session, actor.user_id, profile.name, profile.tz, profile.locale)
            break
        except IntegrityError:  # a twin first contact stored the member a moment ago: update theirs
            if attempt == 2:
                raise
    return profile is not None


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
