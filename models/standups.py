"""Stand-up schedules, runs and per-member prompts.

The database, not the scheduler's memory, is the source of truth: a run is unique on
(group, due time) and a prompt on (run, member), so re-runs are harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import audit
from models.base import Base, UTCDateTime
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.groups import Group, Membership, can_lead, get_group
from models.people import Member
from models.schedule import due_times, next_due_times
from models.vocab import DEFAULT_STANDUP_QUESTIONS, WEEKDAYS

LATE_LIMIT = timedelta(hours=3)  # a due time later than this is recorded as missed, not run
LOOKBACK = timedelta(days=7)  # how far back a tick looks for due times without a run row
STALE_CLAIM = timedelta(minutes=10)  # a claim older than this belonged to a process that died
NO_SCHEDULE_CLOSE = timedelta(hours=24)  # a run with no next due time closes after this
MAX_QUESTIONS = 5
MAX_QUESTION_LEN = 200
MAX_ANSWER_LEN = 3000
LIVE = ("running", "open")  # run statuses that still take answers


class StandupSchedule(Base):
    __tablename__ = "standup_schedules"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    days: Mapped[str] = mapped_column(String(32), default="")  # "mon,tue,wed"; empty: no schedule
    local_time: Mapped[str] = mapped_column(String(5), default="09:30")  # "HH:MM"
    tz: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[str] = mapped_column(Text, default="")  # JSON list; empty: the defaults
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=120)
    # Due times before this instant are never run (a new schedule does not replay the past).
    effective_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_warned_no_channel: Mapped[bool] = mapped_column(default=False)

    group: Mapped[Group] = relationship()


class StandupRun(Base):
    __tablename__ = "standup_runs"
    __table_args__ = (UniqueConstraint("group_id", "due_at", name="uq_standup_runs_group_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, open, closed, missed
    questions: Mapped[str] = mapped_column(Text, default="")  # JSON list, frozen for this run
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    fanout_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    # Claim on posting the channel message (a process that died mid-post is taken over when stale).
    posting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship()


class StandupPrompt(Base):
    __tablename__ = "standup_prompts"
    __table_args__ = (UniqueConstraint("run_id", "member_id", name="uq_standup_prompts_run_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("standup_runs.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[str | None] = mapped_column(Text)  # JSON list of answers, in question order
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_ts: Mapped[str | None] = mapped_column(String(32))  # the answer's reply in the run's thread
    reply_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # claim on posting that reply
    error: Mapped[str | None] = mapped_column(String(200))  # a permanent failure to deliver the DM

    run: Mapped[StandupRun] = relationship()


def get_schedule(session, group_id: int) -> StandupSchedule | None:
    return session.get(StandupSchedule, group_id)


# --- schedules, questions, away ------------------------------------------------------------------


def require_lead(group: Group, member: Member, doing: str) -> None:
    if not can_lead(group, member):
        raise Forbidden(f"Only the lead of `{group.handle}` or a coordinator may {doing}.")


def ensure_schedule(session: Session, group: Group, default_tz: str) -> StandupSchedule:
    schedule = session.get(StandupSchedule, group.id)
    if schedule is None:
        schedule = StandupSchedule(
            group_id=group.id, days="", local_time="09:30", tz=default_tz, active=False, questions="",
            reminder_minutes=120, lead_warned_no_channel=False,
        )  # fmt: skip
        session.add(schedule)
        session.flush()
    return schedule


def set_schedule(
    session: Session, actor: Member, handle: str, days: tuple[str, ...], local_time: str, zone: str, now: datetime
) -> tuple[Group, StandupSchedule]:
    group = get_group(session, handle)
    require_lead(group, actor, "set its stand-up")
    if not days or any(d not in WEEKDAYS for d in days):
        raise Invalid("Give the days as `daily`, `weekdays` or a list like `mon,wed,fri`.")
    ZoneInfo(zone)  # the parser checked it; a bad one here is a bug, not user input
    schedule = ensure_schedule(session, group, zone)
    schedule.days = ",".join(d for d in WEEKDAYS if d in days)
    schedule.local_time = local_time
    schedule.tz = zone
    schedule.active = True
    # A new or changed schedule never replays due times from before it was set.
    schedule.effective_from = now
    schedule.lead_warned_no_channel = False
    audit(session, now, actor.id, "standup.set", f"{group.handle} {schedule.days} {local_time} {zone}")
    return group, schedule


def schedule_off(session: Session, actor: Member, handle: str, now: datetime) -> Group:
    group = get_group(session, handle)
    require_lead(group, actor, "stop its stand-up")
    schedule = get_schedule(session, group.id)
    if schedule is None or not schedule.active:
        raise Conflict(f"`{group.handle}` has no stand-up schedule to stop.")
    schedule.active = False
    audit(session, now, actor.id, "standup.off", group.handle)
    return group


def questions_of(text: str | None) -> list[str]:
    """The stored JSON list, or the defaults when none are set (or the value is unreadable)."""
    if text:
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list) and value and all(isinstance(q, str) for q in value):
            return value
    return list(DEFAULT_STANDUP_QUESTIONS)


def validate_questions(raw: list[str | None]) -> tuple[list[str], dict[int, str]]:
    """Cleaned questions (empties dropped) and per-field errors keyed by the field's index."""
    errors: dict[int, str] = {}
    cleaned: list[str] = []
    for i, text in enumerate(raw[:MAX_QUESTIONS]):
        text = " ".join((text or "").split())
        if not text:
            continue
        if len(text) > MAX_QUESTION_LEN:
            errors[i] = f"This question is {len(text)} characters; {MAX_QUESTION_LEN} is the most."
        cleaned.append(text)
    if len(raw) > MAX_QUESTIONS:
        errors[MAX_QUESTIONS - 1] = f"A stand-up has at most {MAX_QUESTIONS} questions."
    if not cleaned and not errors:
        errors[0] = "Give at least one question."
    return cleaned, errors


def set_questions(session: Session, actor: Member, group_id: int, raw: list[str | None], now: datetime,
                  default_tz: str) -> tuple[Group, list[str]]:  # fmt: skip
    group = session.get(Group, group_id)
    if group is None or group.archived:
        raise NotFound("That action group no longer exists or is archived.")
    require_lead(group, actor, "change its stand-up questions")
    questions, errors = validate_questions(raw)
    if errors:
        raise Invalid(next(iter(errors.values())))
    ensure_schedule(session, group, default_tz).questions = json.dumps(questions)
    audit(session, now, actor.id, "standup.questions", group.handle)
    return group, questions


def set_away(member: Member, until: date, today: date) -> date | None:
    """No prompts for stand-ups whose local date is before `until`; a date not in the future clears it."""
    member.away_until = until if until > today else None
    return member.away_until


def is_away(member: Member, local_day: date) -> bool:
    return member.away_until is not None and local_day < member.away_until


def next_dues(schedule: StandupSchedule | None, now: datetime, n: int = 3) -> list[datetime]:
    if schedule is None or not schedule.active or not schedule.days:
        return []
    return next_due_times(schedule.days, schedule.local_time, schedule.tz, now, n)


# --- runs: finding what is due and claiming it ----------------------------------------------------


def due_pairs(session: Session, now: datetime) -> list[tuple[int, datetime]]:
    """(group id, due instant) pairs that are due by `now` and have no run row yet, oldest first."""
    rows = session.execute(
        select(StandupSchedule)
        .join(Group, Group.id == StandupSchedule.group_id)
        .where(StandupSchedule.active.is_(True), Group.archived_at.is_(None))
    ).scalars()
    pairs: list[tuple[int, datetime]] = []
    for schedule in rows:
        start = now - LOOKBACK
        if schedule.effective_from is not None and schedule.effective_from > start:
            start = schedule.effective_from
        dues = due_times(schedule.days, schedule.local_time, schedule.tz, start, now)
        if not dues:
            continue
        taken = set(
            session.scalars(
                select(StandupRun.due_at).where(StandupRun.group_id == schedule.group_id, StandupRun.due_at >= dues[0])
            )
        )
        pairs += [(schedule.group_id, due) for due in dues if due not in taken]
    return sorted(pairs, key=lambda p: (p[1], p[0]))


def closes_at_for(schedule: StandupSchedule | None, due_at: datetime, now: datetime) -> datetime:
    """A run takes answers until the group's next due time (or a day, without a schedule)."""
    after = max(due_at, now)
    upcoming = next_dues(schedule, after, 1)
    return upcoming[0] if upcoming else after + NO_SCHEDULE_CLOSE


def eligible_members(session: Session, group: Group, local_day: date) -> list[Member]:
    members = session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.group_id == group.id, Member.forgotten.is_(False))
        .order_by(Membership.joined_at, Member.id)
    )
    return [m for m in members if not is_away(m, local_day)]


def claim_run(session: Session, group_id: int, due_at: datetime, now: datetime, default_tz: str) -> StandupRun | None:
    """Insert the (group, due time) row; None when another process (or an earlier tick) has it.

    Due times more than LATE_LIMIT ago are recorded as `missed` and nobody is prompted.
    The prompts are created in the same transaction, so a run never exists without them.
    """
    group = session.get(Group, group_id)
    if group is None or group.archived:
        return None
    schedule = get_schedule(session, group_id)
    missed = now - due_at > LATE_LIMIT
    run = StandupRun(
        group_id=group_id, due_at=due_at, claimed_at=now, status="missed" if missed else "running",
        questions=json.dumps(questions_of(schedule.questions if schedule else "")), channel_id=group.channel_id,
    )  # fmt: skip
    try:
        with session.begin_nested():  # a unique-key conflict rolls back this savepoint only
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    if missed:
        run.closed_at = now
        return run
    run.closes_at = closes_at_for(schedule, due_at, now)
    reminder = timedelta(minutes=schedule.reminder_minutes if schedule else 120)
    remind_at = max(due_at, now) + reminder
    run.remind_at = remind_at if remind_at < run.closes_at else None
    # Late answers are taken until the next run starts: earlier runs of this group close now.
    session.execute(
        update(StandupRun)
        .where(
            StandupRun.group_id == group_id,
            StandupRun.id != run.id,
            StandupRun.status.in_(LIVE),
            StandupRun.closes_at > due_at,
        )
        .values(closes_at=due_at)
    )
    zone = ZoneInfo(schedule.tz if schedule else default_tz)
    local_day = due_at.astimezone(zone).date()
    for member in eligible_members(session, group, local_day):
        session.add(StandupPrompt(run_id=run.id, member_id=member.id))
    session.flush()
    return run


def start_now(session: Session, actor: Member, handle: str, now: datetime, default_tz: str) -> StandupRun:
    group = get_group(session, handle)
    require_lead(group, actor, "start its stand-up")
    ensure_schedule(session, group, default_tz)
    run = claim_run(session, group.id, now, now, default_tz)
    if run is None:
        raise Conflict(f"A stand-up for `{group.handle}` has just started; its prompts are on their way.")
    audit(session, now, actor.id, "standup.now", group.handle)
    return run


def prompt_count(session: Session, run_id: int) -> int:
    return len(session.scalars(select(StandupPrompt.id).where(StandupPrompt.run_id == run_id)).all())


# --- the fan-out: compare-and-set claims so no two processes send the same message ---------------


def _cas(session: Session, stmt) -> bool:
    return session.execute(stmt, execution_options={"synchronize_session": False}).rowcount == 1


def claim_channel_post(session: Session, run_id: int, now: datetime) -> bool:
    return _cas(
        session,
        update(StandupRun)
        .where(
            StandupRun.id == run_id,
            StandupRun.status.in_(LIVE),
            StandupRun.message_ts.is_(None),
            StandupRun.channel_id.is_not(None),
            or_(StandupRun.posting_at.is_(None), StandupRun.posting_at < now - STALE_CLAIM),
        )
        .values(posting_at=now),
    )


def record_channel_post(session: Session, run_id: int, ts: str | None) -> None:
    values = {"message_ts": ts} if ts else {"posting_at": None, "channel_id": None}
    session.execute(update(StandupRun).where(StandupRun.id == run_id).values(**values))


def release_channel_post(session: Session, run_id: int) -> None:
    session.execute(update(StandupRun).where(StandupRun.id == run_id).values(posting_at=None))


def unsent_prompts(session: Session, run_id: int, now: datetime) -> list[tuple[int, str]]:
    """(prompt id, member id) still to send: never claimed, or claimed by a process that died."""
    rows = session.execute(
        select(StandupPrompt.id, StandupPrompt.member_id)
        .where(
            StandupPrompt.run_id == run_id,
            StandupPrompt.dm_ts.is_(None),
            StandupPrompt.error.is_(None),
            or_(StandupPrompt.sent_at.is_(None), StandupPrompt.sent_at < now - STALE_CLAIM),
        )
        .order_by(StandupPrompt.id)
    )
    return [(pid, mid) for pid, mid in rows]


def claim_prompt(session: Session, prompt_id: int, now: datetime) -> bool:
    """Take the right to send this prompt's DM. Still a member? Otherwise it is never sent."""
    prompt = session.get(StandupPrompt, prompt_id)
    if prompt is None:
        return False
    run = prompt.run
    member = session.get(Member, prompt.member_id)
    if (
        member is None
        or member.forgotten
        or session.scalar(
            select(Membership.id).where(Membership.group_id == run.group_id, Membership.member_id == member.id)
        )
        is None
    ):
        prompt.error = "left the group"
        return False
    return _cas(
        session,
        update(StandupPrompt)
        .where(
            StandupPrompt.id == prompt_id,
            StandupPrompt.dm_ts.is_(None),
            StandupPrompt.error.is_(None),
            or_(StandupPrompt.sent_at.is_(None), StandupPrompt.sent_at < now - STALE_CLAIM),
        )
        .values(sent_at=now),
    )


def record_prompt_sent(session: Session, prompt_id: int, channel: str, ts: str, now: datetime) -> None:
    session.execute(
        update(StandupPrompt).where(StandupPrompt.id == prompt_id).values(dm_channel=channel, dm_ts=ts, sent_at=now)
    )


def release_prompt(session: Session, prompt_id: int, error: str | None = None) -> None:
    """A send that failed: transient (error None) leaves it for the next tick; permanent is kept."""
    values = {"error": error[:200]} if error else {"sent_at": None}
    session.execute(update(StandupPrompt).where(StandupPrompt.id == prompt_id).values(**values))


def finish_fanout(session: Session, run_id: int, now: datetime) -> bool:
    """Mark the fan-out done when nothing is left to send (and the channel message is out)."""
    run = session.get(StandupRun, run_id)
    if run is None or run.status != "running":
        return False
    if run.channel_id and not run.message_ts:
        return False
    left = session.scalar(
        select(StandupPrompt.id).where(
            StandupPrompt.run_id == run_id, StandupPrompt.dm_ts.is_(None), StandupPrompt.error.is_(None)
        )
    )
    if left is not None:
        return False
    return _cas(
        session,
        update(StandupRun)
        .where(StandupRun.id == run_id, StandupRun.status == "running")
        .values(status="open", fanout_done_at=now),
    )


def warn_lead_once(session: Session, group_id: int) -> bool:
    """True the first time (per schedule setting) a run had no channel: the lead is told once."""
    return _cas(
        session,
        update(StandupSchedule)
        .where(StandupSchedule.group_id == group_id, StandupSchedule.lead_warned_no_channel.is_(False))
        .values(lead_warned_no_channel=True),
    )


def runs_with_status(session: Session, statuses: tuple[str, ...]) -> list[int]:
    return list(session.scalars(select(StandupRun.id).where(StandupRun.status.in_(statuses)).order_by(StandupRun.id)))


# --- reminders and the close ---------------------------------------------------------------------


def runs_to_remind(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(StandupRun.id).where(
                StandupRun.status == "open",
                StandupRun.remind_at <= now,
                StandupRun.reminded_at.is_(None),
                or_(StandupRun.closes_at.is_(None), StandupRun.closes_at > now),
            )
        )
    )


def prompts_to_remind(session: Session, run_id: int, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(StandupPrompt.id)
            .where(
                StandupPrompt.run_id == run_id,
                StandupPrompt.dm_ts.is_not(None),
                StandupPrompt.answered_at.is_(None),
                StandupPrompt.reminded_at.is_(None),
            )
            .order_by(StandupPrompt.id)
        )
    )


def claim_reminder(session: Session, prompt_id: int, now: datetime) -> bool:
    return _cas(
        session,
        update(StandupPrompt)
        .where(StandupPrompt.id == prompt_id, StandupPrompt.reminded_at.is_(None), StandupPrompt.answered_at.is_(None))
        .values(reminded_at=now),
    )


def release_reminder(session: Session, prompt_id: int) -> None:
    session.execute(update(StandupPrompt).where(StandupPrompt.id == prompt_id).values(reminded_at=None))


def finish_reminders(session: Session, run_id: int, now: datetime) -> None:
    session.execute(
        update(StandupRun).where(StandupRun.id == run_id, StandupRun.reminded_at.is_(None)).values(reminded_at=now)
    )


def runs_to_close(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(StandupRun.id).where(
                or_(
                    StandupRun.status.in_(LIVE) & (StandupRun.closes_at <= now),
                    (StandupRun.status == "closing") & (StandupRun.closed_at < now - STALE_CLAIM),
                )
            )
        )
    )


def claim_close(session: Session, run_id: int, now: datetime) -> bool:
    return _cas(
        session,
        update(StandupRun)
        .where(
            StandupRun.id == run_id,
            or_(
                StandupRun.status.in_(LIVE),
                (StandupRun.status == "closing") & (StandupRun.closed_at < now - STALE_CLAIM),
            ),
        )
        .values(status="closing", closed_at=now),
    )


def finish_close(session: Session, run_id: int, summary_ts: str | None) -> None:
    session.execute(update(StandupRun).where(StandupRun.id == run_id).values(status="closed", summary_ts=summary_ts))


def release_close(session: Session, run_id: int) -> None:
    session.execute(update(StandupRun).where(StandupRun.id == run_id).values(status="open", closed_at=None))


@dataclass
class Answered:
    member_id: str
    name: str
    answers: list[str]


@dataclass
class Summary:
    group: Group
    run: StandupRun
    questions: list[str]
    answered: list[Answered]
    not_answered: int
    blocking_index: int  # which question's answers are the blockers


NO_BLOCKER = frozenset({"", "no", "none", "nope", "nothing", "n/a", "na", "-", "no.", "none.", "nothing."})


def blocking_index(questions: list[str]) -> int:
    """The question about blockers: the one that says so, else the last one."""
    for i, question in enumerate(questions):
        if "block" in question.lower():
            return i
    return len(questions) - 1


def blocker_of(entry: Answered, index: int) -> str | None:
    text = entry.answers[index].strip() if index < len(entry.answers) else ""
    return None if text.lower() in NO_BLOCKER else text


def summary_of(session: Session, run_id: int) -> Summary:
    run = session.get(StandupRun, run_id)
    questions = questions_of(run.questions)
    prompts = session.execute(
        select(StandupPrompt, Member)
        .join(Member, Member.id == StandupPrompt.member_id)
        .where(StandupPrompt.run_id == run_id, StandupPrompt.error.is_(None))
        .order_by(StandupPrompt.answered_at, StandupPrompt.id)
    ).all()
    answered = [Answered(m.id, m.display_name, answers_of(p.answers)) for p, m in prompts if p.answered_at is not None]
    missing = sum(1 for p, _ in prompts if p.answered_at is None and p.dm_ts is not None)
    return Summary(run.group, run, questions, answered, missing, blocking_index(questions))


# --- answers -------------------------------------------------------------------------------------


def answers_of(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(a) for a in value] if isinstance(value, list) else []


def prompt_for(session: Session, prompt_id: int, user_id: str) -> StandupPrompt:
    prompt = session.get(StandupPrompt, prompt_id)
    if prompt is None:
        raise NotFound("That stand-up no longer exists.")
    if prompt.member_id != user_id:
        raise Forbidden("This stand-up prompt was sent to someone else; only they can answer it.")
    return prompt


def require_open(prompt: StandupPrompt) -> None:
    if prompt.run.status not in LIVE:
        raise Conflict("This stand-up has closed; the next one will ask again.")


def record_answer(
    session: Session, prompt_id: int, user_id: str, raw: list[str | None], now: datetime
) -> StandupPrompt:
    prompt = prompt_for(session, prompt_id, user_id)
    require_open(prompt)
    questions = questions_of(prompt.run.questions)
    answers = [(a or "").strip()[:MAX_ANSWER_LEN] for a in raw[: len(questions)]]
    answers += [""] * (len(questions) - len(answers))
    if not any(answers):
        raise Invalid("Answer at least one question.")
    prompt.answers = json.dumps(answers)
    prompt.answered_at = now
    return prompt


def claim_reply(session: Session, prompt_id: int, now: datetime) -> bool:
    return _cas(
        session,
        update(StandupPrompt)
        .where(
            StandupPrompt.id == prompt_id,
            StandupPrompt.reply_ts.is_(None),
            or_(StandupPrompt.reply_claimed_at.is_(None), StandupPrompt.reply_claimed_at < now - STALE_CLAIM),
        )
        .values(reply_claimed_at=now),
    )


def record_reply(session: Session, prompt_id: int, ts: str | None) -> None:
    values = {"reply_ts": ts} if ts else {"reply_claimed_at": None}
    session.execute(update(StandupPrompt).where(StandupPrompt.id == prompt_id).values(**values))
