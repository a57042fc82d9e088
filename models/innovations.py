"""Digital innovations, their organisations, stage history and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from models.groups import Group, get_group, groups_of, is_member
from models.people import Member
from models.vocab import KINDS, RISK_LEVELS, RISKS, SDG_NAMES, STAGES, STAGES_NEEDING_NOTE

innovation_organisations = Table(
    "innovation_organisations",
    Base.metadata,
    Column("innovation_id", ForeignKey("innovations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Lower-cased name: one organisation however people capitalise it.
    key: Mapped[str] = mapped_column(String(120), unique=True)


class Innovation(Base):
    __tablename__ = "innovations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # shown as INN-<id>
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str | None] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    sdgs: Mapped[str] = mapped_column(String(64), default="")  # "3,5,16", sorted
    tags: Mapped[str] = mapped_column(Text, default="")  # "ai,privacy", normalised and sorted
    privacy_risk: Mapped[str] = mapped_column(String(16), default="not-assessed")
    civic_space_risk: Mapped[str] = mapped_column(String(16), default="not-assessed")
    manipulation_risk: Mapped[str] = mapped_column(String(16), default="not-assessed")
    safeguards: Mapped[str] = mapped_column(Text, default="")
    logged_by: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Where the card about this innovation was posted, so later changes can follow it.
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))

    group: Mapped[Group] = relationship()
    logger: Mapped[Member | None] = relationship(foreign_keys=[logged_by])
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=innovation_organisations, order_by="Organisation.name"
    )

    @property
    def ref(self) -> str:
        return f"INN-{self.id}"


class StageChange(Base):
    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovations.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(32))  # None: the innovation was logged
    to_stage: Mapped[str] = mapped_column(String(32))
    by_id: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    by: Mapped[Member | None] = relationship()


class InnovationNote(Base):
    __tablename__ = "innovation_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[Member | None] = relationship()


def count_by_stage(session, group_id: int | None = None) -> dict[str, int]:
    """Innovations per stage (all stages present, zeros included), optionally for one group."""
    query = select(Innovation.stage, func.count(Innovation.id)).group_by(Innovation.stage)
    if group_id is not None:
        query = query.where(Innovation.group_id == group_id)
    counts = dict.fromkeys(STAGES, 0)
    for stage, n in session.execute(query):
        counts[stage] = int(n)
    return counts


# --- domain operations ---------------------------------------------------------------------------
#
# Everything below is Slack-free: handlers call it with a session, the acting member and `now`,
# and turn DomainErrors into replies (or, for the modal, into inline field errors).

MAX_TITLE = 150
MAX_SUMMARY = 3000
MAX_SAFEGUARDS = 3000
MAX_NOTE = 3000
MAX_LINK = 2000
MAX_ORGANISATION = 120
MAX_ORGANISATIONS = 20
MAX_TAG = 40
MAX_TAGS = 20
LIST_LIMIT = 20

FIELDS: tuple[str, ...] = (
    "group",
    "title",
    "kind",
    "stage",
    "stage_note",
    "summary",
    "link",
    "organisations",
    "sdgs",
    "tags",
    "privacy_risk",
    "civic_space_risk",
    "manipulation_risk",
    "safeguards",
)


class InvalidFields(Invalid):
    """Several fields are wrong at once; `errors` maps each field name (see FIELDS) to its sentence."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class InnovationInput:
    """What a person typed, raw (the modal's fields, or a quick log's handle and title)."""

    group: str | None = None  # handle
    title: str | None = None
    kind: str | None = None
    stage: str | None = None
    stage_note: str | None = None  # needed when the stage becomes parked or dropped
    summary: str | None = None
    link: str | None = None
    organisations: str | list[str] | None = None  # comma-separated, or a list
    sdgs: list[int | str] | None = None
    tags: str | list[str] | None = None  # comma-separated, or a list
    privacy_risk: str | None = None
    civic_space_risk: str | None = None
    manipulation_risk: str | None = None
    safeguards: str | None = None


@dataclass
class CleanInnovation:
    group: Group
    title: str
    kind: str | None
    stage: str
    stage_note: str
    summary: str
    link: str | None
    organisations: list[str]  # display names, unique by lower-case key, in the order given
    sdgs: list[int]
    tags: list[str]
    risks: dict[str, str]
    safeguards: str


def ref_of(innovation_id: int) -> str:
    return f"INN-{innovation_id}"


def _text(value: str | None) -> str:
    # Keep the person's line breaks (summaries are prose) but drop the edges and NUL bytes,
    # which PostgreSQL refuses in text.
    return (value or "").replace("\x00", "").strip()


def _one_line(value: str | None) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def normalise_tags(value: str | list[str] | None) -> list[str]:
    """Tags: split on commas, trimmed, a leading `#` dropped, lower-case, inner spaces become `-`,
    empties dropped, duplicates removed, sorted. "AI, #Privacy ,ai, data  ethics" → ai, data-ethics, privacy.
    """
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    tags = {"-".join(p.replace("\x00", "").strip().lstrip("#").lower().split()) for p in parts}
    return sorted(t for t in tags if t)


def normalise_organisations(value: str | list[str] | None) -> list[str]:
    """Organisation names: split on commas, whitespace collapsed; one per case-insensitive name."""
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    seen: dict[str, str] = {}
    for part in parts:
        name = _one_line(part)
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def groups_for_logging(session: Session, member: Member) -> list[Group]:
    """The groups a person may log into: their own, or every active group for a coordinator."""
    if member.is_coordinator:
        return list(session.scalars(select(Group).where(Group.archived_at.is_(None)).order_by(Group.handle)))
    return groups_of(session, member.id)


def may_change(session: Session, innovation: Innovation, member: Member) -> bool:
    return member.is_coordinator or is_member(session, innovation.group, member.id)


def require_may_change(session: Session, innovation: Innovation, member: Member) -> None:
    if not may_change(session, innovation, member):
        handle = innovation.group.handle
        raise Forbidden(
            f"Only members of `{handle}` and coordinators may change {innovation.ref}. "
            f"Join the group with `/spindle group join {handle}` first."
        )


def require_may_log_into(session: Session, group: Group, member: Member) -> None:
    if not (member.is_coordinator or is_member(session, group, member.id)):
        raise Forbidden(
            f"Only members of `{group.handle}` and coordinators may log innovations into it. "
            f"Join it with `/spindle group join {group.handle}` first."
        )


def get_innovation(session: Session, ref: int) -> Innovation:
    innovation = session.get(Innovation, ref) if 0 < ref < 2**31 else None
    if innovation is None:
        raise NotFound(f"There is no innovation {ref_of(ref)}. `/spindle list` shows the latest ones.")
    return innovation


def clean_input(
    session: Session, actor: Member, data: InnovationInput, *, editing: Innovation | None = None
) -> CleanInnovation:
    """Validate every field at once; raise InvalidFields naming each wrong one. Writes nothing.

    Permission problems about the chosen group are reported on the `group` field, so a modal can
    show them inline too.
    """
    errors: dict[str, str] = {}

    group: Group | None = None
    handle = (data.group or "").strip()
    if not handle:
        errors["group"] = "Choose the action group this innovation belongs to."
    else:
        try:
            if editing is not None and handle.lower() == editing.group.handle:
                group = editing.group  # an archived group stays valid for innovations already in it
            else:
                group = get_group(session, handle)
                require_may_log_into(session, group, actor)
        except DomainError as exc:
            errors["group"] = exc.message
            group = None

    title = _one_line(data.title)
    if not title:
        errors["title"] = "Give the innovation a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"The title is {len(title)} characters; {MAX_TITLE} is the most. Put the rest in the summary."

    kind = (data.kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        errors["kind"] = f"Kind must be one of: {', '.join(KINDS)}."

    stage = (data.stage or "").strip().lower() or (editing.stage if editing is not None else "exploring")
    if stage not in STAGES:
        errors["stage"] = f"Stage must be one of: {', '.join(STAGES)}."

    stage_note = _text(data.stage_note)
    stage_moves = editing is None or stage != editing.stage
    if stage in STAGES_NEEDING_NOTE and stage_moves and not stage_note:
        errors["stage_note"] = f"Say why it is {stage}: a note is needed for parked and dropped."
    elif len(stage_note) > MAX_NOTE:
        errors["stage_note"] = f"The note is {len(stage_note)} characters; {MAX_NOTE} is the most."

    summary = _text(data.summary)
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = f"The summary is {len(summary)} characters; {MAX_SUMMARY} is the most."

    link = _one_line(data.link) or None
    if link is not None:
        parsed = urlparse(link)
        if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc or " " in link:
            errors["link"] = "The link must be a web address starting with http:// or https://."
        elif len(link) > MAX_LINK:
            errors["link"] = f"The link is {len(link)} characters; {MAX_LINK} is the most."

    organisations = normalise_organisations(data.organisations)
    too_long = [o for o in organisations if len(o) > MAX_ORGANISATION]
    if too_long:
        errors["organisations"] = (
            f"Organisation names may be {MAX_ORGANISATION} characters at most; separate them with commas."
        )
    elif len(organisations) > MAX_ORGANISATIONS:
        errors["organisations"] = f"Name at most {MAX_ORGANISATIONS} organisations."

    sdgs: set[int] = set()
    for raw in data.sdgs or []:
        try:
            number = int(str(raw).strip())
        except ValueError:
            number = 0
        if number not in SDG_NAMES:
            errors["sdgs"] = "SDGs are numbered 1 to 17."
            break
        sdgs.add(number)

    tags = normalise_tags(data.tags)
    if any(len(t) > MAX_TAG for t in tags):
        errors["tags"] = f"Tags may be {MAX_TAG} characters at most; separate them with commas."
    elif len(tags) > MAX_TAGS:
        errors["tags"] = f"Give at most {MAX_TAGS} tags."

    risks: dict[str, str] = {}
    for field_name, label in RISKS:
        level = (getattr(data, field_name) or "").strip().lower() or (
            getattr(editing, field_name) if editing is not None else "not-assessed"
        )
        if level not in RISK_LEVELS:
            errors[field_name] = f"{label} risk must be one of: {', '.join(RISK_LEVELS)}."
        risks[field_name] = level

    safeguards = _text(data.safeguards)
    if len(safeguards) > MAX_SAFEGUARDS:
        errors["safeguards"] = f"The safeguards are {len(safeguards)} characters; {MAX_SAFEGUARDS} is the most."

    if errors:
        raise InvalidFields(errors)
    assert group is not None
    return CleanInnovation(
        group=group,
        title=title,
        kind=kind,
        stage=stage,
        stage_note=stage_note,
        summary=summary,
        link=link,
        organisations=organisations,
        sdgs=sorted(sdgs),
        tags=tags,
        risks=risks,
        safeguards=safeguards,
    )


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
            innovation_id=innovation.id, from_stage=None, to_stage=clean.stage, by_id=actor.id, at=now,
            note=clean.stage_note,
        )
    )  # fmt: skip
    session.flush()
    return innovation


def quick_log(session: Session, actor: Member, handle: str, title: str, now: datetime) -> Innovation:
    """`/spindle log HANDLE TITLE`: a group the person belongs to (any active one for a coordinator)."""
    group = get_group(session, handle)
    require_may_log_into(session, group, actor)
    try:
        return create_innovation(
            session, actor, InnovationInput(group=group.handle, title=title, stage="exploring"), now
        )
    except InvalidFields as exc:
        raise Invalid(next(iter(exc.errors.values()))) from None


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


def _snapshot(innovation: Innovation) -> tuple:
    return (
        innovation.group_id, innovation.title, innovation.kind, innovation.stage, innovation.summary,
        innovation.link, innovation.sdgs, innovation.tags, innovation.privacy_risk, innovation.civic_space_risk,
        innovation.manipulation_risk, innovation.safeguards, tuple(o.key for o in innovation.organisations),
    )  # fmt: skip


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


def move_stage(
    session: Session, actor: Member, ref: int, stage: str, note: str, now: datetime
) -> tuple[Innovation, StageChange]:
    innovation = get_innovation(session, ref)
    require_may_change(session, innovation, actor)
    stage = stage.strip().lower()
    if stage not in STAGES:
        raise Invalid(f"`{stage[:40]}` is not a stage. Stages: {', '.join(STAGES)}.")
    note = _text(note)
    if stage == innovation.stage:
        raise Conflict(f"{innovation.ref} is already at stage `{stage}`.")
    if stage in STAGES_NEEDING_NOTE and not note:
        raise Invalid(
            f"Say why {innovation.ref} is {stage}: `/spindle stage {innovation.ref} {stage} NOTE` — "
            "a note is needed for parked and dropped."
        )
    if len(note) > MAX_NOTE:
        raise Invalid(f"The note is {len(note)} characters; {MAX_NOTE} is the most.")
    change = _record_move(session, innovation, actor, stage, note, now)
    session.flush()
    return innovation, change


def add_note(session: Session, actor: Member, ref: int, text: str, now: datetime) -> tuple[Innovation, InnovationNote]:
    innovation = get_innovation(session, ref)
    require_may_change(session, innovation, actor)
    text = _text(text)
    if not text:
        raise Invalid(f"Write the note after the reference: `/spindle note {innovation.ref} TEXT`.")
    if len(text) > MAX_NOTE:
        raise Invalid(f"The note is {len(text)} characters; {MAX_NOTE} is the most.")
    note = InnovationNote(innovation_id=innovation.id, author_id=actor.id, at=now, text=text)
    session.add(note)
    innovation.updated_at = now
    session.flush()
    return innovation, note


def list_innovations(
    session: Session, handle: str | None = None, stage: str | None = None, limit: int = LIST_LIMIT
) -> tuple[list[Innovation], int]:
    """The most recently updated innovations (newest first) and how many match in all."""
    query = select(Innovation)
    count = select(func.count(Innovation.id))
    if handle:
        group = get_group(session, handle, include_archived=True)
        query = query.where(Innovation.group_id == group.id)
        count = count.where(Innovation.group_id == group.id)
    if stage:
        if stage not in STAGES:
            raise Invalid(f"`{stage[:40]}` is not a stage. Stages: {', '.join(STAGES)}.")
        query = query.where(Innovation.stage == stage)
        count = count.where(Innovation.stage == stage)
    rows = list(session.scalars(query.order_by(Innovation.updated_at.desc(), Innovation.id.desc()).limit(limit)))
    return rows, int(session.scalar(count) or 0)


def history(session: Session, innovation: Innovation) -> list[StageChange | InnovationNote]:
    """Stage moves and notes of one innovation, oldest first."""
    changes = session.scalars(select(StageChange).where(StageChange.innovation_id == innovation.id))
    notes = session.scalars(select(InnovationNote).where(InnovationNote.innovation_id == innovation.id))
    items: list[StageChange | InnovationNote] = [*changes, *notes]
    # Stage changes before notes at the same instant: the logging entry comes first.
    items.sort(key=lambda item: (item.at, 0 if isinstance(item, StageChange) else 1, item.id))
    return items


def set_card(session: Session, innovation_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(Innovation).where(Innovation.id == innovation_id).values(card_channel=channel, card_ts=ts),
        execution_options={"synchronize_session": False},
    )
