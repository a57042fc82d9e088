"""The import's field rules and the database state it compares against.

`clean_field` normalises a cell's text the way the bot normalises what a person types (and
says what is wrong with it); `stored_value` normalises what the database holds the same way, as
an export writes it, so an unchanged row compares equal however it was first stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from exports.cells import clean_text
from exports.words import sdg_names_all, value_of
from models.groups import Group
from models.innovations import (
    MAX_LINK,
    MAX_ORGANISATION,
    MAX_ORGANISATIONS,
    MAX_SAFEGUARDS,
    MAX_SUMMARY,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    Innovation,
    Organisation,
    innovation_organisations,
    normalise_organisations,
    normalise_tags,
)
from models.vocab import KINDS, RISK_LEVELS, SDG_NAMES, STAGES

RISK_KEYS = ("privacy_risk", "civic_space_risk", "manipulation_risk")
FIELDS: tuple[str, ...] = (
    "title",
    "kind",
    "stage",
    "summary",
    "organisations",
    "link",
    "sdgs",
    *RISK_KEYS,
    "safeguards",
    "tags",
    "logged_on",
)
SDG_RE = re.compile(r"^\s*([0-9]{1,2})(?:\s|$|[^0-9])")
CHUNK = 500


@cache
def _sdg_names_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sdg_names_all()), re.I)


def _one_line(value: str) -> str:
    return " ".join(value.replace("\x00", "").split())


def _text(value: str) -> str:
    return value.replace("\x00", "").strip()


def _too_long(what: str, n: int, most: int) -> str:
    return f"the {what} is {n} characters; {most} is the most."


def clean_field(key: str, value, zone: ZoneInfo) -> tuple[object, str | None]:
    """(the normalised value, the error or None). The value is returned even when wrong, to compare."""
    if key == "logged_on":
        return _date(value, zone)
    if key == "title":
        title = _one_line(value)
        if not title:
            return title, "the title is missing."
        return title, _too_long("title", len(title), MAX_TITLE) if len(title) > MAX_TITLE else None
    if key == "kind":
        kind = value_of(value) or None
        return kind, None if kind is None or kind in KINDS else f"{kind[:30]!r} is not a kind: {', '.join(KINDS)}."
    if key == "stage":
        stage = value_of(value)
        return stage, None if stage in STAGES else f"{stage[:30]!r} is not a stage: {', '.join(STAGES)}."
    if key in RISK_KEYS:
        level = value_of(value) or "not-assessed"
        return level, None if level in RISK_LEVELS else f"{level[:30]!r} is not a risk level: {', '.join(RISK_LEVELS)}."
    if key in ("summary", "safeguards"):
        text = _text(value)
        most = MAX_SUMMARY if key == "summary" else MAX_SAFEGUARDS
        return text, _too_long(key, len(text), most) if len(text) > most else None
    if key == "link":
        link = _one_line(value) or None
        if link is None:
            return None, None
        parsed = urlparse(link)
        if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
            return link, "the link must be a web address starting with http:// or https://."
        return link, _too_long("link", len(link), MAX_LINK) if len(link) > MAX_LINK else None
    if key == "organisations":
        names = sorted(normalise_organisations(value), key=str.lower)
        if any(len(n) > MAX_ORGANISATION for n in names):
            return names, f"organisation names may be {MAX_ORGANISATION} characters at most; separate them with commas."
        return names, f"name at most {MAX_ORGANISATIONS} organisations." if len(names) > MAX_ORGANISATIONS else None
    if key == "sdgs":
        numbers: set[int] = set()
        # The export writes "9 Industry, innovation and infrastructure; 16 …" (or the Dutch names):
        # names hold commas, so they are taken out before splitting.
        for part in re.split(r"[;,]", _sdg_names_re().sub("", value)):
            if not part.strip():
                continue
            found = SDG_RE.match(part)
            if not found or int(found.group(1)) not in SDG_NAMES:
                return sorted(numbers), f"{part.strip()[:30]!r} is not an SDG; SDGs are numbered 1 to 17."
            numbers.add(int(found.group(1)))
        return sorted(numbers), None
    if key == "tags":
        tags = normalise_tags(value)
        if any(len(t) > MAX_TAG for t in tags):
            return tags, f"tags may be {MAX_TAG} characters at most; separate them with commas."
        return tags, f"give at most {MAX_TAGS} tags." if len(tags) > MAX_TAGS else None
    raise KeyError(key)


def _date(value, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """A date cell, or ISO text (2026-07-01, 2026-07-01 12:00), as wall-clock time in `zone`."""
    if value in (None, ""):
        return None, None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None, f"{str(value)[:30]!r} is not a date; use a date cell or ISO text like 2026-07-01."
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC), None


@dataclass(slots=True)
class Existing:
    id: int
    group_id: int
    handle: str
    title: str
    kind: str | None
    stage: str
    summary: str
    link: str | None
    sdgs: str
    privacy_risk: str
    civic_space_risk: str
    manipulation_risk: str
    safeguards: str
    tags: str
    organisations: list[str]


def stored_value(current: Existing, key: str):
    """What the database holds for `key`, normalised as `clean_field` normalises the sheet's value."""
    raw = getattr(current, key)
    if key == "organisations":
        return sorted(normalise_organisations([clean_text(n) for n in raw]), key=str.lower)
    if key == "sdgs":
        return sorted(int(x) for x in raw.split(",") if x.strip().isdigit())
    if key == "kind":
        return clean_text(raw).strip().lower() or None if raw else None
    if key == "link":
        return _one_line(clean_text(raw)) or None if raw else None
    return clean_field(key, clean_text(raw or ""), ZoneInfo("UTC"))[0]


def load_existing(session: Session, ids: set[int]) -> dict[int, Existing]:
    """The innovations with these ids (in chunks), with their organisations: a few queries in all."""
    found: dict[int, Existing] = {}
    wanted = sorted(i for i in ids if 0 < i < 2**31)
    io = innovation_organisations
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        stmt = (
            select(
                Innovation.id,
                Innovation.group_id,
                Group.handle,
                Innovation.title,
                Innovation.kind,
                Innovation.stage,
                Innovation.summary,
                Innovation.link,
                Innovation.sdgs,
                Innovation.privacy_risk,
                Innovation.civic_space_risk,
                Innovation.manipulation_risk,
                Innovation.safeguards,
                Innovation.tags,
            )
            .join(Group, Group.id == Innovation.group_id)
            .where(Innovation.id.in_(chunk))
        )
        for row in session.execute(stmt):
            found[row.id] = Existing(**row._asdict(), organisations=[])
        names = (
            select(io.c.innovation_id, Organisation.name)
            .join(Organisation, Organisation.id == io.c.organisation_id)
            .where(io.c.innovation_id.in_(chunk))
        )
        for iid, name in session.execute(names):
            found[iid].organisations.append(name)
    return found


def load_matches(session: Session, group_ids: list[int]) -> dict[tuple[int, str], list[int]]:
    """(group id, lower-case title) -> innovation ids: how a row without a Ref finds its innovation."""
    matches: dict[tuple[int, str], list[int]] = {}
    if not group_ids:
        return matches
    stmt = select(Innovation.id, Innovation.group_id, Innovation.title).order_by(Innovation.id)
    for iid, gid, title in session.execute(stmt, execution_options={"yield_per": 5000}):
        matches.setdefault((gid, _one_line(clean_text(title)).lower()), []).append(iid)
    return matches


def organisation_ids(session: Session, lists: list[list[str]]) -> dict[str, int]:
    """key -> id for every organisation named, creating the missing ones in one insert."""
    names: dict[str, str] = {}
    for names_ in lists:
        for name in names_:
            names.setdefault(name.lower(), name)
    ids: dict[str, int] = {}
    keys = list(names)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        ids.update(session.execute(select(Organisation.key, Organisation.id).where(Organisation.key.in_(chunk))).all())
    missing = [{"name": names[k], "key": k} for k in keys if k not in ids]
    if missing:
        created = session.execute(insert(Organisation).returning(Organisation.key, Organisation.id), missing)
        ids.update(created.all())
    return ids
