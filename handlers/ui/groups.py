"""The words and Block Kit for action groups."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.ui import words
from handlers.ui.common import context, escape, header, line_sections, section, shorten
from handlers.ui.people import language_name
from handlers.ui.standups import days_text, due_times
from i18n import _, n_
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
    return _(
        "Action group `{handle}` is created. Members join with `/spindle group join {handle}`; "
        "give it a lead with `/spindle group lead {handle} @person`."
    ).format(handle=group.handle)


def joined(group: GroupJoined) -> str:
    if group.channel_id:
        return _(
            "Welcome to `{handle}`! Its channel is <#{channel}>. Log what you explore with `/spindle log {handle} TITLE`."
        ).format(handle=group.handle, channel=group.channel_id)
    return _("Welcome to `{handle}`! Log what you explore with `/spindle log {handle} TITLE`.").format(
        handle=group.handle
    )


def left(group: GroupLeft) -> str:
    return _("You left `{handle}`. Its history keeps what you contributed.").format(handle=group.handle)


def channel_linked(linked: ChannelLinked) -> str:
    return _(
        "`{handle}` is now linked to <#{channel}>: new innovations and stand-ups appear here. "
        "Invite me to this channel (`/invite @Spindle Bot`) if I am not in it yet."
    ).format(handle=linked.handle, channel=linked.channel_id)


def language_set(result: GroupLanguageSet) -> str:
    return _("`{handle}` now posts in {language}: its innovation cards, stand-ups and summaries.").format(
        handle=result.handle, language=language_name(result.language)
    )


def group_language(info: GroupInfo) -> str:
    name = language_name(info.language)
    return name if info.language_chosen else _("{language} (the default)").format(language=name)


def lead_set(lead: LeadSet) -> str:
    return _("<@{user_id}> now leads `{handle}`.").format(user_id=lead.user_id, handle=lead.handle)


def archived(group: GroupArchived) -> str:
    return _("`{handle}` is archived: its history is kept and it has no more stand-ups.").format(handle=group.handle)


def _list_line(group: GroupSummary) -> str:
    channel = f"<#{group.channel_id}>" if group.channel_id else _("no channel")
    description = f" — {escape(shorten(group.description, 200))}" if group.description else ""
    members = n_("{n} member", "{n} members", group.members).format(n=group.members)
    return f"• *{group.handle}*{description}  ·  {members}  ·  {channel}"


def list_text(rows: Sequence[GroupSummary]) -> str:
    if not rows:
        return _("There are no action groups yet.")
    return n_("{n} action group", "{n} action groups", len(rows)).format(n=len(rows))


def list_blocks(rows: Sequence[GroupSummary]) -> list[dict] | None:
    if not rows:
        return None
    blocks = [header(_("Action groups ({n})").format(n=len(rows)))]
    blocks += line_sections([_list_line(g) for g in rows], max_blocks=48)
    blocks.append(context(_("Join one with `/spindle group join HANDLE`; details with `/spindle group info HANDLE`.")))
    return blocks


def schedule_lines(schedule: ScheduleSummary | None, reader_tz: str | None) -> list[str]:
    """The schedule and its next due times, in the group's zone and the reader's own."""
    if schedule is None:
        return [_("no schedule")]
    days = days_text(",".join(schedule.days))
    lines = [_("{days} at {time} ({zone})").format(days=days, time=schedule.local_time, zone=schedule.tz)]
    lines.append(_("Next ({zone}): {times}").format(zone=schedule.tz, times=due_times(schedule.upcoming, schedule.tz)))
    if reader_tz and reader_tz != schedule.tz:
        try:
            times = due_times(schedule.upcoming, reader_tz)
        except (KeyError, ValueError):  # a zone Slack knows and tzdata does not: show the group's only
            return lines
        lines.append(_("Your time ({zone}): {times}").format(zone=reader_tz, times=times))
    return lines


def info_text(info: GroupInfo) -> str:
    return _("Action group {handle}").format(handle=info.handle)


def _more_members(n: int) -> str:
    return n_("…and {n} more member.", "…and {n} more members.", n).format(n=n)


def info_blocks(info: GroupInfo) -> list[dict]:
    title = _("{handle}  (archived)").format(handle=info.handle) if info.archived else info.handle
    blocks = [header(title)]
    if info.description:
        blocks.append(section(escape(info.description)))
    lead = f"<@{info.lead_id}>" if info.lead_id else _("none yet")
    if info.channel_id:
        channel = f"<#{info.channel_id}>"
    else:
        channel = _("none linked (`/spindle group channel {handle}`)").format(handle=info.handle)
    posts = _("*Language of its posts:* {language}").format(language=group_language(info))
    blocks.append(section(_("*Lead:* {lead}\n*Channel:* {channel}").format(lead=lead, channel=channel) + f"\n{posts}"))
    if info.members:
        lines = [f"• <@{m.user_id}>" + (f" — {escape(m.organisation)}" if m.organisation else "") for m in info.members]
        blocks.append(section(_("*Members ({n})*").format(n=len(info.members))))
        blocks += line_sections(lines, max_blocks=30, overflow=_more_members)
    else:
        blocks.append(section(_("*Members:* none yet — `/spindle group join {handle}`").format(handle=info.handle)))
    schedule = "\n".join(schedule_lines(info.schedule, info.reader_tz))
    blocks.append(section(_("*Stand-up:* {schedule}").format(schedule=schedule)))
    per_stage = "  ·  ".join(f"{words.stage(stage)} {n}" for stage, n in info.stage_counts if n)
    innovations = _("*Innovations ({n}):* {stages}").format(
        n=info.innovations, stages=per_stage or _("none logged yet")
    )
    blocks.append(section(innovations))
    return blocks[:50]
