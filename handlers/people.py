"""Members and coordinators: org, coordinator add/remove/list."""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import CoordinatorAdd, CoordinatorList, CoordinatorRemove, SetOrg
from handlers.router import executes
from handlers.ui.common import escape
from models import people as domain


def register(app: App, deps: Deps) -> None:
    """No listeners beyond the `/spindle` subcommands."""


@executes(SetOrg)
def set_org(session, member, cmd: SetOrg, ctx: CommandContext) -> Reply:
    organisation = domain.set_organisation(session, member, cmd.organisation)
    return Reply(f"Your organisation is now *{escape(organisation)}*.")


@executes(CoordinatorAdd)
def coordinator_add(session, member, cmd: CoordinatorAdd, ctx: CommandContext) -> Reply:
    domain.add_coordinator(session, member, cmd.user_id, ctx.now)
    return Reply(f"<@{cmd.user_id}> is now a coordinator.")


@executes(CoordinatorRemove)
def coordinator_remove(session, member, cmd: CoordinatorRemove, ctx: CommandContext) -> Reply:
    domain.remove_coordinator(session, member, cmd.user_id, ctx.now)
    return Reply(
        f"<@{cmd.user_id}> is no longer a coordinator. "
        "(Anyone listed in SPINDLE_COORDINATORS becomes one again when the bot restarts.)"
    )


@executes(CoordinatorList)
def coordinator_list(session, member, cmd: CoordinatorList, ctx: CommandContext) -> Reply:
    coordinators = domain.list_coordinators(session)
    if not coordinators:
        return Reply("There are no coordinators yet. Set SPINDLE_COORDINATORS to name the first ones.")
    return Reply("Coordinators: " + ", ".join(f"<@{c.id}>" for c in coordinators))
