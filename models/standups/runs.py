"""Stand-up runs and their per-member prompts: what is due, claiming it, the fan-out's claims.

The database, not the scheduler's memory, is the source of truth: a run is unique on
(group, due time) and a prompt on (run, member), so re-runs are harmless. Every Slack message
is guarded by a claim (models/standups/claims.py) taken just before the send.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import audit
from models.base import Base, UTCDateTime
from models.errors import Conflict
from models.groups import Group, Membership, get_group
from models.people import Member
from models.schedule import due_times
from models.standups.claims import STALE_CLAIM, claim, compare_and_set, record, release
from models.standups.schedule import (
    StandupSchedule,
    ensure_schedule,
    get_schedule,
    is_away,
    next_dues,
    questions_of,
    require_lead,
)

LATE_LIMIT = timedelta(hours=3)  # a due time later than this is recorded as missed, not run
LOOKBACK = timedelta(days=7)  # how far back a tick looks for due times without a run row
NO_SCHEDULE_CLOSE = timedelta(hours=24)  # a run with no next due time closes after this
DEFAULT_REMINDER = timedelta(minutes=120)


class RunStatus(StrEnum):
    RUNNING = "running"  # claimed; the channel message and DMs are going out
    OPEN = "open"  # everything is out; answers are taken
    CLOSING = "closing"  # claimed for the close: the summary is being posted
    CLOSED = "closed"
    MISSED = "missed"  # due while the bot was down for too long: nobody was prompted


LIVE = (RunStatus.RUNNING, RunStatus.OPEN)  # run statuses that still take answers


class StandupRun(Base):
    __tablename__ = "standup_runs"
    __table_args__ = (UniqueConstraint("group_id", "due_at", name="uq_standup_runs_group_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A plain VARCHAR(16) in the database (no native enum, no constraint): the values are RunStatus.
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=RunStatus.RUNNING,
    )
    questions: Mapped[list[str]] = mapped_column(JSON(none_as_null=True), default=list)  # frozen; []: the defaults
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
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also the claim on sending the DM
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also the claim on the reminder
    reminder_ts: Mapped[str | None] = mapped_column(String(32))  # the reminder's message, in dm_channel
    answers: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))  # in question order
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_ts: Mapped[str | None] = mapped_column(String(32))  # the answer's reply in the run's thread
    reply_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # claim on posting that reply
    error: Mapped[str | None] = mapped_column(String(200))  # a permanent failure to deliver the DM

    run: Mapped[StandupRun] = relationship()


# --- finding what is due and claiming it ----------------------------------------------------------


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
        group_id=group_id, due_at=due_at, claimed_at=now, status=RunStatus.MISSED if missed else RunStatus.RUNNING,
        questions=questions_of(schedule.questions if schedule else None), channel_id=group.channel_id,
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
    reminder = timedelta(minutes=schedule.reminder_minutes) if schedule else DEFAULT_REMINDER
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
    require_lead(group, actor, "now")
    ensure_schedule(session, group, default_tz)
    run = claim_run(session, group.id, now, now, default_tz)
    if run is None:
        raise Conflict("standup.just_started", handle=group.handle)
    audit(session, now, actor.id, "standup.now", group.handle)
    return run


def prompt_count(session: Session, run_id: int) -> int:
    return len(session.scalars(select(StandupPrompt.id).where(StandupPrompt.run_id == run_id)).all())


def runs_with_status(session: Session, statuses: tuple[RunStatus, ...]) -> list[int]:
    return list(session.scalars(select(StandupRun.id).where(StandupRun.status.in_(statuses)).order_by(StandupRun.id)))


# --- the fan-out: the channel message, then one DM per prompt -------------------------------------


def claim_channel_post(session: Session, run_id: int, now: datetime) -> bool:
    return claim(session, StandupRun, run_id, StandupRun.posting_at, now, where=(
        StandupRun.status.in_(LIVE), StandupRun.message_ts.is_(None), StandupRun.channel_id.is_not(None),
    ))  # fmt: skip


def record_channel_post(session: Session, run_id: int, ts: str | None) -> None:
    """The message's ts; None (a permanent failure): the run goes on without a channel."""
    if ts:
        record(session, StandupRun, run_id, message_ts=ts)
    else:
        release(session, StandupRun, run_id, StandupRun.posting_at, channel_id=None)


def release_channel_post(session: Session, run_id: int) -> None:
    release(session, StandupRun, run_id, StandupRun.posting_at)


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


def prompt_readers(session: Session, run_id: int) -> dict[int, tuple[str | None, str | None]]:
    """(language, locale) of the member of each of the run's prompts, in one query: a prompt and
    its reminder are written in their reader's language."""
    rows = session.execute(
        select(StandupPrompt.id, Member.language, Member.locale)
        .join(Member, Member.id == StandupPrompt.member_id)
        .where(StandupPrompt.run_id == run_id)
    )
    return {prompt_id: (language, locale) for prompt_id, language, locale in rows}


def claim_prompt(session: Session, prompt_id: int, now: datetime) -> bool:
    """Take the right to send this prompt's DM. Still a member? Otherwise it is never sent."""
    prompt = session.get(StandupPrompt, prompt_id)
    if prompt is None:
        return False
    member = session.get(Member, prompt.member_id)
    still_in = session.scalar(
        select(Membership.id).where(
            Membership.group_id == prompt.run.group_id, Membership.member_id == prompt.member_id
        )
    )
    if member is None or member.forgotten or still_in is None:
        prompt.error = "left_group"  # a state like Slack's error names: never shown to anyone
        return False
    return claim(session, StandupPrompt, prompt_id, StandupPrompt.sent_at, now,
                 where=(StandupPrompt.dm_ts.is_(None), StandupPrompt.error.is_(None)))  # fmt: skip


def record_prompt_sent(session: Session, prompt_id: int, channel: str, ts: str | None, now: datetime) -> None:
    record(session, StandupPrompt, prompt_id, dm_channel=channel, dm_ts=ts, sent_at=now)


def release_prompt(session: Session, prompt_id: int, error: str | None = None) -> None:
    """A send that failed: transient (error None) leaves it for the next tick; permanent is kept."""
    if error:
        record(session, StandupPrompt, prompt_id, error=error[:200])
    else:
        release(session, StandupPrompt, prompt_id, StandupPrompt.sent_at)


def finish_fanout(session: Session, run_id: int, now: datetime) -> bool:
    """Mark the fan-out done when nothing is left to send (and the channel message is out)."""
    run = session.get(StandupRun, run_id)
    if run is None or run.status != RunStatus.RUNNING:
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
    return compare_and_set(
        session,
        update(StandupRun)
        .where(StandupRun.id == run_id, StandupRun.status == RunStatus.RUNNING)
        .values(status=RunStatus.OPEN, fanout_done_at=now),
    )


def warn_lead_once(session: Session, group_id: int) -> bool:
    """True the first time (per schedule setting) a run had no channel: the lead is told once."""
    return compare_and_set(
        session,
        update(StandupSchedule)
        .where(StandupSchedule.group_id == group_id, StandupSchedule.lead_warned_no_channel.is_(False))
        .values(lead_warned_no_channel=True),
    )


# --- reminders and the close ----------------------------------------------------------------------


def runs_to_remind(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(StandupRun.id).where(
                StandupRun.status == RunStatus.OPEN,
                StandupRun.remind_at <= now,
                StandupRun.reminded_at.is_(None),
                or_(StandupRun.closes_at.is_(None), StandupRun.closes_at > now),
            )
        )
    )


def prompts_to_remind(session: Session, run_id: int) -> list[int]:
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
    """Once per prompt, ever: a reminder claim is never taken over (a lost one is not resent)."""
    return claim(session, StandupPrompt, prompt_id, StandupPrompt.reminded_at, now, stale=None,
                 where=(StandupPrompt.answered_at.is_(None),))  # fmt: skip


def release_reminder(session: Session, prompt_id: int) -> None:
    release(session, StandupPrompt, prompt_id, StandupPrompt.reminded_at)


def record_reminder(session: Session, prompt_id: int, ts: str | None) -> None:
    """Where the reminder went (in the prompt's DM channel), so the answer can update it too."""
    record(session, StandupPrompt, prompt_id, reminder_ts=ts)


def is_answered(session: Session, prompt_id: int) -> bool:
    return session.scalar(select(StandupPrompt.answered_at).where(StandupPrompt.id == prompt_id)) is not None


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
                    (StandupRun.status == RunStatus.CLOSING) & (StandupRun.closed_at < now - STALE_CLAIM),
                )
            )
        )
    )


def claim_close(session: Session, run_id: int, now: datetime) -> bool:
    """Live runs have no `closed_at`; a `closing` one whose closer died is taken over when stale."""
    return claim(session, StandupRun, run_id, StandupRun.closed_at, now,
                 where=(StandupRun.status.in_((*LIVE, RunStatus.CLOSING)),),
                 also={"status": RunStatus.CLOSING})  # fmt: skip


def finish_close(session: Session, run_id: int, summary_ts: str | None) -> None:
    record(session, StandupRun, run_id, status=RunStatus.CLOSED, summary_ts=summary_ts)


def release_close(session: Session, run_id: int) -> None:
    release(session, StandupRun, run_id, StandupRun.closed_at, status=RunStatus.OPEN)
