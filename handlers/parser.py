"""`/spindle` text → a typed command, or a `UsageError` saying what was wrong and the right form.

Pure: no Slack calls, no database. Any text at all gives one or the other, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from models.vocab import HANDLE_PATTERN, STAGES, WEEKDAYS

HANDLE_RE = re.compile(rf"^{HANDLE_PATTERN}$")
MENTION_RE = re.compile(r"^<@([UW][A-Z0-9]{1,30})(?:\|[^>]*)?>$")
REF_RE = re.compile(r"^(?:inn-?)?(\d{1,9})$", re.IGNORECASE)
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_TEXT = 3000

USAGE: dict[str, str] = {
    "help": "/spindle help",
    "group new": "/spindle group new HANDLE [DESCRIPTION]",
    "group list": "/spindle group list",
    "group info": "/spindle group info HANDLE",
    "group join": "/spindle group join HANDLE",
    "group leave": "/spindle group leave HANDLE",
    "group channel": "/spindle group channel HANDLE",
    "group lead": "/spindle group lead HANDLE @person",
    "group archive": "/spindle group archive HANDLE",
    "org": "/spindle org ORGANISATION",
    "coordinator add": "/spindle coordinator add @person",
    "coordinator remove": "/spindle coordinator remove @person",
    "coordinator list": "/spindle coordinator list",
    "log": "/spindle log  or  /spindle log HANDLE TITLE",
    "list": "/spindle list [HANDLE] [STAGE]",
    "show": "/spindle show INN-12",
    "stage": "/spindle stage INN-12 STAGE [NOTE]",
    "note": "/spindle note INN-12 TEXT",
    "edit": "/spindle edit INN-12",
    "standup set": "/spindle standup HANDLE set DAYS HH:MM [ZONE]   e.g. /spindle standup data-ethics set mon,wed,fri 09:30 Europe/Amsterdam",
    "standup off": "/spindle standup HANDLE off",
    "standup now": "/spindle standup HANDLE now",
    "standup questions": "/spindle standup HANDLE questions",
    "standup away": "/spindle standup away YYYY-MM-DD",
    "export": "/spindle export [HANDLE] [STAGE]",
    "forget-me": "/spindle forget-me",
}


class UsageError(Exception):
    def __init__(self, problem: str, usage_key: str | None = None):
        self.problem = problem
        self.usage_key = usage_key
        usage = USAGE.get(usage_key or "", "")
        self.message = f"{problem}\nUsage: `{usage}`" if usage else problem
        super().__init__(self.message)


# --- the commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    topic: str = ""


@dataclass(frozen=True)
class GroupNew:
    handle: str
    description: str = ""


@dataclass(frozen=True)
class GroupList:
    pass


@dataclass(frozen=True)
class GroupInfo:
    handle: str


@dataclass(frozen=True)
class GroupJoin:
    handle: str


@dataclass(frozen=True)
class GroupLeave:
    handle: str


@dataclass(frozen=True)
class GroupChannel:
    handle: str


@dataclass(frozen=True)
class GroupLead:
    handle: str
    user_id: str


@dataclass(frozen=True)
class GroupArchive:
    handle: str


@dataclass(frozen=True)
class SetOrg:
    organisation: str


@dataclass(frozen=True)
class CoordinatorAdd:
    user_id: str


@dataclass(frozen=True)
class CoordinatorRemove:
    user_id: str


@dataclass(frozen=True)
class CoordinatorList:
    pass


@dataclass(frozen=True)
class LogModal:
    pass


@dataclass(frozen=True)
class LogQuick:
    handle: str
    title: str


@dataclass(frozen=True)
class ListInnovations:
    handle: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Show:
    ref: int


@dataclass(frozen=True)
class Stage:
    ref: int
    stage: str
    note: str = ""


@dataclass(frozen=True)
class Note:
    ref: int
    text: str


@dataclass(frozen=True)
class Edit:
    ref: int


@dataclass(frozen=True)
class StandupSet:
    handle: str
    days: tuple[str, ...]  # a subset of WEEKDAYS, in week order
    time: str  # "HH:MM", 24-hour
    zone: str | None = None  # IANA key; None: SPINDLE_TIMEZONE


@dataclass(frozen=True)
class StandupOff:
    handle: str


@dataclass(frozen=True)
class StandupNow:
    handle: str


@dataclass(frozen=True)
class StandupQuestions:
    handle: str


@dataclass(frozen=True)
class StandupAway:
    until: date


@dataclass(frozen=True)
class Export:
    handle: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class ForgetMe:
    pass


Command = (
    Help | GroupNew | GroupList | GroupInfo | GroupJoin | GroupLeave | GroupChannel | GroupLead | GroupArchive
    | SetOrg | CoordinatorAdd | CoordinatorRemove | CoordinatorList | LogModal | LogQuick | ListInnovations
    | Show | Stage | Note | Edit | StandupSet | StandupOff | StandupNow | StandupQuestions | StandupAway
    | Export | ForgetMe
)  # fmt: skip


# --- the pieces ---------------------------------------------------------------------------------


def _split(text: str, n: int) -> list[str]:
    """At most n words, then the rest of the line as one piece (free text keeps its spacing)."""
    return text.strip().split(None, n)


def parse_handle(word: str, usage_key: str) -> str:
    handle = word.strip().lower().lstrip("#")
    if not HANDLE_RE.match(handle):
        raise UsageError(
            f"`{_quote(word)}` is not a valid group handle: use 2–40 characters of a-z, 0-9 and `-`.", usage_key
        )
    return handle


def parse_mention(word: str, usage_key: str) -> str:
    match = MENTION_RE.match(word.strip())
    if not match:
        raise UsageError(
            f"`{_quote(word)}` is not a mention: type @ and pick the person, so Slack turns it into a mention.",
            usage_key,
        )
    return match.group(1)


def parse_ref(word: str, usage_key: str) -> int:
    match = REF_RE.match(word.strip())
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"`{_quote(word)}` is not an innovation reference like `INN-12` (or `12`).", usage_key)
    return int(match.group(1))


def parse_stage(word: str, usage_key: str) -> str:
    stage = word.strip().lower()
    if stage not in STAGES:
        raise UsageError(f"`{_quote(word)}` is not a stage. Stages: {', '.join(STAGES)}.", usage_key)
    return stage


def parse_days(word: str) -> tuple[str, ...]:
    word = word.strip().lower()
    if word == "daily":
        return WEEKDAYS
    if word == "weekdays":
        return WEEKDAYS[:5]
    parts = [p.strip()[:3] for p in word.split(",") if p.strip()]
    wrong = [p for p in parts if p not in WEEKDAYS]
    if not parts or wrong:
        raise UsageError(
            f"`{_quote(word)}` is not a list of days: use `daily`, `weekdays` or days like `mon,wed,fri`.",
            "standup set",
        )
    return tuple(d for d in WEEKDAYS if d in parts)


def parse_time(word: str) -> str:
    match = TIME_RE.match(word.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UsageError(f"`{_quote(word)}` is not a 24-hour time like `09:30` or `14:00`.", "standup set")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def parse_zone(word: str) -> str:
    key = _zones_by_lower().get(word.strip().lower())
    if key is None:
        raise UsageError(
            f"`{_quote(word)}` is not an IANA time zone; use one like `Europe/Amsterdam` or `Africa/Nairobi`.",
            "standup set",
        )
    ZoneInfo(key)
    return key


def parse_date(word: str) -> date:
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", word.strip()):
            raise ValueError
        return date.fromisoformat(word.strip())
    except ValueError:
        raise UsageError(f"`{_quote(word)}` is not a date like `2026-12-31`.", "standup away") from None


def _free_text(text: str, what: str, usage_key: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if required and not text:
        raise UsageError(f"Add the {what}.", usage_key)
    if len(text) > limit:
        raise UsageError(f"The {what} is {len(text)} characters; {limit} is the most.", usage_key)
    return text


def _quote(word: str) -> str:
    word = word.replace("`", "'")
    return word if len(word) <= 40 else word[:39] + "…"


def _one(args: list[str], what: str, usage_key: str) -> str:
    if not args:
        raise UsageError(f"Missing {what}.", usage_key)
    if len(args) > 1:
        raise UsageError(f"Too many words: give only the {what}.", usage_key)
    return args[0]


def _none(args: list[str], usage_key: str) -> None:
    if args:
        raise UsageError(f"`{USAGE[usage_key]}` takes nothing more.", usage_key)


# --- the grammar --------------------------------------------------------------------------------


def parse(text: str) -> Command:
    """Parse the text after `/spindle`."""
    text = (text or "").replace("\u00a0", " ").strip()
    if not text:
        return Help()
    head, *rest = _split(text, 1)
    tail = rest[0] if rest else ""
    word = head.lower()
    parser = _TOP.get(word)
    if parser is None:
        raise UsageError(f"I don't know `{_quote(head)}`. Type `/spindle help` to see what I can do.")
    return parser(tail)


def _help(tail: str) -> Command:
    return Help(topic=tail.strip().lower()[:40])


def _group(tail: str) -> Command:
    words = _split(tail, 2)
    if not words:
        raise UsageError(
            "Say what to do with groups: new, list, info, join, leave, channel, lead or archive.", "group list"
        )
    sub = words[0].lower()
    args = words[1:]
    if sub == "new":
        if not args:
            raise UsageError("Missing the group's HANDLE.", "group new")
        handle = parse_handle(args[0], "group new")
        description = _free_text(args[1] if len(args) > 1 else "", "description", "group new", required=False, limit=300)
        return GroupNew(handle, description)
    if sub == "list":
        _none(args, "group list")
        return GroupList()
    simple = {
        "info": GroupInfo, "join": GroupJoin, "leave": GroupLeave, "channel": GroupChannel, "archive": GroupArchive,
    }  # fmt: skip
    if sub in simple:
        key = f"group {sub}"
        return simple[sub](parse_handle(_one(tail.split()[1:], "HANDLE", key), key))
    if sub == "lead":
        rest_words = tail.split()[1:]
        if len(rest_words) < 2:
            raise UsageError("Give the group's HANDLE and @mention the new lead.", "group lead")
        if len(rest_words) > 2:
            raise UsageError("Mention one person only.", "group lead")
        return GroupLead(parse_handle(rest_words[0], "group lead"), parse_mention(rest_words[1], "group lead"))
    raise UsageError(f"`group {_quote(sub)}` is not a group command.", "group list")


def _org(tail: str) -> Command:
    organisation = " ".join(tail.split())
    if not organisation:
        raise UsageError("Name your organisation.", "org")
    if len(organisation) > 120:
        raise UsageError(f"That organisation name is {len(organisation)} characters; 120 is the most.", "org")
    return SetOrg(organisation)


def _coordinator(tail: str) -> Command:
    words = tail.split()
    if not words:
        raise UsageError("Say add, remove or list.", "coordinator list")
    sub = words[0].lower()
    if sub == "list":
        _none(words[1:], "coordinator list")
        return CoordinatorList()
    if sub in ("add", "remove"):
        key = f"coordinator {sub}"
        user_id = parse_mention(_one(words[1:], "@person", key), key)
        return CoordinatorAdd(user_id) if sub == "add" else CoordinatorRemove(user_id)
    raise UsageError(f"`coordinator {_quote(sub)}` is not a coordinator command.", "coordinator list")


def _log(tail: str) -> Command:
    words = _split(tail, 1)
    if not words:
        return LogModal()
    handle = parse_handle(words[0], "log")
    if len(words) < 2:
        raise UsageError("Give a title after the group's handle, or type `/spindle log` for the form.", "log")
    title = " ".join(words[1].split())
    if len(title) > 150:
        raise UsageError(f"The title is {len(title)} characters; 150 is the most. Put the rest in the summary.", "log")
    return LogQuick(handle, title)


def _filters(tail: str, usage_key: str) -> tuple[str | None, str | None]:
    words = tail.split()
    if len(words) > 2:
        raise UsageError("Give at most a group handle and a stage.", usage_key)
    handle = stage = None
    for word in words:
        if word.lower() in STAGES:
            if stage:
                raise UsageError("Give one stage only.", usage_key)
            stage = word.lower()
        else:
            if handle:
                raise UsageError(f"`{_quote(word)}` is not a stage. Stages: {', '.join(STAGES)}.", usage_key)
            handle = parse_handle(word, usage_key)
    return handle, stage


def _list(tail: str) -> Command:
    return ListInnovations(*_filters(tail, "list"))


def _export(tail: str) -> Command:
    return Export(*_filters(tail, "export"))


def _show(tail: str) -> Command:
    return Show(parse_ref(_one(tail.split(), "REF", "show"), "show"))


def _edit(tail: str) -> Command:
    return Edit(parse_ref(_one(tail.split(), "REF", "edit"), "edit"))


def _stage(tail: str) -> Command:
    words = _split(tail, 2)
    if len(words) < 2:
        raise UsageError("Give the innovation's REF and the new STAGE.", "stage")
    ref = parse_ref(words[0], "stage")
    stage = parse_stage(words[1], "stage")
    note = _free_text(words[2] if len(words) > 2 else "", "note", "stage", required=False)
    return Stage(ref, stage, note)


def _note(tail: str) -> Command:
    words = _split(tail, 1)
    if not words:
        raise UsageError("Give the innovation's REF and the note.", "note")
    ref = parse_ref(words[0], "note")
    return Note(ref, _free_text(words[1] if len(words) > 1 else "", "note text", "note"))


def _standup(tail: str) -> Command:
    words = tail.split()
    if not words:
        raise UsageError("Give the group's HANDLE and what to do: set, off, now or questions.", "standup set")
    if words[0].lower() == "away":
        return StandupAway(parse_date(_one(words[1:], "date", "standup away")))
    if len(words) < 2:
        raise UsageError("Say what to do after the handle: set, off, now or questions.", "standup set")
    sub = words[1].lower()
    if sub in ("off", "now", "questions"):
        key = f"standup {sub}"
        handle = parse_handle(words[0], key)
        _none(words[2:], key)
        return {"off": StandupOff, "now": StandupNow, "questions": StandupQuestions}[sub](handle)
    if sub == "set":
        handle = parse_handle(words[0], "standup set")
        args = words[2:]
        if len(args) < 2:
            raise UsageError("Give the DAYS and the time HH:MM.", "standup set")
        if len(args) > 3:
            raise UsageError("Too many words: DAYS, HH:MM and optionally a ZONE.", "standup set")
        days = parse_days(args[0])
        at = parse_time(args[1])
        zone = parse_zone(args[2]) if len(args) == 3 else None
        return StandupSet(handle, days, at, zone)
    raise UsageError(f"`standup … {_quote(sub)}` is not a stand-up command.", "standup set")


def _forget(tail: str) -> Command:
    _none(tail.split(), "forget-me")
    return ForgetMe()


_TOP = {
    "help": _help,
    "group": _group,
    "groups": _group,
    "org": _org,
    "coordinator": _coordinator,
    "coordinators": _coordinator,
    "log": _log,
    "list": _list,
    "show": _show,
    "stage": _stage,
    "note": _note,
    "edit": _edit,
    "standup": _standup,
    "export": _export,
    "forget-me": _forget,
}

# Temporary wiring on the search branch (issue 14), for the end-to-end tests; the lead's command
# registry replaces it.
from handlers.search import parse_search  # noqa: E402

_TOP["search"] = _TOP["find"] = parse_search
