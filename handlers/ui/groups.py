"""The words and Block Kit for action groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.ui.common import context, escape, header, line_sections, section, shorten
from handlers.ui.people import language_name
from handlers.ui.standups import days_text
from i18n import _
from models.groups import GroupSummary
from services.groups import (
    ChannelLinked,
    GroupArchived,
    GroupCreated,
    GroupInfo,
    GroupJoined,
    GroupLanguageSet,
    GroupLeft,
    LeadSet,
    ScheduleSummary,
)


def created(group: GroupCreated) -> str:
    return (
        f"Action group `{group.handle}` is created. Members join with `/spindle group join {group.handle}`; "
        f"give it a lead with `/spindle group lead {group.handle} @person`."
    )


def joined(group: GroupJoined) -> str:
    channel = f" Its channel is <#{group.channel_id}>." if group.channel_id else ""
    return f"Welcome to `{group.handle}`!{channel} Log what you explore with `/spindle log {group.handle} TITLE`."


def left(group: GroupLeft) -> str:
    return f"You left `{group.handle}`. Its history keeps what you contributed."


def channel_linked(linked: ChannelLinked) -> str:
    return (
        f"`{linked.handle}` is now linked to <#{linked.channel_id}>: new innovations and stand-ups appear here. "
        "Invite me to this channel (`/invite @Spindle Bot`) if I am not in it yet."
    )


def language_set(result: GroupLanguageSet) -> str:
    return _("`{handle}` now posts in {language}: its innovation cards, stand-ups and summaries.").format(
        handle=result.handle, language=language_name(result.language)
    )


def group_language(info: GroupInfo) -> str:
    name = language_name(info.language)
    return name if info.language_chosen else _("{language} (the default)").format(language=name)


def lead_set(lead: LeadSet) -> str:
    return f"<@{lead.user_id}> now leads `{lead.handle}`."


def archived(group: GroupArchived) -> str:
    return f"`{group.handle}` is archived: its history is kept and it has no more stand-ups."


def _list_line(group: GroupSummary) -> str:
    channel = f"<#{group.channel_id}>" if group.channel_id else "no channel"
    description = f" — {escape(shorten(group.description, 200))}" if group.description else ""
    plural = "member" if group.members == 1 else "members"
    return f"• *{group.handle}*{description}  ·  {group.members} {plural}  ·  {channel}"


def list_text(rows: Sequence[GroupSummary]) -> str:
    if not rows:
        return "There are no action groups yet."
    return f"{len(rows)} action groups"


def list_blocks(rows: Sequence[GroupSummary]) -> list[dict] | None:
    if not rows:
        return None
    blocks = [header(f"Action groups ({len(rows)})")]
    blocks += line_sections([_list_line(g) for g in rows], max_blocks=48)
    blocks.append(context("Join one with `/spindle group join HANDLE`; details with `/spindle group info HANDLE`."))
    return blocks


def _when(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def schedule_lines(schedule: ScheduleSummary | None, reader_tz: str | None) -> list[str]:
    """The schedule and its next due times, in the group's zone and the reader's own."""
    if schedule is None:
        return ["no schedule"]
    lines = [f"{days_text(','.join(schedule.days))} at {schedule.local_time} ({schedule.tz})"]
    lines.append(f"Next ({schedule.tz}): " + "  ·  ".join(_when(d, schedule.tz) for d in schedule.upcoming))
    if reader_tz and reader_tz != schedule.tz:
        try:
            lines.append(f"Your time ({reader_tz}): " + "  ·  ".join(_when(d, reader_tz) for d in schedule.upcoming))
        except (KeyError, ValueError):  # a zone Slack knows and tzdata does not: show the group's only
            pass
    return lines


def info_text(info: GroupInfo) -> str:
    return f"Action group {info.handle}"


def info_blocks(info: GroupInfo) -> list[dict]:
    title = f"{info.handle}" + ("  (archived)" if info.archived else "")
    blocks = [header(title)]
    if info.description:
        blocks.append(section(escape(info.description)))
    lead = f"<@{info.lead_id}>" if info.lead_id else "none yet"
    channel = f"<#{info.channel_id}>" if info.channel_id else f"none linked (`/spindle group channel {info.handle}`)"
    posts = _("*Language of its posts:* {language}").format(language=group_language(info))
    blocks.append(section(f"*Lead:* {lead}\n*Channel:* {channel}\n{posts}"))
    if info.members:
        lines = [f"• <@{m.user_id}>" + (f" — {escape(m.organisation)}" if m.organisation else "") for m in info.members]
        blocks.append(section(f"*Members ({len(info.members)})*"))
        blocks += line_sections(lines, max_blocks=30, overflow="…and {n} more members.")
    else:
        blocks.append(section(f"*Members:* none yet — `/spindle group join {info.handle}`"))
    blocks.append(section("*Stand-up:* " + "\n".join(schedule_lines(info.schedule, info.reader_tz))))
    per_stage = "  ·  ".join(f"{stage} {n}" for stage, n in info.stage_counts if n)
    blocks.append(section(f"*Innovations ({info.innovations}):* {per_stage or 'none logged yet'}"))
    return blocks[:50]
