"""The one slash command, `/spindle`: parse, run one transaction, answer in the ack."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import ratelimit
from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import Help, UsageError, parse
from handlers.router import EXECUTORS, RUNNERS, executes
from handlers.ui import help as help_ui
from handlers.ui.errors import describe
from models.errors import DomainError, Unavailable
from models.people import ensure_member, update_profile

log = logging.getLogger(__name__)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OOPS = "Sorry, something went wrong on my side and nothing was changed. Please try again; if it keeps happening, tell a coordinator."


def register(app: App, deps: Deps) -> None:
    @app.command("/spindle")
    def spindle(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        reply, needs_profile = run_command(deps, command, client, respond)
        ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
        if needs_profile:
            refresh_profile(deps, client, command.get("user_id", ""))
        if reply.after is not None:
            try:
                reply.after()
            except Exception:
                log.exception("follow-up failed", extra={"user": command.get("user_id")})
                respond(response_type="ephemeral", replace_original=False, text=OOPS)


def run_command(deps: Deps, command: dict, client: WebClient, respond: Respond) -> tuple[Reply, bool]:
    """Everything before the ack: parse, authorise, change, render. Never raises.

    Returns the reply and whether the member's Slack profile still needs fetching.
    """
    user_id = command.get("user_id", "")
    # Control characters (NUL above all: PostgreSQL refuses it in text) never mean anything here.
    text = CONTROL_CHARS.sub("", command.get("text", "") or "")
    limiter = deps.rate_limiter
    if limiter is not None:  # before parsing: a flood costs no parsing and no database work
        wait = limiter.take(user_id)
        if wait:
            log.info("command rate-limited", extra={"user": user_id})
            return Reply(ratelimit.refusal(wait)), False
    try:
        parsed = parse(text)
    except UsageError as exc:
        return Reply(exc.message), False
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
    runner = RUNNERS.get(type(parsed))
    if runner is not None:
        try:
            return runner(ctx, parsed), False  # the runner's service refreshes the profile (TRANSITION)
        except Unavailable as exc:
            log.warning("database unavailable", extra={"command": type(parsed).__name__})
            return Reply(describe(exc)), False
        except DomainError as exc:
            return Reply(describe(exc)), False
        except Exception:
            log.exception("command failed", extra={"command": type(parsed).__name__, "user": user_id})
            return Reply(OOPS), False
    executor = EXECUTORS.get(type(parsed))
    if executor is None:  # parsed but not built yet: say so rather than fail
        return Reply(f"`/spindle {text.split()[0] if text.split() else ''}` is not available yet."), False
    try:
        with deps.db.transaction() as session:
            member, _ = ensure_member(session, user_id, ctx.now, name=command.get("user_name", ""))
            needs_profile = not member.profile_fetched and not member.forgotten
            return executor(session, member, parsed, ctx), needs_profile
    except Unavailable as exc:
        log.warning("database unavailable", extra={"command": type(parsed).__name__})
        return Reply(describe(exc)), False
    except DomainError as exc:
        return Reply(describe(exc)), False
    except Exception:
        log.exception("command failed", extra={"command": type(parsed).__name__, "user": user_id})
        return Reply(OOPS), False


def refresh_profile(deps: Deps, client: WebClient, user_id: str) -> None:
    """Name and time zone from `users.info`, once per member; a failure only means we try next time."""
    try:
        info = client.users_info(user=user_id)
        user = info.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        with deps.db.transaction() as session:
            update_profile(session, user_id, name, user.get("tz"))
    except (SlackApiError, DomainError) as exc:
        log.warning("users.info failed; will retry on next contact", extra={"user": user_id, "error": str(exc)[:200]})
    except Exception as exc:  # a profile is nice to have; it must never break a command
        log.warning("profile refresh failed", extra={"user": user_id, "error": type(exc).__name__})


@executes(Help)
def help_(session, member, cmd: Help, ctx: CommandContext) -> Reply:
    return Reply(help_ui.HELP_TEXT, help_ui.help_blocks(member.is_coordinator))
