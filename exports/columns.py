"""The register's sheets and columns: keys, headers, widths, validation lists.

Headers and sheet names are written in English, N_()-marked; their Dutch (SPEC "Languages") is in
the catalogue. The export writes them in the language it is written in (`speaking()`); the import
reads every language's. Each column carries its own validation list (of values: the writer shows
their words), so no sheet writer counts column numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from exports import words as W
from i18n import N_, _, speaking
from models.vocab import KINDS, RISK_LEVELS, RISKS, STAGES

LOGGED = N_("(logged)")  # the "From" of the first stage-history entry: the innovation was logged


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

# column key -> header, N_()-marked: a sheet's key is looked up first as "<sheet>.<key>", then "<key>".
HEADERS: dict[str, str] = {
    "ref": N_("Ref"),
    "title": N_("Title"),
    "group": N_("Action group"),
    "kind": N_("Kind"),
    "stage": N_("Stage"),
    "summary": N_("Summary"),
    "organisations": N_("Organisations"),
    "logged_by": N_("Logged by"),
    "logged_on": N_("Logged on"),
    "updated": N_("Last updated"),
    "link": N_("Link"),
    "sdgs": N_("SDGs"),
    "privacy_risk": N_("Privacy risk"),
    "civic_space_risk": N_("Civic space risk"),
    "manipulation_risk": N_("Manipulation risk"),
    "safeguards": N_("Safeguards"),
    "tags": N_("Tags"),
    "from": N_("From"),
    "to": N_("To"),
    "by": N_("By"),
    "when": N_("When"),
    "note": N_("Note"),
    "handle": N_("Handle"),
    "description": N_("Description"),
    "lead": N_("Lead"),
    "members": N_("Members"),
    "channel": N_("Channel"),
    "innovations": N_("Innovations"),
    "schedule": N_("Stand-up schedule"),
    "participation": N_("Stand-up participation"),
    "standups.participation": N_("Participation"),
    "archived": N_("Archived"),
    "week": N_("Week"),
    "prompted": N_("Prompted"),
    "answered": N_("Answered"),
    "blockers": N_("Blockers"),
    "why": N_("Why"),
}
RISK_LEVEL_HEADER = N_("{risk}: {level}")  # the Risks sheet's count columns: "Privacy: high"

# sheet key -> sheet name (SPEC "Languages" for the Dutch), N_()-marked.
SHEETS: dict[str, str] = {
    "summary": N_("Summary"),
    "innovations": N_("Innovations"),
    "history": N_("Stage history"),
    "groups": N_("Action groups"),
    "standups": N_("Stand-ups"),
    "risks": N_("Risks"),
}


def header(key: str, sheet: str = "") -> str:
    """A column's header in the current language (the register is written inside `speaking()`)."""
    if ":" in key:  # "privacy_risk:high"
        risk, level = key.split(":", 1)
        label = dict(RISKS)[risk]
        return _(RISK_LEVEL_HEADER).format(risk=_(W.RISK_WORDS.get(label, label)), level=W.shown(level))
    return _(HEADERS.get(f"{sheet}.{key}") or HEADERS[key])


def headers(columns: tuple[Column, ...], sheet: str = "") -> list[str]:
    return [header(c.key, sheet) for c in columns]


def sheet_name(key: str) -> str:
    return _(SHEETS[key])


def headers_in(language: str, keys: tuple[str, ...]) -> dict[str, str]:
    """Column key -> header in `language` (the import reads every language's)."""
    with speaking(language):
        return {key: header(key) for key in keys}


def sheet_names_in(language: str) -> dict[str, str]:
    with speaking(language):
        return {key: sheet_name(key) for key in SHEETS}


def index_of(columns: tuple[Column, ...], key: str) -> int:
    """The 1-based position of a column (for the rare writer that needs one)."""
    return next(i for i, c in enumerate(columns, 1) if c.key == key)
