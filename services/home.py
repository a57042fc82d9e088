"""The App Home tab: what a person sees when they open it (their groups, whether they coordinate,
and what is new in the groups they are not in).

Opening the tab only reads: a member is created when the person first uses a command. Publishing
is best effort; a failure (the database down, Slack refusing) is logged and the tab stays as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from models.errors import Unavailable
from models.groups import groups_of
from models.people import Member, reader_language
from models.search import newest_elsewhere
from services.ports import Messenger, MessengerError
from services.search import Hit, hit
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

NEW_ACROSS_NETWORK = 5


@dataclass(frozen=True)
class HomeGroup:
    handle: str
    description: str
    channel_id: str | None
    is_lead: bool


@dataclass(frozen=True)
class Home:
    groups: tuple[HomeGroup, ...]
    is_coordinator: bool
    known: bool  # False: the bot has never met this person (or they were forgotten)
    new_elsewhere: tuple[Hit, ...] = ()  # the latest innovations of groups the person is not in, newest first
    language: str = "en"  # the reader's (models.people.reader_language); its menu shows it chosen


def home_of(uow: UnitOfWork, user_id: str) -> Home:
    with uow.transaction() as session:
        # Someone the bot has not met is in no group: every group's news is news to them.
        elsewhere = tuple(hit(i) for i in newest_elsewhere(session, user_id, NEW_ACROSS_NETWORK))
        member = session.get(Member, user_id)
        if member is None or member.forgotten:
            return Home(groups=(), is_coordinator=False, known=False, new_elsewhere=elsewhere, language=uow.language)
        groups = tuple(
            HomeGroup(g.handle, g.description, g.channel_id, g.lead_id == user_id) for g in groups_of(session, user_id)
        )
        return Home(
            groups=groups,
            is_coordinator=member.is_coordinator,
            known=True,
            new_elsewhere=elsewhere,
            language=reader_language(member.language, member.locale, uow.language),
        )


def publish_home(uow: UnitOfWork, messenger: Messenger, user_id: str) -> bool:
    """Publish the person's Home tab; False (logged, never raised) when it could not be."""
    try:
        home = home_of(uow, user_id)
    except Unavailable:
        log.warning("home not published: database unavailable", extra={"user": user_id})
        return False
    try:
        messenger.publish_home(user_id, home)
    except MessengerError as exc:
        log.warning("views.publish failed", extra={"user": user_id, "error": exc.error})
        return False
    return True
