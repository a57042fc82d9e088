"""What the listeners need from the composition root, and the shapes they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from models.clock import Clock
from models.db import Database


@dataclass
class Deps:
    db: Database
    clock: Clock
    timezone: str  # SPINDLE_TIMEZONE
    client: WebClient  # the bot's Web API client (the scheduler uses it outside requests)
    extras: dict[str, Any] = field(default_factory=dict)  # feature-owned collaborators (pacers, …)


@dataclass
class Reply:
    """What a command answers, ephemerally, in its ack; `after` runs once the ack is sent."""

    text: str
    blocks: list[dict] | None = None
    after: Callable[[], None] | None = None


@dataclass
class CommandContext:
    deps: Deps
    client: WebClient
    user_id: str
    channel_id: str
    trigger_id: str
    now: datetime
    respond: Callable[..., Any]  # Bolt's respond(): an ephemeral follow-up through response_url
    logger: Any
