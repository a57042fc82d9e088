"""At-most-once claims for Slack deliveries (event IDs, view submissions, button clicks).

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`), people double-click and
modals get submitted twice. A unique row per delivery key makes the second arrival a no-op,
across threads and across processes sharing one database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.register import ProcessedDelivery

MAX_KEY = 200  # the column's length
KEEP_FOR = timedelta(days=7)  # Slack retries within minutes; a week is ample for clicks and views


def claim_delivery(session: Session, key: str, now: datetime) -> bool:
    """True the first time `key` is claimed, False ever after.

    The insert runs in a savepoint, so a duplicate leaves the caller's transaction usable.
    Claim in the same transaction as the effect when you can: a rollback then frees the key
    again, so a failed attempt may be retried.
    """
    key = key[:MAX_KEY]
    if session.scalar(select(ProcessedDelivery.id).where(ProcessedDelivery.key == key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedDelivery(key=key, at=now))
    except IntegrityError:
        # Another thread or process claimed it between our SELECT and INSERT.
        return False
    return True


def prune_deliveries(session: Session, now: datetime, keep: timedelta = KEEP_FOR) -> int:
    """Forget claims older than `keep`; returns how many went."""
    result = session.execute(delete(ProcessedDelivery).where(ProcessedDelivery.at < now - keep))
    return result.rowcount or 0
