"""Members and coordinators: org, coordinator add/remove/list; the Slack profile after the ack."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import CoordinatorAdd, CoordinatorList, CoordinatorRemove, SetOrg
from handlers.router import runs
from handlers.ui import people as ui
from services import people
from services.actor import Actor

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """No listeners beyond the `/spindle` subcommands."""


def actor(ctx: CommandContext) -> Actor:
    return Actor(ctx.user_id, ctx.user_name)


def refresh_profile_after(ctx: CommandContext) -> Callable[[], None]:
    """The work after the ack for a member whose Slack profile we lack (once per member)."""

    def refresh() -> None:
        try:
            people.refresh_profile(ctx.deps.uow, ctx.deps.messenger, ctx.user_id)
        except Exception as exc:  # a profile is nice to have; it must never break a command
            log.warning("profile refresh failed", extra={"user": ctx.user_id, "error": type(exc).__name__})

    return refresh


def reply(ctx: CommandContext, result: people.ActorResult, text: str, blocks: list[dict] | None = None) -> Reply:
    """A command's answer, fetching the actor's profile after the ack if the service says it is missing."""
    return Reply(text, blocks, after=refresh_profile_after(ctx) if result.profile_missing else None)


@runs(SetOrg)
def set_org(ctx: CommandContext, cmd: SetOrg) -> Reply:
    result = people.set_organisation(ctx.deps.uow, actor(ctx), cmd.organisation)
    return reply(ctx, result, ui.organisation_set(result))


@runs(CoordinatorAdd)
def coordinator_add(ctx: CommandContext, cmd: CoordinatorAdd) -> Reply:
    result = people.add_coordinator(ctx.deps.uow, actor(ctx), cmd.user_id)
    return reply(ctx, result, ui.coordinator_added(result))


@runs(CoordinatorRemove)
def coordinator_remove(ctx: CommandContext, cmd: CoordinatorRemove) -> Reply:
    result = people.remove_coordinator(ctx.deps.uow, actor(ctx), cmd.user_id)
    return reply(ctx, result, ui.coordinator_removed(result))


@runs(CoordinatorList)
def coordinator_list(ctx: CommandContext, cmd: CoordinatorList) -> Reply:
    result = people.list_coordinators(ctx.deps.uow, actor(ctx))
    return reply(ctx, result, ui.coordinators(result))
