"""Block Kit for stand-ups: schedule lines, the channel message, DMs, modals, replies, summary."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers.ui.common import context, escape, line_sections, section, shorten
from models.standups import (
    MAX_ANSWER_LEN,
    MAX_QUESTION_LEN,
    MAX_QUESTIONS,
    StandupSchedule,
    Summary,
    blocker_of,
    next_dues,
)

ANSWER_ACTION = "standup_answer"  # the DM button
ANSWER_VIEW = "standup_answer"  # the answer modal's callback_id
QUESTIONS_VIEW = "standup_questions"
DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def days_text(days: str) -> str:
    names = [d for d in days.split(",") if d]
    if len(names) == 7:
        return "daily"
    if names == ["mon", "tue", "wed", "thu", "fri"]:
        return "weekdays"
    return ", ".join(DAY_NAMES.get(d, d) for d in names)


def _when(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def schedule_lines(schedule: StandupSchedule | None, reader_tz: str | None, now: datetime) -> list[str]:
    """The schedule and its next three due times, in the group's zone and the reader's own."""
    if schedule is None or not schedule.active or not schedule.days:
        return ["no schedule"]
    dues = next_dues(schedule, now, 3)
    lines = [f"{days_text(schedule.days)} at {schedule.local_time} ({schedule.tz})"]
    lines.append(f"Next ({schedule.tz}): " + "  ·  ".join(_when(d, schedule.tz) for d in dues))
    if reader_tz and reader_tz != schedule.tz:
        try:
            lines.append(f"Your time ({reader_tz}): " + "  ·  ".join(_when(d, reader_tz) for d in dues))
        except (KeyError, ValueError):  # a zone Slack knows and tzdata does not: show the group's only
            pass
    return lines


def _button(prompt_id: int, label: str = "Answer") -> dict:
    return ActionsBlock(
        block_id="standup_prompt",
        elements=[ButtonElement(text=label, action_id=ANSWER_ACTION, value=str(prompt_id), style="primary")],
    ).to_dict()


def run_day(due_at: datetime, tz: str) -> str:
    return due_at.astimezone(ZoneInfo(tz)).strftime("%a %d %b")


def channel_message(handle: str, day: str, prompted: int) -> tuple[str, list[dict]]:
    text = f"Stand-up for {handle} — {day}"
    people = "member" if prompted == 1 else "members"
    blocks = [
        section(f":sunrise: *Stand-up for {handle}* — {day}"),
        context(f"{prompted} {people} got a direct message with the questions; answers appear in this thread."),
    ]
    return text, blocks


def prompt_message(handle: str, day: str, questions: list[str], prompt_id: int) -> tuple[str, list[dict]]:
    text = f"Time for the {handle} stand-up ({day})"
    listed = "\n".join(f"• {escape(q)}" for q in questions)
    blocks = [section(f"*Time for the {handle} stand-up* ({day})\n{listed}"), _button(prompt_id)]
    return text, blocks


def reminder_message(handle: str, day: str, prompt_id: int) -> tuple[str, list[dict]]:
    text = f"Reminder: the {handle} stand-up ({day}) is waiting for your answers"
    blocks = [
        section(f"A friendly reminder: the *{handle}* stand-up ({day}) still takes your answers."),
        _button(prompt_id),
    ]
    return text, blocks


def no_channel_message(handle: str, reason: str = "") -> str:
    why = f" ({reason})" if reason else ""
    return (
        f"The `{handle}` stand-up went out as direct messages only: I could not post it in a channel{why}. "
        f"Link one with `/spindle group channel {handle}` in that channel (and invite me there) so answers "
        "gather in one thread. I will not repeat this until the schedule is set again."
    )


def answer_modal(handle: str, day: str, questions: list[str], answers: list[str], prompt_id: int) -> dict:
    blocks = []
    for i, question in enumerate(questions):
        initial = answers[i] if i < len(answers) and answers[i] else None
        blocks.append(
            InputBlock(
                block_id=f"q{i}",
                label=shorten(question, 2000),
                optional=True,
                element=PlainTextInputElement(
                    action_id="answer", multiline=True, max_length=MAX_ANSWER_LEN, initial_value=initial
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=ANSWER_VIEW,
        title="Stand-up",
        submit="Send",
        close="Cancel",
        private_metadata=str(prompt_id),
        blocks=[SectionBlock(text=f"*{handle}* — {day}"), *blocks],
    )
    return view.to_dict()


def questions_modal(handle: str, group_id: int, questions: list[str]) -> dict:
    blocks = []
    for i in range(MAX_QUESTIONS):
        blocks.append(
            InputBlock(
                block_id=f"q{i}",
                label=f"Question {i + 1}",
                optional=i > 0,
                element=PlainTextInputElement(
                    action_id="question",
                    max_length=MAX_QUESTION_LEN + 50,  # room to paste; the save explains the limit
                    initial_value=questions[i] if i < len(questions) else None,
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=QUESTIONS_VIEW,
        title="Stand-up questions",
        submit="Save",
        close="Cancel",
        private_metadata=str(group_id),
        blocks=[SectionBlock(text=f"The questions of the *{handle}* stand-up, 1 to {MAX_QUESTIONS}."), *blocks],
    )
    return view.to_dict()


def questions_saved_modal(handle: str, questions: list[str]) -> dict:
    listed = "\n".join(f"{i + 1}. {escape(q)}" for i, q in enumerate(questions))
    return View(
        type="modal",
        title="Stand-up questions",
        close="Done",
        blocks=[SectionBlock(text=f"Saved. The next *{handle}* stand-up asks:\n{listed}")],
    ).to_dict()


def answer_reply(name: str, questions: list[str], answers: list[str], edited: bool) -> tuple[str, list[dict]]:
    text = f"Stand-up answers from {name}"
    lines = [f"*{escape(name)}*" + ("  _(edited)_" if edited else "")]
    for i, question in enumerate(questions):
        answer = answers[i] if i < len(answers) else ""
        if answer:
            lines.append(f"*{escape(question)}*\n{escape(answer)}")
    blocks = line_sections(lines, max_blocks=10)
    return text, blocks


def summary_message(summary: Summary) -> tuple[str, list[dict]]:
    n = len(summary.answered)
    text = f"Stand-up summary: {n} answered"
    names = ", ".join(escape(a.name) for a in summary.answered) or "nobody"
    lines = [f":memo: *Stand-up summary* — {n} answered: {names}"]
    if summary.not_answered:
        # A count, never names or mentions: the summary is not a place to chase people.
        lines.append(f"{summary.not_answered} did not answer this time.")
    blockers = [(a.name, b) for a in summary.answered if (b := blocker_of(a, summary.blocking_index))]
    if blockers:
        lines.append(":warning: *Blockers*")
        lines += [f"• *{escape(name)}*: {escape(shorten(text_, 500))}" for name, text_ in blockers]
    else:
        lines.append("No blockers reported.")
    return text, line_sections(lines, max_blocks=45, overflow="…and {n} more lines.")
