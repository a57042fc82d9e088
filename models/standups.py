"""Stand-up schedules, runs and per-member prompts.

The database, not the scheduler's memory, is the source of truth: a run is unique on
(group, due time) and a prompt on (run, member), so re-runs are harmless.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.groups import Group


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

    run: Mapped[StandupRun] = relationship()


def get_schedule(session, group_id: int) -> StandupSchedule | None:
    return session.get(StandupSchedule, group_id)
