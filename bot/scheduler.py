"""APScheduler wiring: one short interval job whose every tick asks the database what is due.

The scheduler keeps no state worth losing: each feature's tick claims its work through unique
rows, so a restart, a late tick or a second scheduler process never does anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from handlers.deps import Deps
from handlers.ui.exports import WEEKLY_BY
from services import deliveries, register, standups

log = logging.getLogger(__name__)
TICK_SECONDS = 30

TickJob = Callable[[Deps, datetime], None]


def tick_jobs() -> list[tuple[str, TickJob]]:
    """The features that have scheduled work, in the order a tick runs them."""
    return [("standups", standup_tick), ("weekly register", weekly_tick), ("delivery claims", prune_tick)]


def weekly_tick(deps: Deps, now: datetime) -> None:
    """Monday 08:00: the register to every coordinator, once per week (services/register.py)."""
    register.deliver_weekly(deps.uow, deps.messenger, deps.register_writer, now, made_by=WEEKLY_BY)


def prune_tick(deps: Deps, now: datetime) -> None:
    """Delivery claims older than a week go, so the table stays small."""
    deliveries.prune(deps.uow, now)


def standup_tick(deps: Deps, now: datetime) -> None:
    """Stand-ups through the paced messenger: the fan-out is spaced out within Slack's limits."""
    standups.tick(deps.uow, deps.paced_messenger, now)


def tick(deps: Deps) -> None:
    now = deps.clock.now()
    for name, job in tick_jobs():
        try:
            job(deps, now)
        except Exception:
            log.exception("scheduled job failed; the next tick retries", extra={"job": name})


def make_scheduler(deps: Deps, *, blocking: bool) -> BackgroundScheduler | BlockingScheduler:
    scheduler_cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_cls(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=TICK_SECONDS,
        args=[deps],
        id="tick",
        max_instances=1,  # a slow tick is never overlapped by the next one in this process
        coalesce=True,
        next_run_time=datetime.now().astimezone(),  # first tick at start: catch up on missed due times
        misfire_grace_time=None,
    )
    return scheduler
