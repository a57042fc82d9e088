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
    return reply(ctx, ui.created(groups.create_group(ctx.deps.uow, actor(ctx), cmd.handle, cmd.description)))


@runs(GroupList)
def group_list(ctx: CommandContext, cmd: GroupList) -> Reply:
    rows = groups.list_groups(ctx.deps.uow, actor(ctx))
    return reply(ctx, ui.list_text(rows), ui.list_blocks(rows))


@runs(GroupInfo)
def group_info(ctx: CommandContext, cmd: GroupInfo) -> Reply:
    info = groups.group_info(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, ui.info_text(info), ui.info_blocks(info))


@runs(GroupJoin)
def group_join(ctx: CommandContext, cmd: GroupJoin) -> Reply:
    return reply(ctx, ui.joined(groups.join_group(ctx.deps.uow, actor(ctx), cmd.handle)))


@runs(GroupLeave)
def group_leave(ctx: CommandContext, cmd: GroupLeave) -> Reply:
    return reply(ctx, ui.left(groups.leave_group(ctx.deps.uow, actor(ctx), cmd.handle)))


@runs(GroupChannel)
def group_channel(ctx: CommandContext, cmd: GroupChannel) -> Reply:
    return reply(ctx, ui.channel_linked(groups.link_channel(ctx.deps.uow, actor(ctx), cmd.handle, ctx.channel_id)))


@runs(GroupLead)
def group_lead(ctx: CommandContext, cmd: GroupLead) -> Reply:
    return reply(ctx, ui.lead_set(groups.set_lead(ctx.deps.uow, actor(ctx), cmd.handle, cmd.user_id)))


@runs(GroupArchive)
def group_archive(ctx: CommandContext, cmd: GroupArchive) -> Reply:
    return reply(ctx, ui.archived(groups.archive_group(ctx.deps.uow, actor(ctx), cmd.handle)))
