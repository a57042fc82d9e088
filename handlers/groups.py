"""Action groups: new, list, info, join, leave, channel, language, lead, archive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.grammar import UsageError
from handlers.people import actor, reply
from handlers.registry import Family, Subcommand
from handlers.ui import groups as ui
from i18n import N_, _
from services import groups


def register(app: App, deps: Deps) -> None:
    """Groups have no listeners of their own beyond `/spindle group …` (see handlers/commands.py)."""


def group_new(ctx: CommandContext, cmd: GroupNew) -> Reply:
    result = groups.create_group(ctx.deps.uow, actor(ctx), cmd.handle, cmd.description)
    return reply(ctx, result, ui.created(result))


def group_list(ctx: CommandContext, cmd: GroupList) -> Reply:
    result = groups.list_groups(ctx.deps.uow, actor(ctx))
    return reply(ctx, result, ui.list_text(result.rows), ui.list_blocks(result.rows))


def group_info(ctx: CommandContext, cmd: GroupInfo) -> Reply:
    result = groups.group_info(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.info_text(result), ui.info_blocks(result))


def group_join(ctx: CommandContext, cmd: GroupJoin) -> Reply:
    result = groups.join_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.joined(result))


def group_leave(ctx: CommandContext, cmd: GroupLeave) -> Reply:
    result = groups.leave_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.left(result))


def group_channel(ctx: CommandContext, cmd: GroupChannel) -> Reply:
    result = groups.link_channel(ctx.deps.uow, actor(ctx), cmd.handle, ctx.channel_id)
    return reply(ctx, result, ui.channel_linked(result))


def group_language(ctx: CommandContext, cmd: GroupLanguage) -> Reply:
    result = groups.set_language(ctx.deps.uow, actor(ctx), cmd.handle, cmd.language)
    return reply(ctx, result, ui.language_set(result))


def group_lead(ctx: CommandContext, cmd: GroupLead) -> Reply:
    result = groups.set_lead(ctx.deps.uow, actor(ctx), cmd.handle, cmd.user_id)
    return reply(ctx, result, ui.lead_set(result))


def group_archive(ctx: CommandContext, cmd: GroupArchive) -> Reply:
    result = groups.archive_group(ctx.deps.uow, actor(ctx), cmd.handle)
    return reply(ctx, result, ui.archived(result))


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class GroupNew:
    handle: str
    description: str = ""


@dataclass(frozen=True)
class GroupList:
    pass


@dataclass(frozen=True)
class GroupInfo:
    handle: str


@dataclass(frozen=True)
class GroupJoin:
    handle: str


@dataclass(frozen=True)
class GroupLeave:
    handle: str


@dataclass(frozen=True)
class GroupChannel:
    handle: str


@dataclass(frozen=True)
class GroupLanguage:
    handle: str
    language: str  # as typed: the domain checks it


@dataclass(frozen=True)
class GroupLead:
    handle: str
    user_id: str


@dataclass(frozen=True)
class GroupArchive:
    handle: str


def _parse_new(tail: str) -> GroupNew:
    words = g.split(tail, 1)
    if not words:
        raise UsageError(_("Missing the group's HANDLE."))
    description = g.free_text(words[1] if len(words) > 1 else "", _("description"), required=False, limit=300)
    return GroupNew(g.handle(words[0]), description)


def _parse_list(tail: str) -> GroupList:
    g.nothing(tail.split(), "group list")
    return GroupList()


def _by_handle(command: type) -> Callable[[str], Any]:
    def parse(tail: str) -> Any:
        return command(g.handle(g.one(tail.split(), "HANDLE")))

    return parse


def _parse_language(tail: str) -> GroupLanguage:
    words = tail.split()
    if len(words) != 2:
        raise UsageError(_("Give the group's HANDLE and its language: `en` or `nl`."))
    return GroupLanguage(g.handle(words[0]), words[1])


def _parse_lead(tail: str) -> GroupLead:
    words = tail.split()
    if len(words) < 2:
        raise UsageError(_("Give the group's HANDLE and @mention the new lead."))
    if len(words) > 2:
        raise UsageError(_("Mention one person only."))
    return GroupLead(g.handle(words[0]), g.mention(words[1]))


GROUPS = N_("Action groups")
FAMILY = Family(
    "group",
    missing=N_("Say what to do with groups: {subs}."),
    unknown=N_("`group {word}` is not a group command."),
    usage_of="group list",
    aliases=("groups",),
)
COMMANDS = (
    Subcommand(
        ("group", "new"),
        N_("/spindle group new HANDLE [DESCRIPTION]"),
        N_("create an action group"),
        _parse_new,
        group_new,
        GROUPS,
        coordinator=True,
    ),
    Subcommand(("group", "list"), N_("/spindle group list"), N_("active groups"), _parse_list, group_list, GROUPS),
    Subcommand(
        ("group", "info"),
        N_("/spindle group info HANDLE"),
        N_("members, lead, channel, stand-up, innovations"),
        _by_handle(GroupInfo),
        group_info,
        GROUPS,
    ),
    Subcommand(
        ("group", "join"),
        N_("/spindle group join HANDLE"),
        N_("join a group"),
        _by_handle(GroupJoin),
        group_join,
        GROUPS,
    ),
    Subcommand(
        ("group", "leave"),
        N_("/spindle group leave HANDLE"),
        N_("leave it"),
        _by_handle(GroupLeave),
        group_leave,
        GROUPS,
    ),
    Subcommand(
        ("group", "channel"),
        N_("/spindle group channel HANDLE"),
        N_("lead: link this channel"),
        _by_handle(GroupChannel),
        group_channel,
        GROUPS,
    ),
    Subcommand(
        ("group", "language"),
        "/spindle group language HANDLE nl|en",
        N_("lead: the language of its channel posts"),
        _parse_language,
        group_language,
        GROUPS,
    ),
    Subcommand(
        ("group", "lead"),
        N_("/spindle group lead HANDLE @person"),
        N_("make a member the group's lead"),
        _parse_lead,
        group_lead,
        GROUPS,
        coordinator=True,
    ),
    Subcommand(
        ("group", "archive"),
        N_("/spindle group archive HANDLE"),
        N_("archive (history kept)"),
        _by_handle(GroupArchive),
        group_archive,
        GROUPS,
        coordinator=True,
    ),
)
