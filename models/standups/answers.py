"""Stand-up answers: recording them, the claim on their thread reply, and the run's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.groups import Group
from models.people import Member
from models.standups.claims import claim, record, release
from models.standups.runs import LIVE, StandupPrompt, StandupRun
from models.standups.schedule import questions_of

MAX_ANSWER_LEN = 3000
NO_BLOCKER = frozenset({"", "no", "none", "nope", "nothing", "n/a", "na", "-", "no.", "none.", "nothing."})


def answers_of(value: object) -> list[str]:
    """The stored answers, in question order; nothing stored (or erased): none."""
    return [str(a) for a in value] if isinstance(value, list) else []


def prompt_for(session: Session, prompt_id: int, user_id: str) -> StandupPrompt:
    prompt = session.get(StandupPrompt, prompt_id)
    if prompt is None:
        raise NotFound("standup.gone")
    if prompt.member_id != user_id:
        raise Forbidden("standup.not_your_prompt")
    return prompt


def require_open(prompt: StandupPrompt) -> None:
    if prompt.run.status not in LIVE:
        raise Conflict("standup.closed")


def record_answer(
    session: Session, prompt_id: int, user_id: str, raw: list[str | None], now: datetime
) -> StandupPrompt:
    prompt = prompt_for(session, prompt_id, user_id)
    require_open(prompt)
    questions = questions_of(prompt.run.questions)
    answers = [(a or "").strip()[:MAX_ANSWER_LEN] for a in raw[: len(questions)]]
    answers += [""] * (len(questions) - len(answers))
    if not any(answers):
        raise Invalid("standup.no_answer")
    prompt.answers = answers
    prompt.answered_at = now
    return prompt


def claim_reply(session: Session, prompt_id: int, now: datetime) -> bool:
    return claim(
        session,
        StandupPrompt,
        prompt_id,
        StandupPrompt.reply_claimed_at,
        now,
        where=(StandupPrompt.reply_ts.is_(None),),
    )


def record_reply(session: Session, prompt_id: int, ts: str | None) -> None:
    """The reply's ts; None: the post failed and the claim is given back."""
    if ts:
        record(session, StandupPrompt, prompt_id, reply_ts=ts)
    else:
        release(session, StandupPrompt, prompt_id, StandupPrompt.reply_claimed_at)


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    member_id: str
    name: str
    answers: list[str]


@dataclass(frozen=True)
class RunSummary:
    group: Group
    run: StandupRun
    questions: list[str]
    answered: list[Answered]
    not_answered: int
    blocking_index: int  # which question's answers are the blockers


def blocking_index(questions: list[str]) -> int:
    """The question about blockers: the one that says so, else the last one."""
    for i, question in enumerate(questions):
        if "block" in question.lower():
            return i
    return len(questions) - 1


def blocker_of(entry: Answered, index: int) -> str | None:
    text = entry.answers[index].strip() if index < len(entry.answers) else ""
    return None if text.lower() in NO_BLOCKER else text


def summary_of(session: Session, run_id: int) -> RunSummary:
    run = session.get(StandupRun, run_id)
    if run is None:
        raise NotFound("standup.gone")
    questions = questions_of(run.questions)
    prompts = session.execute(
        select(StandupPrompt, Member)
        .join(Member, Member.id == StandupPrompt.member_id)
        .where(StandupPrompt.run_id == run_id, StandupPrompt.error.is_(None))
        .order_by(StandupPrompt.answered_at, StandupPrompt.id)
    ).all()
    answered = [Answered(m.id, m.display_name, answers_of(p.answers)) for p, m in prompts if p.answered_at is not None]
    missing = sum(1 for p, _ in prompts if p.answered_at is None and p.dm_ts is not None)
    return RunSummary(run.group, run, questions, answered, missing, blocking_index(questions))
