"""The innovation log's use cases: log (form and quick), list, show, stage, note, edit, the message
shortcut's prefill, and the card in the group's channel.

Cards: logging posts a card in the group's linked channel; later stage moves and edits update
that same card in place (the card always shows the current state; the full history is in
`show`). Confirmations of a form submission go to the person by direct message: a view
submission has no channel or response_url, and a DM works wherever they started.

Each function owns its transaction and returns plain frozen dataclasses, read inside it: what
goes to Slack after the ack is exactly what was committed, without reading the rows again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from models import innovations as domain
from models.deliveries import claim_delivery, claim_once
from models.errors import NotFound, Unavailable
from models.innovations import InnovationInput as InnovationInput  # handlers build the form's input
from models.innovations import InvalidFields as InvalidFields  # re-exported: the form's field errors
from models.people import Member, reader_language
from services.actor import Actor
from services.innovation_views import HistoryEntry, InnovationView, ListedInnovation, entry_of, input_of, view_of
from services.people import arrive, look
from services.ports import Messenger, MessengerError
from services.search import Hit, related, related_in
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

LOG_RELATED = 3  # other groups' innovations named when one is logged
SHOW_RELATED = 5  # … and in `show`


# --- what services return ------------------------------------------------------------------------


@dataclass(frozen=True)
class Acted:
    profile_due: bool  # the acting member's Slack profile has not been fetched yet


@dataclass(frozen=True)
class LogForm(Acted):
    groups: tuple[str, ...]  # handles the person may log into


@dataclass(frozen=True)
class EditForm(Acted):
    id: int
    ref: str
    groups: tuple[str, ...]
    values: InnovationInput


@dataclass(frozen=True)
class Prefill(Acted):
    groups: tuple[str, ...]  # empty: the person is in no group, so there is no form to open
    values: InnovationInput


@dataclass(frozen=True)
class Logged(Acted):
    innovation: InnovationView
    related: tuple[Hit, ...] = ()  # alike innovations of other groups, best first


@dataclass(frozen=True)
class Listing(Acted):
    rows: tuple[ListedInnovation, ...]
    total: int
    more_than: int | None  # set when `total` was not counted to the end: "more than N"
    handle: str | None
    stage: str | None
    tz: str  # the reader's zone


@dataclass(frozen=True)
class Shown(Acted):
    innovation: InnovationView
    history: tuple[HistoryEntry, ...]  # oldest first
    tz: str
    related: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class StageMoved(Acted):
    innovation: InnovationView
    from_stage: str
    to_stage: str


@dataclass(frozen=True)
class NoteAdded(Acted):
    ref: str
    title: str


@dataclass(frozen=True)
class FormSaved:
    innovation: InnovationView
    edited: bool
    language: str = "en"  # the person's: the confirmation is a direct message
    profile_due: bool = False  # as Acted's: fetched after the ack


CardStatus = Literal["posted", "no_channel", "failed"]


@dataclass(frozen=True)
class CardOutcome:
    status: CardStatus
    handle: str
    channel: str | None


# --- what services tell Slack (rendered by handlers/ui/innovations.py) ---------------------------


@dataclass(frozen=True)
class InnovationCard:
    innovation: InnovationView
    tz: str  # the workspace zone: a channel has many readers
    language: str  # the group's


@dataclass(frozen=True)
class LogConfirmation:
    innovation: InnovationView
    card: CardOutcome
    related: tuple[Hit, ...]
    language: str  # the person's


@dataclass(frozen=True)
class EditConfirmation:
    innovation: InnovationView
    language: str  # the person's


# --- reading inside the transaction --------------------------------------------------------------


def _handles(session: Session, member: Member) -> tuple[str, ...]:
    return tuple(g.handle for g in domain.groups_for_logging(session, member))


# --- the use cases -------------------------------------------------------------------------------


def log_form(uow: UnitOfWork, actor: Actor) -> LogForm:
    """The groups for `log`'s form; refused when the person may log into none."""
    with uow.read() as session:
        member, due = look(session, actor, uow.now())
        groups = _handles(session, member)
        if not groups:
            raise NotFound("innovation.no_active_groups" if member.is_coordinator else "innovation.not_in_a_group")
        return LogForm(due, groups)


def quick_log(uow: UnitOfWork, actor: Actor, handle: str, title: str) -> Logged:
    with uow.transaction() as session:
        member, due = arrive(session, actor, uow.now())
        view = view_of(domain.quick_log(session, member, handle, title, uow.now()))
    return Logged(due, view, _related_after_commit(uow, view.id))


def list_innovations(uow: UnitOfWork, actor: Actor, handle: str | None, stage: str | None) -> Listing:
    with uow.read() as session:
        member, due = look(session, actor, uow.now())
        rows, total = domain.list_innovations(session, handle, stage)
        listed = tuple(ListedInnovation(i.ref, i.title, i.stage, i.group.handle, i.summary, i.updated_at) for i in rows)
        limit = domain.LIST_COUNT_LIMIT
        more_than = limit if total > limit else None
        return Listing(due, listed, total, more_than, handle, stage, member.tz or uow.timezone)


def show(uow: UnitOfWork, actor: Actor, ref: int) -> Shown:
    with uow.read() as session:
        member, due = look(session, actor, uow.now())
        innovation = domain.get_innovation(session, ref, whole=True)
        entries = tuple(entry_of(item) for item in domain.history(session, innovation))
        related = tuple(related_in(session, innovation.id, SHOW_RELATED))
        return Shown(due, view_of(innovation), entries, member.tz or uow.timezone, related)


def move_stage(
    uow: UnitOfWork, actor: Actor, ref: int, stage: str, note: str, *, claim: str | None = None
) -> StageMoved:
    """`claim`: a click's or a modal's delivery key; its second arrival raises models.deliveries.AlreadyDone."""
    with uow.transaction() as session:
        claim_once(session, claim, uow.now())
        member, due = arrive(session, actor, uow.now())
        innovation, change = domain.move_stage(session, member, ref, stage, note, uow.now())
        return StageMoved(due, view_of(innovation), change.from_stage or "", change.to_stage)


def add_note(uow: UnitOfWork, actor: Actor, ref: int, text: str, *, claim: str | None = None) -> NoteAdded:
    with uow.transaction() as session:
        claim_once(session, claim, uow.now())
        member, due = arrive(session, actor, uow.now())
        innovation, _ = domain.add_note(session, member, ref, text, uow.now())
        return NoteAdded(due, innovation.ref, innovation.title)


def edit_form(uow: UnitOfWork, actor: Actor, ref: int) -> EditForm:
    """The edit form's groups and current values; refused unless the person may change it."""
    with uow.read() as session:
        member, due = look(session, actor, uow.now())
        innovation = domain.get_innovation(session, ref)
        domain.require_may_change(session, innovation, member)
        return EditForm(due, innovation.id, innovation.ref, _handles(session, member), input_of(innovation))


def prefill(uow: UnitOfWork, actor: Actor, message_text: str) -> Prefill:
    """The "Log as innovation" shortcut: the form's groups, with the message as its summary."""
    summary = message_text.replace("\x00", "").strip()[: domain.MAX_SUMMARY]
    with uow.read() as session:
        member, due = look(session, actor, uow.now())
        return Prefill(due, _handles(session, member), InnovationInput(summary=summary))


def save_form(
    uow: UnitOfWork, actor: Actor, data: InnovationInput, *, ref: int | None, claim: str | None
) -> FormSaved | None:
    """Validate and save a form submission in one transaction (a new innovation, or `ref` edited).

    Raises InvalidFields (each wrong field) or a DomainError, and then nothing is saved. `claim`
    names the submission (view id and hash): a second arrival of the same one (a double click,
    Slack's retry) saves nothing and returns None. The claim is made in the same transaction, so
    a refused or failed save leaves it free for the person's next try.
    """
    with uow.transaction() as session:
        now = uow.now()
        if claim is not None and not claim_delivery(session, claim, now):
            return None
        member, due = arrive(session, actor, now)
        language = reader_language(member.language, member.locale, uow.language)
        if ref is None:
            view = view_of(domain.create_innovation(session, member, data, now))
        else:
            innovation, _ = domain.update_innovation(session, member, ref, data, now)
            return FormSaved(view_of(innovation), edited=True, language=language, profile_due=due)
    return FormSaved(view, False, language, profile_due=due)


def _related_after_commit(uow: UnitOfWork, innovation_id: int) -> tuple[Hit, ...]:
    """A new innovation's related ones, read after its commit: ranking them is a search (~10 ms at
    100,000 innovations) that need not hold SQLite's one write lock, which every other log waits for
    (bench/soak: writes queued behind it). The innovation is saved by then: losing the database
    now costs only the suggestions, not the confirmation."""
    try:
        return tuple(related(uow.db, innovation_id, LOG_RELATED))
    except Unavailable:
        return ()


# --- after the ack: the card and the confirmation ------------------------------------------------


def _card(uow: UnitOfWork, innovation: InnovationView) -> InnovationCard:
    return InnovationCard(innovation, uow.timezone, innovation.group_language or uow.language)


def post_card(uow: UnitOfWork, messenger: Messenger, innovation: InnovationView) -> CardOutcome:
    """Post the card in the group's channel and remember where. Never raises for Slack: the
    innovation is already saved, and a card that could not be posted is logged."""
    channel = innovation.group_channel
    if not channel:
        return CardOutcome("no_channel", innovation.handle, None)
    try:
        posted = messenger.post(channel, _card(uow, innovation))
    except MessengerError as exc:
        log.warning("innovation card not posted", extra={"ref": innovation.ref, "channel": channel, "error": exc.error})
        return CardOutcome("failed", innovation.handle, channel)
    if posted.ts:
        with uow.transaction() as session:
            domain.set_card(session, innovation.id, channel, str(posted.ts))
    return CardOutcome("posted", innovation.handle, channel)


def update_card(uow: UnitOfWork, messenger: Messenger, innovation: InnovationView) -> bool:
    """Bring the channel card up to date after a change; False when there is none or Slack refused."""
    if not innovation.card_channel or not innovation.card_ts:
        return False
    try:
        messenger.update(innovation.card_channel, innovation.card_ts, _card(uow, innovation))
    except MessengerError as exc:
        log.warning(
            "innovation card not updated",
            extra={"ref": innovation.ref, "channel": innovation.card_channel, "error": exc.error},
        )
        return False
    return True


def announce(uow: UnitOfWork, messenger: Messenger, actor: Actor, saved: FormSaved) -> None:
    """After a form submission's ack: post (or update) the card, then confirm to the person by DM."""
    if saved.edited:
        update_card(uow, messenger, saved.innovation)
        confirmation: object = EditConfirmation(saved.innovation, saved.language)
    else:
        card = post_card(uow, messenger, saved.innovation)
        # Ranked here, after the ack, not before it: the person is waiting only for the form to close.
        related = _related_after_commit(uow, saved.innovation.id)
        confirmation = LogConfirmation(saved.innovation, card, related, saved.language)
    try:
        messenger.post(actor.user_id, confirmation)
    except MessengerError as exc:
        log.warning("direct message not sent", extra={"user": actor.user_id, "error": exc.error})
