"""Block Kit and words for stand-ups: schedule lines, the channel message, DMs, modals, replies, summary."""

from __future__ import annotations

from collections.abc import Iterable
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

import i18n
from handlers.ui.common import context, escape, line_sections, section, shorten
from i18n import N_, _, n_
from models.standups import MAX_ANSWER_LEN, MAX_QUESTION_LEN, MAX_QUESTIONS, StandupSchedule, next_dues
from models.vocab import WEEKDAYS
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
WORKWEEK = ["mon", "tue", "wed", "thu", "fri"]
# models/vocab.DEFAULT_STANDUP_QUESTIONS, the questions of a group that set none: a run stores them
# as written (English); they are shown in the reader's language. Questions a lead wrote are shown
# as written.
DEFAULT_QUESTIONS = (
    N_("What did you explore since the last stand-up?"),
    N_("What will you explore next?"),
    N_("Anything blocking you, or help you need?"),
)


def question(text: str) -> str:
    return _(text) if text in DEFAULT_QUESTIONS else text


def days_text(days: str) -> str:
    names = [d for d in days.split(",") if d]
    if len(names) == 7:
        return _("daily")
    if names == WORKWEEK:
        return _("weekdays")
    return ", ".join(i18n.weekday(WEEKDAYS.index(d)) if d in WEEKDAYS else d for d in names)


def _when(instant: datetime, tz: str) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return f"{i18n.day(local)} {i18n.clock(local)}"


def due_times(dues: Iterable[datetime], tz: str) -> str:
    """The next due times in the zone `tz`: `Mon 7 Dec 09:30  ·  Wed 9 Dec 09:30`."""
    return "  ·  ".join(_when(d, tz) for d in dues)


def schedule_lines(schedule: ScheduleView | StandupSchedule | None, reader_tz: str | None, now: datetime) -> list[str]:
    """The schedule and its next three due times, in the group's zone and the reader's own."""
    if schedule is None or not schedule.active or not schedule.days:
        return [_("no schedule")]
    dues = list(schedule.next_dues) if isinstance(schedule, ScheduleView) else next_dues(schedule, now, 3)
    days = days_text(schedule.days)
    lines = [_("{days} at {time} ({zone})").format(days=days, time=schedule.local_time, zone=schedule.tz)]
    lines.append(_("Next ({zone}): {times}").format(zone=schedule.tz, times=due_times(dues, schedule.tz)))
    if reader_tz and reader_tz != schedule.tz:
        try:
            times = due_times(dues, reader_tz)
        except (KeyError, ValueError):  # a zone Slack knows and tzdata does not: show the group's only
            return lines
        lines.append(_("Your time ({zone}): {times}").format(zone=reader_tz, times=times))
    return lines


def _button(prompt_id: int) -> dict[str, Any]:
    return ActionsBlock(
        block_id="standup_prompt",
        elements=[ButtonElement(text=_("Answer"), action_id=ANSWER_ACTION, value=str(prompt_id), style="primary")],
    ).to_dict()


def run_day(due_at: datetime, tz: str) -> str:
    return i18n.day(due_at.astimezone(ZoneInfo(tz)))


def channel_message(m: ChannelMessage) -> Rendered:
    handle, day, prompted = m.handle, run_day(m.due_at, m.tz), m.prompted
    text = _("Stand-up for {handle} — {day}").format(handle=handle, day=day)
    got = n_(
        "{n} member got a direct message with the questions; answers appear in this thread.",
        "{n} members got a direct message with the questions; answers appear in this thread.",
        prompted,
    ).format(n=prompted)
    blocks = [section(":sunrise: " + _("*Stand-up for {handle}* — {day}").format(handle=handle, day=day)), context(got)]
    return text, blocks


def prompt_message(m: Prompt) -> Rendered:
    handle, day, questions, prompt_id = m.handle, run_day(m.due_at, m.tz), m.questions, m.prompt_id
    text = _("Time for the {handle} stand-up ({day})").format(handle=handle, day=day)
    listed = "\n".join(f"• {escape(question(q))}" for q in questions)
    heading = _("*Time for the {handle} stand-up* ({day})").format(handle=handle, day=day)
    blocks = [section(f"{heading}\n{listed}"), _button(prompt_id)]
    return text, blocks


def reminder_message(m: Reminder) -> Rendered:
    handle, day, prompt_id = m.handle, run_day(m.due_at, m.tz), m.prompt_id
    text = _("Reminder: the {handle} stand-up ({day}) is waiting for your answers").format(handle=handle, day=day)
    blocks = [
        section(
            _("A friendly reminder: the *{handle}* stand-up ({day}) still takes your answers.").format(
                handle=handle, day=day
            )
        ),
        _button(prompt_id),
    ]
    return text, blocks


def no_channel_message(m: NoChannelNote) -> Rendered:
    handle = m.handle
    if m.reason:
        went = _(
            "The `{handle}` stand-up went out as direct messages only: I could not post it in a channel ({reason})."
        ).format(handle=handle, reason=m.reason)
    else:
        went = _("The `{handle}` stand-up went out as direct messages only: I could not post it in a channel.").format(
            handle=handle
        )
    link = _(
        "Link one with `/spindle group channel {handle}` in that channel (and invite me there) so answers "
        "gather in one thread. I will not repeat this until the schedule is set again."
    ).format(handle=handle)
    return f"{went} {link}", []


def answer_modal(form: AnswerForm) -> dict[str, Any]:
    handle, day, questions, answers = form.handle, run_day(form.due_at, form.tz), form.questions, form.answers
    prompt_id = form.prompt_id
    blocks = []
    for i, asked in enumerate(questions):
        initial = answers[i] if i < len(answers) and answers[i] else None
        blocks.append(
            InputBlock(
                block_id=f"q{i}",
                label=shorten(question(asked), 2000),
                optional=True,
                element=PlainTextInputElement(
                    action_id="answer", multiline=True, max_length=MAX_ANSWER_LEN, initial_value=initial
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=ANSWER_VIEW,
        title=_("Stand-up"),
        submit=_("Send"),
        close=_("Cancel"),
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
                label=_("Question {n}").format(n=i + 1),
                optional=i > 0,
                element=PlainTextInputElement(
                    action_id="question",
                    max_length=MAX_QUESTION_LEN + 50,  # room to paste; the save explains the limit
                    initial_value=question(questions[i]) if i < len(questions) else None,
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=QUESTIONS_VIEW,
        title=_("Stand-up questions"),
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=str(group_id),
        blocks=[
            SectionBlock(
                text=_("The questions of the *{handle}* stand-up, 1 to {most}.").format(
                    handle=handle, most=MAX_QUESTIONS
                )
            ),
            *blocks,
        ],
    )
    return view.to_dict()


def questions_saved_modal(saved: QuestionsSaved) -> dict[str, Any]:
    handle, questions = saved.handle, saved.questions
    listed = "\n".join(f"{i + 1}. {escape(question(q))}" for i, q in enumerate(questions))
    saved_text = _("Saved. The next *{handle}* stand-up asks:").format(handle=handle)
    return View(
        type="modal",
        title=_("Stand-up questions"),
        close=_("Done"),
        blocks=[SectionBlock(text=f"{saved_text}\n{listed}")],
    ).to_dict()


def answer_reply(m: AnswerReply) -> Rendered:
    name, questions, answers, edited = m.name, m.questions, m.answers, m.edited
    text = _("Stand-up answers from {name}").format(name=name)
    lines = [f"*{escape(name)}*" + ("  " + _("_(edited)_") if edited else "")]
    for i, asked in enumerate(questions):
        answer = answers[i] if i < len(answers) else ""
        if answer:
            lines.append(f"*{escape(question(asked))}*\n{escape(answer)}")
    blocks = line_sections(lines, max_blocks=10)
    return text, blocks


def summary_message(summary: Summary) -> Rendered:
    n = len(summary.names)
    text = _("Stand-up summary: {n} answered").format(n=n)
    names = ", ".join(escape(name) for name in summary.names) or _("nobody")
    lines = [":memo: " + _("*Stand-up summary* — {n} answered: {names}").format(n=n, names=names)]
    if summary.not_answered:
        # A count, never names or mentions: the summary is not a place to chase people.
        missing = summary.not_answered
        lines.append(n_("{n} did not answer this time.", "{n} did not answer this time.", missing).format(n=missing))
    if summary.blockers:
        lines.append(":warning: " + _("*Blockers*"))
        lines += [f"• *{escape(name)}*: {escape(shorten(text_, 500))}" for name, text_ in summary.blockers]
    else:
        lines.append(_("No blockers reported."))
    return text, line_sections(lines, max_blocks=45, overflow=_more_lines)


def _more_lines(n: int) -> str:
    return n_("…and {n} more line.", "…and {n} more lines.", n).format(n=n)


# --- replies to `/spindle standup …` --------------------------------------------------------------


def schedule_set(result: ScheduleSet, now: datetime) -> str:
    lines = schedule_lines(result.schedule, result.reader_tz, now)
    handle = result.handle
    text = _("Stand-up for `{handle}` set: {schedule}").format(handle=handle, schedule="\n".join(lines))
    if not result.has_channel:
        text += "\n" + _("It has no channel yet: link one with `/spindle group channel {handle}`.").format(
            handle=handle
        )
    return text


def schedule_stopped(handle: str) -> str:
    return _("The `{handle}` stand-up schedule is off. Set it again with `/spindle standup {handle} set …`.").format(
        handle=handle
    )


def started(result: StandupStarted) -> str:
    n = result.prompted
    return n_(
        "The `{handle}` stand-up has started: {n} member gets a direct message.",
        "The `{handle}` stand-up has started: {n} members get a direct message.",
        n,
    ).format(handle=result.handle, n=n)


def opening_questions(handle: str) -> str:
    return _("Opening the questions of `{handle}`…").format(handle=handle)


def away(until: date | None) -> str:
    if until is None:
        return _("You are not away: you get stand-up prompts again.")
    return _(
        "You get no stand-up prompts before {day}; they resume that day. "
        "Back earlier? `/spindle standup away` with today's date."
    ).format(day=f"{i18n.weekday(until.weekday())} {i18n.full_date(until)}")


ANSWER_GONE = N_("This stand-up could not be found.")
ANSWER_BUSY = N_("Slack is busy right now — click Answer again in a moment.")
ANSWER_TOO_LATE = N_("Slack did not let me open the form in time. Please click Answer again.")
QUESTIONS_GROUP_GONE = N_("That action group could not be found.")
