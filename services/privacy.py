"""Forget-me (SPEC, Privacy): ask what erasure will cost, then erase once the person confirms.

Erasure is the person's right, so it is never refused; the prompt says when they are the last
coordinator. The database is erased in one transaction first; the stand-up answers the bot
posted in threads are then replaced through the Messenger, and a reply that cannot be replaced
is counted, not fatal (the erasure is already committed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from models.people import ensure_member, is_last_coordinator
from models.privacy import forget_member, forget_token
from services.actor import Actor
from services.ports import Messenger, MessengerError
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetPrompt:
    token: str  # ties the confirm button to this member (see models.privacy.forget_token)
    last_coordinator: bool
    needs_profile: bool  # a new member: their Slack profile is still to be fetched


@dataclass(frozen=True)
class Forgotten:
    done: bool  # False: nothing to erase (a second click, or someone the bot never knew)
    answers: int = 0
    groups_left: tuple[str, ...] = ()
    replies_cleared: int = 0
    replies_failed: int = 0


@dataclass(frozen=True)
class ReplyRemoved:
    """What a posted stand-up answer is replaced with once its author is forgotten."""

    language: str  # the group's: the reply is in its channel's thread


def forget_prompt(uow: UnitOfWork, actor: Actor) -> ForgetPrompt:
    """What the confirm prompt needs; changes nothing but a first contact's member row."""
    with uow.transaction() as session:
        member, _ = ensure_member(session, actor.user_id, uow.now(), name=actor.name)
        return ForgetPrompt(
            token=forget_token(member),
            last_coordinator=is_last_coordinator(session, member),
            needs_profile=not member.profile_fetched and not member.forgotten,
        )


def forget(uow: UnitOfWork, messenger: Messenger, user_id: str, token: str) -> Forgotten:
    """Erase the person's data (DomainError for an out-of-date button), then clear their thread replies."""
    with uow.transaction() as session:
        erasure = forget_member(session, user_id, uow.now(), token=token)
    if not erasure.done:
        return Forgotten(done=False)
    log.info("member forgotten", extra={"answers": erasure.answers, "groups_left": len(erasure.groups_left)})
    failed = 0
    for channel, ts, language in erasure.replies:
        try:
            messenger.update(channel, ts, ReplyRemoved(language or uow.language))
        except MessengerError as exc:
            failed += 1
            log.warning("could not clear a stand-up reply", extra={"channel": channel, "error": exc.error})
    return Forgotten(
        done=True,
        answers=erasure.answers,
        groups_left=tuple(erasure.groups_left),
        replies_cleared=len(erasure.replies) - failed,
        replies_failed=failed,
    )
