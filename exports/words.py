"""The register's own words: titles, labels, counts lines and file names (English for now).

The Slack replies about the register live in handlers/ui/exports.py; what is written into the
workbook, and what the CLI prints, lives here, so a translation has one place to fill.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from exports.queries import Filters, RegisterCounts
from models.standups import StandupSchedule

TITLE = "Innovation register — The Spindle"
MADE_BY_CLI = "command line"
MADE_BY_WEEKLY = "Spindle Bot (weekly delivery)"
PAGE_FOOTER = "Page &P of &N"  # Excel's header/footer codes: page number and page count

SUMMARY_LABELS = {
    "made_on": "Made on",
    "made_by": "Made by",
    "filters": "Filters",
    "zone": "Dates are in",
    "innovations": "Innovations",
    "stage_changes": "Stage changes",
    "stage": "Stage",
    "group": "Action group",
}
CHART_STAGES = "Innovations per stage"
CHART_GROUPS = "Innovations per action group"
CHART_AXIS = "Innovations"
NO_INNOVATIONS = "No innovations yet: no chart."
NO_GROUPS = "No action groups yet: no chart."

CHART_PARTICIPATION = "Stand-up participation per week"
PARTICIPATION_ALL = "All groups"
NO_STANDUPS = "No stand-up prompts sent yet: no chart."
PARTICIPATION_TABLE = "Participation per week"

RISKS_TITLE = "Innovations per stage and risk level"
ATTENTION_TITLE = "Needs attention"
ATTENTION_EXPLAINED = (
    "Innovations at piloting, scaling or adopted with a risk not assessed, or a high risk and no safeguards."
)
NOTHING_NEEDS_ATTENTION = "Nothing needs attention."


def attention_why(unassessed: list[str], unguarded: list[str]) -> str:
    parts = []
    if unassessed:
        parts.append(f"not assessed: {', '.join(unassessed).lower()}")
    if unguarded:
        parts.append(f"high risk without safeguards: {', '.join(unguarded).lower()}")
    return "; ".join(parts)


def counts_line(counts: RegisterCounts) -> str:
    """One line for a person: "128 innovations in 6 groups: 12 idea, 40 exploring, … · 380 stage changes"."""
    stages = ", ".join(f"{n} {stage}" for stage, n in counts.per_stage.items() if n)
    noun = "innovation" if counts.innovations == 1 else "innovations"
    groups = "group" if counts.groups == 1 else "groups"
    line = f"{counts.innovations} {noun} in {counts.groups} {groups}"
    if stages:
        line += f": {stages}"
    return line + f" · {counts.stage_changes} stage changes"


def file_name(filters: Filters, made_at: datetime, timezone: str) -> str:
    day = made_at.astimezone(ZoneInfo(timezone)).date().isoformat()
    return f"spindle-register-{day}{filters.slug()}.xlsx"


def title_of(filters: Filters, made_at: datetime, timezone: str) -> str:
    day = made_at.astimezone(ZoneInfo(timezone)).strftime("%-d %b %Y")
    suffix = "" if not (filters.handle or filters.stage) else f" ({filters.describe()})"
    return f"Innovation register, {day}{suffix}"


def schedule_text(schedule: StandupSchedule | None) -> str:
    if schedule is None or not schedule.active or not schedule.days:
        return "off"
    return f"{schedule.days.replace(',', ', ')} at {schedule.local_time} ({schedule.tz})"
