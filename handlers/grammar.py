"""The words of `/spindle` commands: handles, mentions, refs, stages, days, times, zones, dates.

Pure: no Slack calls, no database. Each parser returns a value or raises `UsageError` saying
what was wrong, in the reader's language (parsing runs inside the request); the registry
(handlers/registry.py) adds the right form of the command. Command words, stages and day names
stay English in both languages: they are what people type.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from i18n import _
from models.vocab import HANDLE_PATTERN, STAGES, WEEKDAYS

HANDLE_RE = re.compile(rf"^{HANDLE_PATTERN}$")
MENTION_RE = re.compile(r"^<@([UW][A-Z0-9]{1,30})(?:\|[^>]*)?>$")
REF_RE = re.compile(r"^(?:inn-?)?(\d{1,9})$", re.IGNORECASE)
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 3000


class UsageError(Exception):
    """Text that does not parse. `usage` is the right form (`/spindle …`), added by the registry:
    an N_() constant, translated when the message is written."""

    def __init__(self, problem: str, usage: str | None = None):
        self.problem = problem
        self.usage = usage
        super().__init__(problem)

    @property
    def message(self) -> str:
        if not self.usage:
            return self.problem
        return self.problem + "\n" + _("Usage: `{usage}`").format(usage=_(self.usage))


def split(text: str, n: int) -> list[str]:
    """At most n words, then the rest of the line as one piece (free text keeps its spacing)."""
    return text.strip().split(None, n)


def quote(word: str) -> str:
    word = word.replace("`", "'")
    return word if len(word) <= 40 else word[:39] + "…"


def handle(word: str) -> str:
    value = word.strip().lower().lstrip("#")
    if not HANDLE_RE.match(value):
        raise UsageError(
            _("`{word}` is not a valid group handle: use 2–40 characters of a-z, 0-9 and `-`.").format(word=quote(word))
        )
    return value


def mention(word: str) -> str:
    match = MENTION_RE.match(word.strip())
    if not match:
        raise UsageError(
            _("`{word}` is not a mention: type @ and pick the person, so Slack turns it into a mention.").format(
                word=quote(word)
            )
        )
    return match.group(1)


def ref(word: str) -> int:
    match = REF_RE.match(word.strip())
    if not match or int(match.group(1)) == 0:
        raise UsageError(_("`{word}` is not an innovation reference like `INN-12` (or `12`).").format(word=quote(word)))
    return int(match.group(1))


def stage(word: str) -> str:
    value = word.strip().lower()
    if value not in STAGES:
        raise not_a_stage(word)
    return value


def not_a_stage(word: str) -> UsageError:
    return UsageError(
        _("`{word}` is not a stage. Stages: {stages}.").format(word=quote(word), stages=", ".join(STAGES))
    )


def days(word: str) -> tuple[str, ...]:
    word = word.strip().lower()
    if word == "daily":
        return WEEKDAYS
    if word == "weekdays":
        return WEEKDAYS[:5]
    parts = [p.strip()[:3] for p in word.split(",") if p.strip()]
    if not parts or any(p not in WEEKDAYS for p in parts):
        raise UsageError(
            _("`{word}` is not a list of days: use `daily`, `weekdays` or days like `mon,wed,fri`.").format(
                word=quote(word)
            )
        )
    return tuple(d for d in WEEKDAYS if d in parts)


def time_of_day(word: str) -> str:
    match = TIME_RE.match(word.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UsageError(_("`{word}` is not a 24-hour time like `09:30` or `14:00`.").format(word=quote(word)))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def zone(word: str) -> str:
    key = _zones_by_lower().get(word.strip().lower())
    if key is None:
        raise UsageError(
            _("`{word}` is not an IANA time zone; use one like `Europe/Amsterdam` or `Africa/Nairobi`.").format(
                word=quote(word)
            )
        )
    ZoneInfo(key)
    return key


def iso_date(word: str) -> date:
    try:
        if not DATE_RE.match(word.strip()):
            raise ValueError
        return date.fromisoformat(word.strip())
    except ValueError:
        raise UsageError(_("`{word}` is not a date like `2026-12-31`.").format(word=quote(word))) from None


def free_text(text: str, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """`what` is already in the reader's words (`_("note")`): "Add the note."."""
    text = text.strip()
    if required and not text:
        raise UsageError(_("Add the {what}.").format(what=what))
    if len(text) > limit:
        raise UsageError(
            _("The {what} is {length} characters; {limit} is the most.").format(
                what=what, length=len(text), limit=limit
            )
        )
    return text


def one(args: list[str], what: str) -> str:
    """`what` is a placeholder of the usage (`HANDLE`, `REF`) or already in the reader's words."""
    if not args:
        raise UsageError(_("Missing {what}.").format(what=what))
    if len(args) > 1:
        raise UsageError(_("Too many words: give only the {what}.").format(what=what))
    return args[0]


def nothing(args: list[str], usage: str) -> None:
    if args:
        raise UsageError(_("`/spindle {usage}` takes nothing more.").format(usage=usage))


def filters(tail: str) -> tuple[str | None, str | None]:
    """`[HANDLE] [STAGE]` in either order."""
    words = tail.split()
    if len(words) > 2:
        raise UsageError(_("Give at most a group handle and a stage."))
    found_handle = found_stage = None
    for word in words:
        if word.lower() in STAGES:
            if found_stage:
                raise UsageError(_("Give one stage only."))
            found_stage = word.lower()
        else:
            if found_handle:
                raise not_a_stage(word)
            found_handle = handle(word)
    return found_handle, found_stage
