"""The App Home tab: each person's dashboard (the read model), and publishing it safely.

Opening the tab only reads: a member is created when the person first uses a command or a button.
Publishing is best effort: a failure (the database down, Slack refusing) is logged and the tab
stays as it was, and it never delays an ack (handlers publish after it).

Slack's `hash` keeps an older Home from overwriting a newer one: we pass the hash of the last view
we published (table home_views), so Slack refuses (`hash_conflict`) a publish when someone else
published since. The refused publisher reads the data again (now newer than what the winner
showed) and tries again with the winner's hash; if no newer hash was stored (ours was stale: a
crash between publishing and storing it), it publishes without one, its read being the newest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from models import dashboard as queries
from models.errors import Forbidden, Unavailable
from models.innovations import ref_of
from models.people import member_by_id, reader_language
from models.schedule import next_due_times
from models.search import newest_elsewhere
from models.vocab import STAGES
from services.ports import Messenger, MessengerError
from services.search import Hit, hit
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

NEW_ACROSS_NETWORK = 5
MY_INNOVATIONS = 10  # SPEC: at most 10
TO_JOIN = 20  # SPEC: at most 20, then a line pointing to `group list`
OPEN_PROMPTS = 5
LEAD_ROWS = 8  # coordinators: groups with a lead picker on the Home; the rest by command
PUBLISH_ATTEMPTS = 3


@dataclass(frozen=True)
class HomeGroup:
    handle: str
    description: str
    channel_id: str | None
    is_lead: bool
    lead_id: str | None = None
    next_standup: datetime | None = None  # UTC; shown in the reader's zone
    stage_counts: tuple[tuple[str, int], ...] = ()  # only stages with innovations, in stage order


@dataclass(frozen=True)
class HomeInnovation:
    number: int
    ref: str
    title: str
    stage: str
    handle: str


@dataclass(frozen=True)
class HomePrompt:
    prompt_id: int
    handle: str
    due_at: datetime


@dataclass(frozen=True)
class Listed:
    handle: str
    description: str = ""
    lead_id: str | None = None


@dataclass(frozen=True)
class Home:
    groups: tuple[HomeGroup, ...]
    is_coordinator: bool
    known: bool  # False: the bot has never met this person (or they were forgotten)
    new_elsewhere: tuple[Hit, ...] = ()  # the latest innovations of groups the person is not in, newest first
    to_join: tuple[Listed, ...] = ()  # active groups the person is not in, newest first
    to_join_total: int = 0
    innovations: tuple[HomeInnovation, ...] = ()  # the person's groups', most recently updated first
    prompts: tuple[HomePrompt, ...] = ()  # open stand-ups not answered yet, newest first
    prompts_total: int = 0
    away_until: date | None = None
    leads: tuple[Listed, ...] = ()  # coordinators: groups and their leads (no lead first)
    leads_total: int = 0
    tz: str = "UTC"  # the reader's zone, for the next stand-ups
    language: str | None = None  # the reader's; None: the request's
    view_hash: str | None = field(default=None, compare=False)  # of the last Home we published


def home_of(uow: UnitOfWork, user_id: str) -> Home:
    """The whole dashboard in one read transaction: a fixed handful of statements (at most 10)."""
    with uow.read() as session:
        view_hash = queries.last_hash(session, user_id)
        # Someone the bot has not met is in no group: every group's news is news to them.
        elsewhere = tuple(hit(i) for i in newest_elsewhere(session, user_id, NEW_ACROSS_NETWORK))
        others, others_total = queries.groups_to_join(session, user_id, TO_JOIN)
        to_join = tuple(Listed(g.handle, g.description) for g in others)
        member = member_by_id(session, user_id)
        if member is None or member.forgotten:
            return Home(
                groups=(),
                is_coordinator=False,
                known=False,
                new_elsewhere=elsewhere,
                to_join=to_join,
                to_join_total=others_total,
                tz=uow.timezone,
                language=uow.language,
                view_hash=view_hash,
            )
        now, tz = uow.now(), member.tz or uow.timezone
        mine = queries.my_groups(session, user_id)
        ids = [g.id for g in mine]
        counts = queries.stage_counts(session, ids)
        groups = tuple(
            HomeGroup(
                g.handle,
                g.description,
                g.channel_id,
                g.lead_id == user_id,
                g.lead_id,
                _next_standup(g, now),
                tuple(_ordered(counts.get(g.id, {}))),
            )
            for g in mine
        )
        innovations = tuple(
            HomeInnovation(i.id, ref_of(i.id), i.title, i.stage, i.handle)
            for i in queries.my_innovations(session, ids, MY_INNOVATIONS)
        )
        prompts, prompts_total = queries.open_prompts(session, user_id, OPEN_PROMPTS)
        leads: tuple[Listed, ...] = ()
        leads_total = 0
        if member.is_coordinator:
            rows, leads_total = queries.groups_and_leads(session, LEAD_ROWS)
            leads = tuple(Listed(r.handle, lead_id=r.lead_id) for r in rows)
        return Home(
            groups=groups,
            is_coordinator=member.is_coordinator,
            known=True,
            new_elsewhere=elsewhere,
            to_join=to_join,
            to_join_total=others_total,
            innovations=innovations,
            prompts=tuple(HomePrompt(p.prompt_id, p.handle, p.due_at) for p in prompts),
            prompts_total=prompts_total,
            away_until=member.away_until,
            leads=leads,
            leads_total=leads_total,
            tz=tz,
            language=reader_language(member.language, member.locale, uow.language),
            view_hash=view_hash,
        )


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(s, counts[s]) for s in STAGES if counts.get(s)]


def _next_standup(group: queries.MyGroup, now: datetime) -> datetime | None:
    if not group.days or not group.local_time or not group.tz:
        return None
    # Due times fall on whole minutes, so "after now" is "after this minute": many Homes share it.
    return _next_due(group.days, group.local_time, group.tz, now.replace(second=0, microsecond=0))


@lru_cache(maxsize=4096)
def _next_due(days: str, local_time: str, tz: str, minute: datetime) -> datetime | None:
    try:
        upcoming = next_due_times(days, local_time, tz, minute, 1)
    except (KeyError, ValueError):  # a zone or time that no longer parses: show none rather than fail
        return None
    return upcoming[0] if upcoming else None


def publish_home(uow: UnitOfWork, messenger: Messenger, user_id: str, *, known_hash: str | None = None) -> bool:
    """Publish the person's Home tab; False (logged, never raised) when it could not be.

    `known_hash`: the hash Slack sent with the event or click (the view the person has open), tried
    when the stored one turns out stale.
    """
    tried: set[str | None] = set()
    stored_before: str | None = None
    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            home = home_of(uow, user_id)
        except Unavailable:
            log.warning("home not published: database unavailable", extra={"user": user_id})
            return False
        if attempt == 0:
            use = home.view_hash or known_hash
        elif home.view_hash != stored_before:
            use = home.view_hash  # someone published since: their hash, our newer data
        elif known_hash not in tried:
            use = known_hash
        else:
            use = None  # no newer hash anywhere: our stored one is stale, and our read is the newest
        tried.add(use)
        stored_before = home.view_hash
        try:
            new_hash = messenger.publish_home(user_id, home, view_hash=use)
        except MessengerError as exc:
            if exc.error == "hash_conflict":
                log.info("views.publish hash conflict; reading again", extra={"user": user_id, "attempt": attempt})
                continue
            log.warning("views.publish failed", extra={"user": user_id, "error": exc.error})
            return False
        if new_hash:
            _remember(uow, user_id, new_hash)
        return True
    log.warning("views.publish failed", extra={"user": user_id, "error": "hash_conflict"})
    return False


def _remember(uow: UnitOfWork, user_id: str, view_hash: str) -> None:
    try:
        with uow.transaction() as session:
            queries.remember_hash(session, user_id, view_hash, uow.now())
    except Unavailable:  # the next publish heals it: a stale hash is retried without one
        log.warning("home hash not stored: database unavailable", extra={"user": user_id})


def require_coordinator(uow: UnitOfWork, user_id: str, doing: str) -> None:
    """Before a coordinator's modal opens from the Home (`New action group`): the refusal comes
    first, not after the form is filled in. Only reads; the submission checks again."""
    with uow.read() as session:
        member = member_by_id(session, user_id)
        if member is None or member.forgotten or not member.is_coordinator:
            raise Forbidden("people.coordinators_only", doing=doing)


def find_groups(uow: UnitOfWork, user_id: str, text: str, limit: int = 100) -> tuple[Listed, ...]:
    """Active groups the person is not in whose handle holds `text` (Find another group), by handle."""
    with uow.read() as session:
        return tuple(Listed(h) for h in queries.find_groups(session, user_id, text, min(limit, 100)))
