"""The register's sheets and columns: keys, headers per language, widths, validation lists.

Headers and sheet names are tables keyed by language, so a translation fills them in one place:
the export writes English (another issue adds Dutch output); the import reads either. Each column
carries its own validation list, so no sheet writer counts column numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.vocab import KINDS, RISK_LEVELS, RISKS, STAGES

LOGGED = "(logged)"  # the "From" of the first stage-history entry: the innovation was logged


@dataclass(frozen=True)
class Column:
    key: str
    width: int  # in characters; text longer than this wraps in its cell
    choices: tuple[str, ...] = ()  # a drop-down validation list on the column's data cells


INNOVATIONS: tuple[Column, ...] = (
    Column("ref", 9),
    Column("title", 30),
    Column("group", 14),
    Column("kind", 14, KINDS),
    Column("stage", 10, STAGES),
    Column("summary", 48),
    Column("organisations", 22),
    Column("logged_by", 15),
    Column("logged_on", 16),
    Column("updated", 16),
    Column("link", 26),
    Column("sdgs", 24),
    Column("privacy_risk", 12, RISK_LEVELS),
    Column("civic_space_risk", 12, RISK_LEVELS),
    Column("manipulation_risk", 12, RISK_LEVELS),
    Column("safeguards", 36),
    Column("tags", 18),
)
HISTORY: tuple[Column, ...] = (
    Column("ref", 9),
    Column("title", 40),
    Column("from", 12, (LOGGED, *STAGES)),
    Column("to", 12, STAGES),
    Column("by", 20),
    Column("when", 16),
    Column("note", 60),
)
GROUPS: tuple[Column, ...] = (
    Column("handle", 18),
    Column("description", 40),
    Column("lead", 18),
    Column("members", 40),
    Column("organisations", 30),
    Column("channel", 13),
    Column("innovations", 12),
    Column("schedule", 26),
    Column("participation", 14),
    Column("archived", 16),
)
STANDUPS: tuple[Column, ...] = (
    Column("group", 20),
    Column("week", 12),
    Column("prompted", 11),
    Column("answered", 11),
    Column("participation", 14),
    Column("blockers", 11),
)
RISK_COUNTS: tuple[Column, ...] = (
    Column("stage", 12),
    *(Column(f"{risk}:{level}", 11) for risk, _ in RISKS for level in RISK_LEVELS),
)
ATTENTION: tuple[Column, ...] = (
    Column("ref", 9),
    Column("title", 40),
    Column("group", 18),
    Column("stage", 11),
    Column("why", 60),
)

_RISK_WORDS = {"privacy_risk": "Privacy", "civic_space_risk": "Civic space", "manipulation_risk": "Manipulation"}

# language -> column key -> header. A sheet's key is looked up first as "<sheet>.<key>", then "<key>".
HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "ref": "Ref",
        "title": "Title",
        "group": "Action group",
        "kind": "Kind",
        "stage": "Stage",
        "summary": "Summary",
        "organisations": "Organisations",
        "logged_by": "Logged by",
        "logged_on": "Logged on",
        "updated": "Last updated",
        "link": "Link",
        "sdgs": "SDGs",
        "privacy_risk": "Privacy risk",
        "civic_space_risk": "Civic space risk",
        "manipulation_risk": "Manipulation risk",
        "safeguards": "Safeguards",
        "tags": "Tags",
        "from": "From",
        "to": "To",
        "by": "By",
        "when": "When",
        "note": "Note",
        "handle": "Handle",
        "description": "Description",
        "lead": "Lead",
        "members": "Members",
        "channel": "Channel",
        "innovations": "Innovations",
        "schedule": "Stand-up schedule",
        "participation": "Stand-up participation",
        "standups.participation": "Participation",
        "archived": "Archived",
        "week": "Week",
        "prompted": "Prompted",
        "answered": "Answered",
        "blockers": "Blockers",
        "why": "Why",
        **{f"{risk}:{level}": f"{word}: {level}" for risk, word in _RISK_WORDS.items() for level in RISK_LEVELS},
    },
    # The Innovaties headers of SPEC "Languages"; read by the import, the rest comes with Dutch output.
    "nl": {
        "ref": "Ref",
        "title": "Titel",
        "group": "Actiegroep",
        "kind": "Soort",
        "stage": "Stadium",
        "summary": "Samenvatting",
        "organisations": "Organisaties",
        "logged_by": "Vastgelegd door",
        "logged_on": "Vastgelegd op",
        "updated": "Laatst bijgewerkt",
        "link": "Link",
        "sdgs": "SDG's",
        "privacy_risk": "Privacyrisico",
        "civic_space_risk": "Risico maatschappelijke ruimte",
        "manipulation_risk": "Manipulatierisico",
        "safeguards": "Waarborgen",
        "tags": "Tags",
    },
}

# language -> sheet key -> sheet name (SPEC "Languages" for Dutch).
SHEETS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "Summary",
        "innovations": "Innovations",
        "history": "Stage history",
        "groups": "Action groups",
        "standups": "Stand-ups",
        "risks": "Risks",
    },
    "nl": {
        "summary": "Samenvatting",
        "innovations": "Innovaties",
        "history": "Stadiumgeschiedenis",
        "groups": "Actiegroepen",
        "standups": "Stand-ups",
        "risks": "Risico's",
    },
}


def header(key: str, sheet: str = "", language: str = "en") -> str:
    words = HEADERS[language]
    return words.get(f"{sheet}.{key}") or words.get(key) or HEADERS["en"][key]


def headers(columns: tuple[Column, ...], sheet: str = "", language: str = "en") -> list[str]:
    return [header(c.key, sheet, language) for c in columns]


def index_of(columns: tuple[Column, ...], key: str) -> int:
    """The 1-based position of a column (for the rare writer that needs one)."""
    return next(i for i, c in enumerate(columns, 1) if c.key == key)
