"""Action groups: new, list, info, join, leave, channel, lead, archive."""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import GroupArchive, GroupChannel, GroupInfo, GroupJoin, GroupLead, GroupLeave, GroupList, GroupNew
from handlers.people import actor, reply
from handlers.router import runs
from handlers.ui import groups as ui
from services import groups


def register(app: App, deps: Deps) -> None:
    """Groups have no listeners of their own beyond `/spindle group …` (see handlers/commands.py)."""


@runs(GroupNew)
def group_new(ctx: CommandContext, cmd: GroupNew) -> Reply:
    result = groups.create_group(ctx.deps.uow, actor(ctx), cmd.handle, cmd.description)
    return reply(ctx, result, ui.created(result))


@runs(GroupList)
def group_list(ctx: CommandContext, cmd: GroupList) -> Reply:
    result = groups.list_groups(ctx.deps.uow, actor(ctx))
    return reply(ctx, result, ui.list_text(result.rows), ui.list_blocks(result.rows))


@runs(GroupInfo)
def group_info(ctx: CommandContext, cmd: GroupInfo) -> Reply:
    result = groups.group_info(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.info_text(result), ui.info_blocks(result))


@runs(GroupJoin)
def group_join(ctx: CommandContext, cmd: GroupJoin) -> Reply:
    result = groups.join_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.joined(result))


@runs(GroupLeave)
def group_leave(ctx: CommandContext, cmd: GroupLeave) -> Reply:
    result = groups.leave_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.left(result))


@runs(GroupChannel)
def group_channel(ctx: CommandContext, cmd: GroupChannel) -> Reply:
    result = groups.link_channel(ctx.deps.uow, actor(ctx), cmd.handle, ctx.channel_id)
    return reply(ctx, result, ui.channel_linked(result))


@runs(GroupLead)
def group_lead(ctx: CommandContext, cmd: GroupLead) -> Reply:
    result = groups.set_lead(ctx.deps.uow, actor(ctx), cmd.handle, cmd.user_id)
    return reply(ctx, result, ui.lead_set(result))


@runs(GroupArchive)
def group_archive(ctx: CommandContext, cmd: GroupArchive) -> Reply:
    result = groups.archive_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.archived(result))
