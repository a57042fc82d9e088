"""Claims for the weekly register delivery: one row per (week, coordinator).

The register goes to every coordinator on Monday at 08:00 (SPINDLE_TIMEZONE). A tick claims
each coordinator's week by inserting the unique (week_of, member_id) row; only the tick whose
insert wins uploads, so several scheduler processes or a restart never send it twice.
A failed upload is recorded on the row (`error`) and taken over again by a tick at least
RETRY_AFTER later, as is a claim whose process died mid-upload, until the due window closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Date, ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.errors import Invalid
from models.groups import get_group
from models.people import Member
from models.vocab import STAGES

WEEKLY_DAY = 0  # Monday
WEEKLY_AT = time(8, 0)
# A tick this late still delivers the week's register (a restart, a slow deploy); later, that
# week is skipped rather than surprising coordinators with a "Monday" register on Tuesday.
DUE_WINDOW = timedelta(hours=12)
RETRY_AFTER = timedelta(minutes=10)  # a failed or abandoned delivery is tried again after this


class RegisterDelivery(Base):
    __tablename__ = "register_deliveries"
    __table_args__ = (UniqueConstraint("week_of", "member_id", name="uq_register_deliveries_week_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week_of: Mapped[date] = mapped_column(Date)  # the Monday, in SPINDLE_TIMEZONE
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(500))


class ProcessedDelivery(Base):
    """Slack deliveries already acted on (event IDs, view submissions, button clicks).

    Slack retries an event when our answer was slow; the unique key makes the retry a no-op.
    """

    __tablename__ = "processed_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def due_week(now: datetime, timezone: str) -> date | None:
    """The Monday whose register is due at `now`, or None outside Monday 08:00 + DUE_WINDOW (local).

    08:00 exists on every day in every zone we care about (clocks change at night), and the
    comparison is made on the local wall clock, so it stays 08:00 across daylight-saving changes.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=(local.weekday() - WEEKLY_DAY) % 7)
    due = datetime.combine(monday, WEEKLY_AT, tzinfo=zone)
    return monday if due <= local < due + DUE_WINDOW else None


def claim_weekly(session: Session, week_of: date, now: datetime) -> list[str]:
    """Claim this week's delivery for every coordinator who still needs it; the claimed member ids.

    New rows are inserted in a savepoint each (a concurrent twin's insert wins, ours is dropped).
    A row without `delivered_at` whose claim is older than RETRY_AFTER (the upload failed, or its
    process died) is taken over with a compare-and-set on `claimed_at`. Commit before uploading.
    """
    coordinators = session.scalars(
        select(Member.id).where(Member.is_coordinator.is_(True), Member.forgotten.is_(False)).order_by(Member.id)
    ).all()
    rows = {
        r.member_id: (r.id, r.claimed_at, r.delivered_at)
        for r in session.execute(
            select(
                RegisterDelivery.id,
                RegisterDelivery.member_id,
                RegisterDelivery.claimed_at,
                RegisterDelivery.delivered_at,
            ).where(RegisterDelivery.week_of == week_of)
        )
    }
    claimed: list[str] = []
    for member_id in coordinators:
        existing = rows.get(member_id)
        if existing is None:
            try:
                with session.begin_nested():
                    session.add(RegisterDelivery(week_of=week_of, member_id=member_id, claimed_at=now))
                    session.flush()
            except IntegrityError:
                continue
            claimed.append(member_id)
            continue
        row_id, claimed_at, delivered_at = existing
        if delivered_at is not None or now - claimed_at < RETRY_AFTER:
            continue
        taken = cast(  # DML answers with a CursorResult (typed as Result)
            CursorResult[Any],
            session.execute(
                update(RegisterDelivery)
                .where(
                    RegisterDelivery.id == row_id,
                    RegisterDelivery.claimed_at == claimed_at,
                    RegisterDelivery.delivered_at.is_(None),
                )
                .values(claimed_at=now),
                execution_options={"synchronize_session": False},
            ),
        )
        if taken.rowcount == 1:
            claimed.append(member_id)
    return claimed


def record_delivery(
    session: Session,
    week_of: date,
    member_id: str,
    now: datetime,
    *,
    file_id: str | None = None,
    error: str | None = None,
) -> None:
    """The outcome of one claimed delivery: delivered (with the file id) or the error to retry after."""
    values: dict[str, object] = {"error": error[:500] if error else None}
    if error is None:
        values.update(delivered_at=now, file_id=(file_id or "")[:32] or None)
    session.execute(
        update(RegisterDelivery)
        .where(RegisterDelivery.week_of == week_of, RegisterDelivery.member_id == member_id)
        .values(**values),
        execution_options={"synchronize_session": False},
    )


# --- what a register covers ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    handle: str | None = None  # normalised, lower-case
    stage: str | None = None

    def describe(self) -> str:
        parts = [f"group {self.handle}"] if self.handle else []
        if self.stage:
            parts.append(f"stage {self.stage}")
        return ", ".join(parts) if parts else "none (the whole register)"

    def slug(self) -> str:
        return "".join(f"-{p}" for p in (self.handle, self.stage) if p)


@dataclass
class RegisterCounts:
    innovations: int = 0
    stage_changes: int = 0
    groups: int = 0
    per_stage: dict[str, int] = field(default_factory=dict)
    per_group: list[tuple[str, int]] = field(default_factory=list)


def check_filters(session: Session, handle: str | None, stage: str | None) -> tuple[Filters, int | None]:
    """Normalised filters and the group's id; DomainError for an unknown group or stage.

    Archived groups are accepted: their history is part of the register.
    """
    group_id = None
    if handle:
        group = get_group(session, handle, include_archived=True)
        handle, group_id = group.handle, group.id
    if stage is not None:
        stage = stage.strip().lower()
        if stage not in STAGES:
            raise Invalid("innovation.not_a_stage", stage=stage[:40])
    return Filters(handle or None, stage or None), group_id
