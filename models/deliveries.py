"""At-most-once claims for Slack deliveries (event IDs, view submissions, button clicks).

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`), people double-click and
modals get submitted twice. A unique row per delivery key makes the second arrival a no-op,
across threads and across processes sharing one database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.register import ProcessedDelivery

MAX_KEY = 200  # the column's length
KEEP_FOR = timedelta(days=7)  # Slack retries within minutes; a week is ample for clicks and views


def claim_delivery(session: Session, key: str, now: datetime) -> bool:
    """True the first time `key` is claimed, False ever after.

    One `INSERT … ON CONFLICT DO NOTHING` (SQLite and PostgreSQL both have it): a duplicate inserts
    no row and raises nothing, so the caller's transaction stays usable, and two threads or
    processes racing for the same key cannot both win. Claim in the same transaction as the
    effect when you can: a rollback then frees the key again, so a failed attempt may be retried.
    """
    key = key[:MAX_KEY]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(ProcessedDelivery)
        .values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ProcessedDelivery.id)  # a row back only when ours was inserted (rowcount is -1 here)
    )
    return session.execute(stmt).first() is not None


def prune_deliveries(session: Session, now: datetime, keep: timedelta = KEEP_FOR) -> int:
    """Forget claims older than `keep`; returns how many went."""
    result = cast(  # DML answers with a CursorResult (typed as Result)
        CursorResult[Any], session.execute(delete(ProcessedDelivery).where(ProcessedDelivery.at < now - keep))
    )
    return result.rowcount or 0


class AlreadyDone(Exception):
    """The delivery (a click, a submission) was acted on before: this arrival must change nothing."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def claim_once(session: Session, key: str | None, now: datetime) -> None:
    """Claim `key` in the caller's transaction (None: nothing to claim); AlreadyDone the second time.

    A service that takes `once=` calls this first, so its effect and the claim commit together,
    and a refused or failed attempt leaves the key free for the person's next try.
    """
    if key is not None and not claim_delivery(session, key, now):
        raise AlreadyDone(key)
