"""Block Kit for action groups."""

from __future__ import annotations

from datetime import datetime

from handlers.ui import standups as standups_ui
from handlers.ui.common import context, escape, header, line_sections, section, shorten
from models.groups import Group, GroupSummary
from models.standups import StandupSchedule


def created(group: Group) -> str:
    return (
        f"Action group `{group.handle}` is created. Members join with `/spindle group join {group.handle}`; "
        f"give it a lead with `/spindle group lead {group.handle} @person`."
    )


def joined(group: Group) -> str:
    channel = f" Its channel is <#{group.channel_id}>." if group.channel_id else ""
    return f"Welcome to `{group.handle}`!{channel} Log what you explore with `/spindle log {group.handle} TITLE`."


def _list_line(group: GroupSummary) -> str:
    channel = f"<#{group.channel_id}>" if group.channel_id else "no channel"
    description = f" — {escape(shorten(group.description, 200))}" if group.description else ""
    plural = "member" if group.members == 1 else "members"
    return f"• *{group.handle}*{description}  ·  {group.members} {plural}  ·  {channel}"


def list_text(rows: list[GroupSummary]) -> str:
    if not rows:
        return "There are no action groups yet."
    return f"{len(rows)} action groups"


def list_blocks(rows: list[GroupSummary]) -> list[dict] | None:
    if not rows:
        return None
    blocks = [header(f"Action groups ({len(rows)})")]
    blocks += line_sections([_list_line(g) for g in rows], max_blocks=48)
    blocks.append(context("Join one with `/spindle group join HANDLE`; details with `/spindle group info HANDLE`."))
    return blocks


def info_blocks(
    group: Group, counts: dict[str, int], schedule: StandupSchedule | None, reader_tz: str | None, now: datetime
) -> list[dict]:
    title = f"{group.handle}" + ("  (archived)" if group.archived else "")
    blocks = [header(title)]
    if group.description:
        blocks.append(section(escape(group.description)))
    lead = f"<@{group.lead_id}>" if group.lead_id else "none yet"
    channel = f"<#{group.channel_id}>" if group.channel_id else "none linked (`/spindle group channel " + group.handle + "`)"
    blocks.append(section(f"*Lead:* {lead}\n*Channel:* {channel}"))
    members = [m.member for m in group.memberships]
    if members:
        lines = []
        for m in members:
            org = f" — {escape(m.organisation)}" if m.organisation and not m.forgotten else ""
            lines.append(f"• <@{m.id}>{org}")
        blocks.append(section(f"*Members ({len(members)})*"))
        blocks += line_sections(lines, max_blocks=30, overflow="…and {n} more members.")
    else:
        blocks.append(section(f"*Members:* none yet — `/spindle group join {group.handle}`"))
    blocks.append(section("*Stand-up:* " + "\n".join(standups_ui.schedule_lines(schedule, reader_tz, now))))
    total = sum(counts.values())
    per_stage = "  ·  ".join(f"{stage} {n}" for stage, n in counts.items() if n)
    blocks.append(section(f"*Innovations ({total}):* {per_stage or 'none logged yet'}"))
    return blocks[:50]
