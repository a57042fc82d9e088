"""Claims for the weekly register delivery: one row per (week, coordinator)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


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
