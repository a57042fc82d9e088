"""The audit trail: who did what, for coordinator and lead actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime


class AuditEntry(Base):
    """Who did what, for coordinator actions (export, archive, coordinator changes)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


def audit(session: Session, now: datetime, actor_id: str | None, action: str, detail: str = "") -> None:
    session.add(AuditEntry(at=now, actor_id=actor_id, action=action, detail=detail[:2000]))
