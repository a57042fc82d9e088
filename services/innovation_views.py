"""An innovation as people see it, read inside the transaction that loaded it.

The use cases (services/innovations.py) return these frozen views, so what goes to Slack after
the ack is exactly what was committed, without reading the rows again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import innovations as domain
from models.innovations import InnovationInput
from models.people import Member
from models.vocab import RISKS


@dataclass(frozen=True)
class InnovationView:
    """An innovation as people see it (card, `show`, confirmations); `None` people are former members."""

    id: int
    ref: str
    title: str
    kind: str | None
    stage: str
    summary: str
    link: str | None
    organisations: tuple[str, ...]
    sdgs: tuple[int, ...]
    tags: tuple[str, ...]
    privacy_risk: str
    civic_space_risk: str
    manipulation_risk: str
    safeguards: str
    handle: str
    group_channel: str | None  # where a new card goes
    group_language: str | None  # its card's language (None: SPINDLE_LANGUAGE)
    logged_by: str | None
    logged_at: datetime
    updated_at: datetime
    card_channel: str | None  # where the existing card is, if any
    card_ts: str | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str | None  # None: a former member
    text: str  # the note, or the note on a stage move
    to_stage: str | None = None  # None: a note, not a stage move
    from_stage: str | None = None  # None on a stage move: the innovation was logged


@dataclass(frozen=True)
class ListedInnovation:
    ref: str
    title: str
    stage: str
    handle: str
    summary: str
    updated_at: datetime


def person(member_id: str | None, member: Member | None) -> str | None:
    return None if member_id is None or (member is not None and member.forgotten) else member_id


def view_of(innovation: domain.Innovation) -> InnovationView:
    return InnovationView(
        id=innovation.id,
        ref=innovation.ref,
        title=innovation.title,
        kind=innovation.kind,
        stage=innovation.stage,
        summary=innovation.summary,
        link=innovation.link,
        organisations=tuple(o.name for o in innovation.organisations),
        sdgs=tuple(int(n) for n in innovation.sdgs.split(",") if n),
        tags=tuple(t for t in innovation.tags.split(",") if t),
        privacy_risk=innovation.privacy_risk,
        civic_space_risk=innovation.civic_space_risk,
        manipulation_risk=innovation.manipulation_risk,
        safeguards=innovation.safeguards,
        handle=innovation.group.handle,
        group_channel=innovation.group.channel_id,
        group_language=innovation.group.language,
        logged_by=person(innovation.logged_by, innovation.logger),
        logged_at=innovation.logged_at,
        updated_at=innovation.updated_at,
        card_channel=innovation.card_channel,
        card_ts=innovation.card_ts,
    )


def entry_of(item: domain.StageChange | domain.InnovationNote) -> HistoryEntry:
    if isinstance(item, domain.StageChange):
        return HistoryEntry(item.at, person(item.by_id, item.by), item.note, item.to_stage, item.from_stage)
    return HistoryEntry(item.at, person(item.author_id, item.author), item.text)


def input_of(innovation: domain.Innovation) -> InnovationInput:
    """An innovation's current values, to fill the edit form."""
    view = view_of(innovation)
    risks = {field: getattr(view, field) for field, _label in RISKS}
    return InnovationInput(
        group=view.handle,
        title=view.title,
        kind=view.kind,
        stage=view.stage,
        summary=view.summary,
        link=view.link,
        organisations=list(view.organisations),
        sdgs=list(view.sdgs),
        tags=list(view.tags),
        safeguards=view.safeguards,
        **risks,
    )
