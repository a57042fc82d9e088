"""At-most-once Slack deliveries for the event middleware, and the scheduler's clean-up of old claims."""

from __future__ import annotations

import logging
from datetime import datetime

from models.deliveries import claim_delivery, prune_deliveries
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


def claim(uow: UnitOfWork, key: str) -> bool:
    """True the first time a delivery key is seen (see models.deliveries); Unavailable without a database."""
    with uow.transaction() as session:
        return claim_delivery(session, key, uow.now())


def prune(uow: UnitOfWork, now: datetime) -> int:
    """Drop delivery claims older than a week, so the table stays small; how many went."""
    with uow.transaction() as session:
        removed = prune_deliveries(session, now)
    if removed:
        log.info("old delivery claims pruned", extra={"count": removed})
    return removed
