"""Action groups: new, list, info, join, leave, channel, lead, archive."""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import GroupArchive, GroupChannel, GroupInfo, GroupJoin, GroupLead, GroupLeave, GroupList, GroupNew
from handlers.router import executes
from handlers.ui import groups as ui
from models import groups as domain
from models.innovations import count_by_stage
from models.standups import get_schedule


def register(app: App, deps: Deps) -> None:
    """Groups have no listeners of their own beyond `/spindle group …` (see handlers/commands.py)."""


@executes(GroupNew)
def group_new(session, member, cmd: GroupNew, ctx: CommandContext) -> Reply:
    group = domain.create_group(session, member, cmd.handle, cmd.description, ctx.now)
    return Reply(ui.created(group))


@executes(GroupList)
def group_list(session, member, cmd: GroupList, ctx: CommandContext) -> Reply:
    rows = domain.list_groups(session)
    return Reply(ui.list_text(rows), ui.list_blocks(rows))


@executes(GroupInfo)
def group_info(session, member, cmd: GroupInfo, ctx: CommandContext) -> Reply:
    group = domain.get_group(session, cmd.handle, include_archived=member.is_coordinator)
    counts = count_by_stage(session, group.id)
    schedule = get_schedule(session, group.id)
    blocks = ui.info_blocks(group, counts, schedule, reader_tz=member.tz, now=ctx.now)
    return Reply(f"Action group {group.handle}", blocks)


@executes(GroupJoin)
def group_join(session, member, cmd: GroupJoin, ctx: CommandContext) -> Reply:
    group = domain.join_group(session, member, cmd.handle, ctx.now)
    return Reply(ui.joined(group))


@executes(GroupLeave)
def group_leave(session, member, cmd: GroupLeave, ctx: CommandContext) -> Reply:
    group = domain.leave_group(session, member, cmd.handle)
    return Reply(f"You left `{group.handle}`. Its history keeps what you contributed.")


@executes(GroupChannel)
def group_channel(session, member, cmd: GroupChannel, ctx: CommandContext) -> Reply:
    group = domain.link_channel(session, member, cmd.handle, ctx.channel_id)
    return Reply(
        f"`{group.handle}` is now linked to <#{group.channel_id}>: new innovations and stand-ups appear here. "
        "Invite me to this channel (`/invite @Spindle Bot`) if I am not in it yet."
    )


@executes(GroupLead)
def group_lead(session, member, cmd: GroupLead, ctx: CommandContext) -> Reply:
    group = domain.set_lead(session, member, cmd.handle, cmd.user_id, ctx.now)
    return Reply(f"<@{cmd.user_id}> now leads `{group.handle}`.")


@executes(GroupArchive)
def group_archive(session, member, cmd: GroupArchive, ctx: CommandContext) -> Reply:
    group = domain.archive_group(session, member, cmd.handle, ctx.now)
    return Reply(f"`{group.handle}` is archived: its history is kept and it has no more stand-ups.")
