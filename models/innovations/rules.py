"""Who may log and change innovations, and what a valid innovation is (every field checked at once).

Errors carry codes (`innovation.title_too_long`) and the numbers their sentence needs; the words
are in handlers/ui/errors.py. Nothing here writes to the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError, Forbidden, Invalid
from models.groups import Group, get_group, groups_of, is_member
from models.innovations.tables import Innovation
from models.people import Member
from models.vocab import KINDS, RISK_LEVELS, RISKS, SDG_NAMES, STAGES, STAGES_NEEDING_NOTE

MAX_TITLE = 150
MAX_SUMMARY = 3000
MAX_SAFEGUARDS = 3000
MAX_NOTE = 3000
MAX_LINK = 2000
MAX_ORGANISATION = 120
MAX_ORGANISATIONS = 20
MAX_TAG = 40
MAX_TAGS = 20

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
    """Several fields are wrong at once; `errors` maps each field name (see FIELDS) to its error."""

    def __init__(self, errors: dict[str, DomainError]):
        super().__init__("innovation.invalid_fields", fields=", ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
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
    sdgs: Sequence[int | str] | None = None
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


# Control characters mean nothing in a title or a summary, PostgreSQL refuses NUL, and Excel holds
# none of them: the register would lose them (a title of only control characters would be empty).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """Prose: the person's line breaks kept (CRLF and CR as LF), control characters and edges dropped."""
    text = CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def one_line(value: str | None) -> str:
    return " ".join(CONTROL.sub("", value or "").split())


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
        name = one_line(part)
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
        raise Forbidden("innovation.change_forbidden", handle=innovation.group.handle, ref=innovation.ref)


def require_may_log_into(session: Session, group: Group, member: Member) -> None:
    if not (member.is_coordinator or is_member(session, group, member.id)):
        raise Forbidden("innovation.log_forbidden", handle=group.handle)


def too_long(code: str, length: int, limit: int) -> Invalid:
    return Invalid(code, length=length, limit=limit)


def check_note(note: str) -> DomainError | None:
    return too_long("innovation.note_too_long", len(note), MAX_NOTE) if len(note) > MAX_NOTE else None


def _group(session: Session, actor: Member, handle: str, editing: Innovation | None) -> Group:
    if editing is not None and handle.lower() == editing.group.handle:
        return editing.group  # an archived group stays valid for innovations already in it
    group = get_group(session, handle)
    require_may_log_into(session, group, actor)
    return group


def _link(link: str | None) -> DomainError | None:
    if link is None:
        return None
    parsed = urlparse(link)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc or " " in link:
        return Invalid("innovation.link_not_web")
    if len(link) > MAX_LINK:
        return too_long("innovation.link_too_long", len(link), MAX_LINK)
    return None


def _sdgs(raw: Sequence[int | str] | None) -> tuple[list[int], DomainError | None]:
    sdgs: set[int] = set()
    for value in raw or []:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if number not in SDG_NAMES:
            return [], Invalid("innovation.sdg_unknown")
        sdgs.add(number)
    return sorted(sdgs), None


def clean_input(
    session: Session, actor: Member, data: InnovationInput, *, editing: Innovation | None = None
) -> CleanInnovation:
    """Validate every field at once; raise InvalidFields naming each wrong one. Writes nothing.

    Permission problems about the chosen group are reported on the `group` field, so a modal can
    show them inline too.
    """
    errors: dict[str, DomainError | None] = {}

    group: Group | None = None
    handle = (data.group or "").strip()
    if not handle:
        errors["group"] = Invalid("innovation.group_missing")
    else:
        try:
            group = _group(session, actor, handle, editing)
        except DomainError as exc:
            errors["group"] = exc

    title = one_line(data.title)
    if not title:
        errors["title"] = Invalid("innovation.title_missing")
    elif len(title) > MAX_TITLE:
        errors["title"] = too_long("innovation.title_too_long", len(title), MAX_TITLE)

    kind = (data.kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        errors["kind"] = Invalid("innovation.kind_unknown")

    stage = (data.stage or "").strip().lower() or (editing.stage if editing is not None else "exploring")
    if stage not in STAGES:
        errors["stage"] = Invalid("innovation.stage_unknown")

    stage_note = clean_text(data.stage_note)
    stage_moves = editing is None or stage != editing.stage
    if stage in STAGES_NEEDING_NOTE and stage_moves and not stage_note:
        errors["stage_note"] = Invalid("innovation.stage_note_missing", stage=stage)
    else:
        errors["stage_note"] = check_note(stage_note)

    summary = clean_text(data.summary)
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = too_long("innovation.summary_too_long", len(summary), MAX_SUMMARY)

    link = one_line(data.link) or None
    errors["link"] = _link(link)

    organisations = normalise_organisations(data.organisations)
    if any(len(o) > MAX_ORGANISATION for o in organisations):
        errors["organisations"] = Invalid("innovation.organisation_too_long", limit=MAX_ORGANISATION)
    elif len(organisations) > MAX_ORGANISATIONS:
        errors["organisations"] = Invalid("innovation.too_many_organisations", limit=MAX_ORGANISATIONS)

    sdgs, errors["sdgs"] = _sdgs(data.sdgs)

    tags = normalise_tags(data.tags)
    if any(len(t) > MAX_TAG for t in tags):
        errors["tags"] = Invalid("innovation.tag_too_long", limit=MAX_TAG)
    elif len(tags) > MAX_TAGS:
        errors["tags"] = Invalid("innovation.too_many_tags", limit=MAX_TAGS)

    risks: dict[str, str] = {}
    for field_name, _label in RISKS:
        level = (getattr(data, field_name) or "").strip().lower() or (
            getattr(editing, field_name) if editing is not None else "not-assessed"
        )
        if level not in RISK_LEVELS:
            errors[field_name] = Invalid(f"innovation.{field_name}_unknown")
        risks[field_name] = level

    safeguards = clean_text(data.safeguards)
    if len(safeguards) > MAX_SAFEGUARDS:
        errors["safeguards"] = too_long("innovation.safeguards_too_long", len(safeguards), MAX_SAFEGUARDS)

    found = {name: error for name, error in errors.items() if error is not None}
    if found:
        raise InvalidFields(found)
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
        sdgs=sdgs,
        tags=tags,
        risks=risks,
        safeguards=safeguards,
    )
