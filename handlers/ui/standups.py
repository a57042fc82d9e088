"""Block Kit and words for stand-ups: schedule lines, the channel message, DMs, modals, replies, summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
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
from models.standups import MAX_ANSWER_LEN, MAX_QUESTION_LEN, MAX_QUESTIONS, StandupSchedule, next_dues
from services.standups.messages import (
    AnswerForm,
    AnswerReply,
    ChannelMessage,
    NoChannelNote,
    Prompt,
    QuestionsForm,
    QuestionsSaved,
    Reminder,
    ScheduleSet,
    ScheduleView,
    StandupStarted,
    Summary,
)

Rendered = tuple[str, list[dict[str, Any]]]

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


def schedule_lines(schedule: ScheduleView | StandupSchedule | None, reader_tz: str | None, now: datetime) -> list[str]:
    """The schedule and its next three due times, in the group's zone and the reader's own."""
    if schedule is None or not schedule.active or not schedule.days:
        return ["no schedule"]
    dues = list(schedule.next_dues) if isinstance(schedule, ScheduleView) else next_dues(schedule, now, 3)
    lines = [f"{days_text(schedule.days)} at {schedule.local_time} ({schedule.tz})"]
    lines.append(f"Next ({schedule.tz}): " + "  ·  ".join(_when(d, schedule.tz) for d in dues))
    if reader_tz and reader_tz != schedule.tz:
        try:
            lines.append(f"Your time ({reader_tz}): " + "  ·  ".join(_when(d, reader_tz) for d in dues))
        except (KeyError, ValueError):  # a zone Slack knows and tzdata does not: show the group's only
            pass
    return lines


def _button(prompt_id: int, label: str = "Answer") -> dict[str, Any]:
    return ActionsBlock(
        block_id="standup_prompt",
        elements=[ButtonElement(text=label, action_id=ANSWER_ACTION, value=str(prompt_id), style="primary")],
    ).to_dict()


def run_day(due_at: datetime, tz: str) -> str:
    return due_at.astimezone(ZoneInfo(tz)).strftime("%a %d %b")


def channel_message(m: ChannelMessage) -> Rendered:
    handle, day, prompted = m.handle, run_day(m.due_at, m.tz), m.prompted
    text = f"Stand-up for {handle} — {day}"
    people = "member" if prompted == 1 else "members"
    blocks = [
        section(f":sunrise: *Stand-up for {handle}* — {day}"),
        context(f"{prompted} {people} got a direct message with the questions; answers appear in this thread."),
    ]
    return text, blocks


def prompt_message(m: Prompt) -> Rendered:
    handle, day, questions, prompt_id = m.handle, run_day(m.due_at, m.tz), m.questions, m.prompt_id
    text = f"Time for the {handle} stand-up ({day})"
    listed = "\n".join(f"• {escape(q)}" for q in questions)
    blocks = [section(f"*Time for the {handle} stand-up* ({day})\n{listed}"), _button(prompt_id)]
    return text, blocks


def reminder_message(m: Reminder) -> Rendered:
    handle, day, prompt_id = m.handle, run_day(m.due_at, m.tz), m.prompt_id
    text = f"Reminder: the {handle} stand-up ({day}) is waiting for your answers"
    blocks = [
        section(f"A friendly reminder: the *{handle}* stand-up ({day}) still takes your answers."),
        _button(prompt_id),
    ]
    return text, blocks


def no_channel_message(m: NoChannelNote) -> Rendered:
    handle, why = m.handle, f" ({m.reason})" if m.reason else ""
    text = (
        f"The `{handle}` stand-up went out as direct messages only: I could not post it in a channel{why}. "
        f"Link one with `/spindle group channel {handle}` in that channel (and invite me there) so answers "
        "gather in one thread. I will not repeat this until the schedule is set again."
    )
    return text, []


def answer_modal(form: AnswerForm) -> dict[str, Any]:
    handle, day, questions, answers = form.handle, run_day(form.due_at, form.tz), form.questions, form.answers
    prompt_id = form.prompt_id
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


def questions_modal(form: QuestionsForm) -> dict[str, Any]:
    handle, group_id, questions = form.handle, form.group_id, form.questions
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


def questions_saved_modal(saved: QuestionsSaved) -> dict[str, Any]:
    handle, questions = saved.handle, saved.questions
    listed = "\n".join(f"{i + 1}. {escape(q)}" for i, q in enumerate(questions))
    return View(
        type="modal",
        title="Stand-up questions",
        close="Done",
        blocks=[SectionBlock(text=f"Saved. The next *{handle}* stand-up asks:\n{listed}")],
    ).to_dict()


def answer_reply(m: AnswerReply) -> Rendered:
    name, questions, answers, edited = m.name, m.questions, m.answers, m.edited
    text = f"Stand-up answers from {name}"
    lines = [f"*{escape(name)}*" + ("  _(edited)_" if edited else "")]
    for i, question in enumerate(questions):
        answer = answers[i] if i < len(answers) else ""
        if answer:
            lines.append(f"*{escape(question)}*\n{escape(answer)}")
    blocks = line_sections(lines, max_blocks=10)
    return text, blocks


def summary_message(summary: Summary) -> Rendered:
    n = len(summary.names)
    text = f"Stand-up summary: {n} answered"
    names = ", ".join(escape(name) for name in summary.names) or "nobody"
    lines = [f":memo: *Stand-up summary* — {n} answered: {names}"]
    if summary.not_answered:
        # A count, never names or mentions: the summary is not a place to chase people.
        lines.append(f"{summary.not_answered} did not answer this time.")
    if summary.blockers:
        lines.append(":warning: *Blockers*")
        lines += [f"• *{escape(name)}*: {escape(shorten(text_, 500))}" for name, text_ in summary.blockers]
    else:
        lines.append("No blockers reported.")
    return text, line_sections(lines, max_blocks=45, overflow="…and {n} more lines.")


# --- replies to `/spindle standup …` --------------------------------------------------------------


def schedule_set(result: ScheduleSet, now: datetime) -> str:
    lines = schedule_lines(result.schedule, result.reader_tz, now)
    handle = result.handle
    channel = "" if result.has_channel else f"\nIt has no channel yet: link one with `/spindle group channel {handle}`."
    return f"Stand-up for `{handle}` set: " + "\n".join(lines) + channel


def schedule_stopped(handle: str) -> str:
    return f"The `{handle}` stand-up schedule is off. Set it again with `/spindle standup {handle} set …`."


def started(result: StandupStarted) -> str:
    people = "member" if result.prompted == 1 else "members"
    return f"The `{result.handle}` stand-up has started: {result.prompted} {people} get a direct message."


def opening_questions(handle: str) -> str:
    return f"Opening the questions of `{handle}`…"


def away(until: date | None) -> str:
    if until is None:
        return "You are not away: you get stand-up prompts again."
    return (
        f"You get no stand-up prompts before {until.strftime('%a %d %b %Y')}; they resume that day. "
        "Back earlier? `/spindle standup away` with today's date."
    )


ANSWER_GONE = "This stand-up could not be found."
ANSWER_BUSY = "Slack is busy right now — click Answer again in a moment."
ANSWER_TOO_LATE = "Slack did not let me open the form in time. Please click Answer again."
QUESTIONS_GROUP_GONE = "That action group could not be found."
