"""The innovation log's domain operations: log, edit, move a stage, add a note, list, history.

Slack-free: services call them with a session, the acting member and `now`, inside their
transaction; refusals are DomainErrors with codes (words in handlers/ui/errors.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload

from models.errors import Conflict, Invalid, NotFound
from models.groups import get_group
from models.innovations.rules import (
    CleanInnovation,
    InnovationInput,
    InvalidFields,
    check_note,
    clean_input,
    clean_text,
    require_may_change,
)
from models.innovations.tables import Innovation, InnovationNote, Organisation, StageChange, innovation_organisations
from models.people import Member
from models.vocab import STAGES, STAGES_NEEDING_NOTE

LIST_LIMIT = 20
# `list` says "20 most recently updated of N"; N is counted up to this many (a bounded scan of the
# index), so a large register never costs a full count per command.
LIST_COUNT_LIMIT = 1000


def get_innovation(session: Session, ref: int, *, whole: bool = False) -> Innovation:
    """The innovation INN-ref; `whole`: with its group, logger and organisations in the same statement."""
    if not 0 < ref < 2**31:
        raise NotFound("innovation.not_found", ref=f"INN-{ref}")
    if not whole:
        innovation = session.get(Innovation, ref)
    else:
        # Flat outer joins, not joinedload's `LEFT JOIN (innovation_organisations JOIN organisations)`:
        # SQLite materialised that nested join whole, every link in the register (112 ms at 100,000
        # innovations, 0.3 ms this way).
        innovation = (
            session.scalars(
                select(Innovation)
                .outerjoin(Innovation.group)
                .outerjoin(Innovation.logger)
                .outerjoin(innovation_organisations, innovation_organisations.c.innovation_id == Innovation.id)
                .outerjoin(Organisation, Organisation.id == innovation_organisations.c.organisation_id)
                .options(
                    contains_eager(Innovation.group),
                    contains_eager(Innovation.logger),
                    contains_eager(Innovation.organisations),
                )
                .where(Innovation.id == ref)
                .order_by(Organisation.name)
                .execution_options(populate_existing=True)
            )
            .unique()
            .one_or_none()
        )
    if innovation is None:
        raise NotFound("innovation.not_found", ref=f"INN-{ref}")
    return innovation


def _organisations(session: Session, names: list[str]) -> list[Organisation]:
    """The Organisation rows for these names, created on first use (safe against a concurrent twin)."""
    out: list[Organisation] = []
    for name in names:
        key = name.lower()
        org = _find_organisation(session, key)
        if org is None:
            try:
                with session.begin_nested():  # a savepoint: losing a race must not spoil the whole save
                    org = Organisation(name=name, key=key)
                    session.add(org)
            except IntegrityError:  # another request created it a moment ago: use theirs
                org = _find_organisation(session, key)
        if org is not None:
            out.append(org)
    return out


def _find_organisation(session: Session, key: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.key == key))


def _apply(session: Session, innovation: Innovation, clean: CleanInnovation) -> None:
    innovation.group = clean.group
    innovation.group_id = clean.group.id
    innovation.title = clean.title
    innovation.kind = clean.kind
    innovation.summary = clean.summary
    innovation.link = clean.link
    innovation.sdgs = ",".join(str(n) for n in clean.sdgs)
    innovation.tags = ",".join(clean.tags)
    for field_name, level in clean.risks.items():
        setattr(innovation, field_name, level)
    innovation.safeguards = clean.safeguards
    innovation.organisations = _organisations(session, clean.organisations)


def create_innovation(session: Session, actor: Member, data: InnovationInput, now: datetime) -> Innovation:
    """Log an innovation (from the modal): validated, saved, with its first stage-history entry."""
    clean = clean_input(session, actor, data)
    innovation = Innovation(stage=clean.stage, logged_by=actor.id, logged_at=now, updated_at=now)
    _apply(session, innovation, clean)
    session.add(innovation)
    session.flush()  # the id is the reference: the database hands out a distinct one per insert
    session.add(
        StageChange(
            innovation_id=innovation.id,
            from_stage=None,
            to_stage=clean.stage,
            by_id=actor.id,
            at=now,
            note=clean.stage_note,
        )
    )
    session.flush()
    return innovation


def quick_log(session: Session, actor: Member, handle: str, title: str, now: datetime) -> Innovation:
    """`log HANDLE TITLE`: a group the person belongs to (any active one for a coordinator).

    The form's checks, once: a wrong group is the first field error, so it is the one raised."""
    try:
        return create_innovation(session, actor, InnovationInput(group=handle, title=title, stage="exploring"), now)
    except InvalidFields as exc:
        raise next(iter(exc.errors.values())) from None


def update_innovation(
    session: Session, actor: Member, ref: int, data: InnovationInput, now: datetime
) -> tuple[Innovation, StageChange | None]:
    """Save an edit. A stage move made in the form is recorded like any other."""
    innovation = get_innovation(session, ref)
    require_may_change(session, innovation, actor)
    clean = clean_input(session, actor, data, editing=innovation)
    before = _snapshot(innovation)
    _apply(session, innovation, clean)
    change = None
    if clean.stage != innovation.stage:
        change = _record_move(session, innovation, actor, clean.stage, clean.stage_note, now)
    if change is not None or _snapshot(innovation) != before:
        innovation.updated_at = now
    session.flush()
    return innovation, change


def _snapshot(innovation: Innovation) -> tuple[object, ...]:
    return (
        innovation.group_id,
        innovation.title,
        innovation.kind,
        innovation.stage,
        innovation.summary,
        innovation.link,
        innovation.sdgs,
        innovation.tags,
        innovation.privacy_risk,
        innovation.civic_space_risk,
        innovation.manipulation_risk,
        innovation.safeguards,
        tuple(o.key for o in innovation.organisations),
    )


def _record_move(
    session: Session, innovation: Innovation, actor: Member, stage: str, note: str, now: datetime
) -> StageChange:
    change = StageChange(
        innovation_id=innovation.id, from_stage=innovation.stage, to_stage=stage, by_id=actor.id, at=now, note=note
    )
    session.add(change)
    innovation.stage = stage
    innovation.updated_at = now
    return change


def _require_stage(stage: str) -> str:
    if stage not in STAGES:
        raise Invalid("innovation.not_a_stage", stage=stage[:40])
    return stage


def move_stage(
    session: Session, actor: Member, ref: int, stage: str, note: str, now: datetime
) -> tuple[Innovation, StageChange]:
    # Whole: the group (who may) and what the card shows come in the same statement, which on
    # SQLite runs while the transaction holds the one write lock.
    innovation = get_innovation(session, ref, whole=True)
    require_may_change(session, innovation, actor)
    stage = _require_stage(stage.strip().lower())
    note = clean_text(note)
    if stage == innovation.stage:
        raise Conflict("innovation.already_at_stage", ref=innovation.ref, stage=stage)
    if stage in STAGES_NEEDING_NOTE and not note:
        raise Invalid("innovation.stage_needs_note", ref=innovation.ref, stage=stage)
    too_long = check_note(note)
    if too_long is not None:
        raise too_long
    change = _record_move(session, innovation, actor, stage, note, now)
    session.flush()
    return innovation, change


def add_note(session: Session, actor: Member, ref: int, text: str, now: datetime) -> tuple[Innovation, InnovationNote]:
    innovation = get_innovation(session, ref, whole=True)  # with its group: who may, in one statement
    require_may_change(session, innovation, actor)
    text = clean_text(text)
    if not text:
        raise Invalid("innovation.note_missing", ref=innovation.ref)
    too_long = check_note(text)
    if too_long is not None:
        raise too_long
    note = InnovationNote(innovation_id=innovation.id, author_id=actor.id, at=now, text=text)
    session.add(note)
    innovation.updated_at = now
    session.flush()
    return innovation, note


def list_innovations(
    session: Session,
    handle: str | None = None,
    stage: str | None = None,
    limit: int = LIST_LIMIT,
    count_limit: int = LIST_COUNT_LIMIT,
) -> tuple[list[Innovation], int]:
    """The most recently updated innovations (newest first, group loaded) and how many match.

    The count stops at `count_limit + 1`: a total above `count_limit` means "more than that".
    It rides along with the rows, a scalar subquery evaluated once: one statement whatever the size.
    """
    query = select(Innovation)
    if handle:
        group = get_group(session, handle, include_archived=True)
        query = query.where(Innovation.group_id == group.id)
    if stage:
        query = query.where(Innovation.stage == _require_stage(stage))
    matching = query.with_only_columns(Innovation.id).limit(count_limit + 1).subquery()
    total = select(func.count()).select_from(matching).scalar_subquery()
    newest = query.add_columns(total).order_by(Innovation.updated_at.desc(), Innovation.id.desc())
    rows = session.execute(newest.options(joinedload(Innovation.group)).limit(limit)).all()
    return [row[0] for row in rows], int(rows[0][1]) if rows else 0


def history(session: Session, innovation: Innovation) -> list[StageChange | InnovationNote]:
    """Stage moves and notes of one innovation, oldest first, with who made them: two statements."""
    changes = session.scalars(
        select(StageChange).where(StageChange.innovation_id == innovation.id).options(joinedload(StageChange.by))
    )
    notes = session.scalars(
        select(InnovationNote)
        .where(InnovationNote.innovation_id == innovation.id)
        .options(joinedload(InnovationNote.author))
    )
    items: list[StageChange | InnovationNote] = [*changes, *notes]
    # Stage changes before notes at the same instant: the logging entry comes first.
    items.sort(key=lambda item: (item.at, 0 if isinstance(item, StageChange) else 1, item.id))
    return items


def set_card(session: Session, innovation_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(Innovation).where(Innovation.id == innovation_id).values(card_channel=channel, card_ts=ts),
        execution_options={"synchronize_session": False},
    )
