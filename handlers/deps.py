"""What the listeners need from the composition root, and the shapes they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from handlers.ratelimit import RateLimiter
from handlers.slack_messenger import Pacer, SlackMessenger
from models.clock import Clock
from models.db import Database
from services.ports import RegisterImporter, RegisterWriter
from services.uow import UnitOfWork


def run_inline(fn: Callable[[], object]) -> None:
    fn()


@dataclass
class Deps:
    db: Database
    clock: Clock
    timezone: str  # SPINDLE_TIMEZONE
    client: WebClient  # the bot's Web API client (the scheduler uses it outside requests)
    uow: UnitOfWork
    messenger: SlackMessenger  # unpaced: cards, replies, DMs, uploads, the Home tab
    pacer: Pacer  # spaces out the stand-up fan-out and thread replies
    paced_messenger: SlackMessenger  # the same client behind the pacer, for stand-ups
    register_writer: RegisterWriter  # the workbook (exports/), for the export command and the weekly tick
    register_importer: RegisterImporter | None = None  # reads a workbook sent to the bot (exports/)
    rate_limiter: RateLimiter | None = None  # SPINDLE_RATE_LIMIT; None: no limit
    # Where paced work after an ack runs (bot/app.ListenerExecutor.paced); inline when unset.
    defer_paced: Callable[[Callable[[], object]], None] = run_inline

    @classmethod
    def build(
        cls,
        db: Database,
        clock: Clock,
        timezone: str,
        client: WebClient,
        register_writer: RegisterWriter,
        rate_limiter: RateLimiter | None = None,
        register_importer: RegisterImporter | None = None,
        language: str = "en",
    ) -> Deps:
        pacer = Pacer()
        return cls(
            db=db,
            clock=clock,
            timezone=timezone,
            client=client,
            uow=UnitOfWork(db, clock, timezone, language),
            messenger=SlackMessenger(client),
            pacer=pacer,
            paced_messenger=SlackMessenger(client, pacer),
            register_writer=register_writer,
            register_importer=register_importer,
            rate_limiter=rate_limiter,
        )


@dataclass
class Reply:
    """What a command answers, ephemerally, in its ack; `after` runs once the ack is sent."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    after: Callable[[], None] | None = None


@dataclass
class CommandContext:
    """One `/spindle` request as the feature handlers see it (no session: services own those)."""

    deps: Deps
    client: WebClient
    user_id: str
    user_name: str  # the slash payload's user_name: a first name until users.info answers
    channel_id: str
    trigger_id: str
    now: datetime
    respond: Callable[..., Any]  # Bolt's respond(): an ephemeral follow-up through response_url
    logger: Any
