"""What the stand-up services tell people (through the Messenger port) and return to handlers.

Plain frozen dataclasses, no wording: handlers/ui/standups.py renders each (handlers/ui/render.py).
A run's day is carried as its due instant and the group's zone; the words for it are the ui's.
Each message carries its `language`: the group's for what is posted in its channel (and thread),
the reader's for a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# --- messages posted through the Messenger -------------------------------------------------------


@dataclass(frozen=True)
class ChannelMessage:
    """The run's message in the group's channel; answers gather in its thread."""

    handle: str
    due_at: datetime
    tz: str
    prompted: int
    language: str  # the group's


@dataclass(frozen=True)
class Prompt:
    """The DM with the questions and the Answer button."""

    handle: str
    due_at: datetime
    tz: str
    questions: tuple[str, ...]
    prompt_id: int
    language: str  # the member's


@dataclass(frozen=True)
class AnsweredPrompt:
    """The DM prompt once answered (chat.update of it): it says so and offers Edit answers."""

    handle: str
    due_at: datetime
    tz: str
    prompt_id: int


@dataclass(frozen=True)
class Reminder:
    handle: str
    due_at: datetime
    tz: str
    prompt_id: int
    language: str  # the member's


@dataclass(frozen=True)
class NoChannelNote:
    """To the lead, once: the run went out as DMs only. `reason`: Slack's error name, if any."""

    handle: str
    reason: str
    language: str  # the lead's


@dataclass(frozen=True)
class AnswerReply:
    """A member's answers as a reply in the run's thread."""

    name: str
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    edited: bool
    language: str  # the group's: it is a reply in the channel's thread


@dataclass(frozen=True)
class Summary:
    """The close: who answered, how many did not (a count, never names), and the blockers."""

    names: tuple[str, ...]
    not_answered: int
    blockers: tuple[tuple[str, str], ...]  # (name, blocker)
    language: str  # the group's in its thread; the lead's when it goes to them (no channel)


# --- results returned to handlers ----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleView:
    """A group's schedule as people read it, with its next due times."""

    days: str  # "mon,wed,fri"
    local_time: str
    tz: str
    active: bool
    next_dues: tuple[datetime, ...]


@dataclass(frozen=True)
class ScheduleSet:
    handle: str
    has_channel: bool
    schedule: ScheduleView
    reader_tz: str | None
    needs_profile: bool = False  # their Slack profile is still to fetch, after the answer


@dataclass(frozen=True)
class ScheduleStopped:
    handle: str
    needs_profile: bool = False  # their Slack profile is still to fetch, after the answer


@dataclass(frozen=True)
class StandupStarted:
    handle: str
    run_id: int
    prompted: int
    needs_profile: bool = False  # their Slack profile is still to fetch, after the answer


@dataclass(frozen=True)
class QuestionsForm:
    handle: str
    group_id: int
    questions: tuple[str, ...]
    needs_profile: bool = False  # their Slack profile is still to fetch, after the answer


@dataclass(frozen=True)
class ScheduleForm:
    """The Set stand-up modal: the schedule as it is (no days: none yet) and the zone to choose."""

    handle: str
    days: tuple[str, ...]
    local_time: str
    tz: str
    needs_profile: bool = False


@dataclass(frozen=True)
class QuestionsSaved:
    handle: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class AwaySet:
    until: date | None  # None: not away
    needs_profile: bool = False  # their Slack profile is still to fetch, after the answer


@dataclass(frozen=True)
class AnswerForm:
    """The answer modal, filled in with earlier answers (answering again edits)."""

    handle: str
    due_at: datetime
    tz: str
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    prompt_id: int


@dataclass(frozen=True)
class AnswerRecorded:
    prompt_id: int
