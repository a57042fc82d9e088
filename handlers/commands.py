"""The one slash command, `/spindle`: route through the registry, run one feature, answer in the ack.

The subcommands are declared by the features (`COMMANDS` in handlers/groups.py, people.py,
innovations.py, standups.py, exports.py and privacy.py); this module only collects them, so
routing, every usage error and `/spindle help` come from those declarations.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import exports, groups, innovations, people, privacy, search, standups
from handlers.deps import CommandContext, Deps, Reply
from handlers.grammar import UsageError
from handlers.ratelimit import refusal
from handlers.registry import Registry, Subcommand
from handlers.ui import help as help_ui
from handlers.ui.errors import describe
from i18n import N_, _
from models.errors import DomainError, Unavailable
from services import people as people_service

log = logging.getLogger(__name__)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OOPS = N_(
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell a coordinator."
)


@dataclass(frozen=True)
class Help:
    topic: str = ""


def _parse_help(tail: str) -> Help:
    return Help(topic=tail.strip().lower()[:40])


def _help(ctx: CommandContext, cmd: Help) -> Reply:
    me = people_service.whoami(ctx.deps.uow, people.actor(ctx))
    sections = REGISTRY.help_sections(coordinator=me.is_coordinator)
    return people.reply(ctx, me, _(help_ui.HELP_TEXT), help_ui.help_blocks(sections, me.is_coordinator))


REGISTRY = Registry(
    commands=(
        Subcommand(("help",), "/spindle help", "", _parse_help, _help, "", hidden=True),
        *groups.COMMANDS,
        *people.COMMANDS,
        *innovations.COMMANDS,
        *standups.COMMANDS,
        *exports.COMMANDS,
        *privacy.COMMANDS,
        *search.COMMANDS,
    ),
    families=(groups.FAMILY, people.FAMILY, standups.FAMILY),
    aliases={"hulp": "help", "find": "search", "taal": "language"},
)


def parse(text: str) -> Any:
    """The typed command for `/spindle` text, or a `UsageError` (tests and benchmarks use it)."""
    return REGISTRY.parse(text)[1]


def register(app: App, deps: Deps) -> None:
    @app.command("/spindle")
    def spindle(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        reply = run_command(deps, command, client, respond)
        ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
        if reply.after is not None:  # after the ack: modals, cards, the register, a new member's profile
            try:
                reply.after()
            except Exception:
                log.exception("follow-up failed", extra={"user": command.get("user_id")})
                respond(response_type="ephemeral", replace_original=False, text=_(OOPS))


def run_command(deps: Deps, command: dict[str, Any], client: WebClient, respond: Respond) -> Reply:
    """Everything before the ack: rate limit, route, run the feature, render. Never raises."""
    user_id = command.get("user_id", "")
    # Control characters (NUL above all: PostgreSQL refuses it in text) never mean anything here.
    text = CONTROL_CHARS.sub("", command.get("text", "") or "")
    if deps.rate_limiter is not None:  # before parsing: a flood costs no parsing and no database work
        wait = deps.rate_limiter.take(user_id)
        if wait:
            log.info("command rate-limited", extra={"user": user_id})
            return Reply(refusal(wait))
    try:
        sub, parsed = REGISTRY.parse(text)
    except UsageError as exc:
        return Reply(exc.message)
    ctx = CommandContext(
        deps=deps,
        client=client,
        user_id=user_id,
        user_name=command.get("user_name", "") or "",
        channel_id=command.get("channel_id", ""),
        trigger_id=command.get("trigger_id", ""),
        now=deps.clock.now(),
        respond=respond,
        logger=log,
    )
    try:
        return sub.run(ctx, parsed)
    except Unavailable as exc:
        log.warning("database unavailable", extra={"command": sub.name})
        return Reply(describe(exc))
    except DomainError as exc:
        return Reply(describe(exc))
    except Exception:
        log.exception("command failed", extra={"command": sub.name, "user": user_id})
        return Reply(_(OOPS))
