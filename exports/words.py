"""The register's own words: titles, labels, counts lines, the shown values, in the reader's language.

The Slack replies about the register live in handlers/ui/exports.py; what is written into the
workbook lives here (and the headers and sheet names in exports/columns.py), so a translation has
one place to fill. Constants are N_()-marked and translated with `_()` where they are written: the
register is written inside `i18n.speaking(language)` (exports/register.py), so everything here is
in the language of the coordinator it is made for. Stage, kind and risk values stay the same data
in both languages; only the words shown for them are translated, and the import reads both back.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import dates

import i18n
from exports.queries import Filters, RegisterCounts
from i18n import N_, _, n_
from i18n.sdgs import SDG_WORDS
from models.standups import StandupSchedule
from models.vocab import LANGUAGES, SDG_NAMES, WEEKDAYS

TITLE = N_("Innovation register — The Spindle")
MADE_BY_CLI = N_("command line")
MADE_BY_WEEKLY = N_("Spindle Bot (weekly delivery)")
PAGE_FOOTER = N_("Page &P of &N")  # Excel's header/footer codes: page number and page count

SUMMARY_LABELS = {
    "made_on": N_("Made on"),
    "made_by": N_("Made by"),
    "filters": N_("Filters"),
    "zone": N_("Dates are in"),
    "innovations": N_("Innovations"),
    "stage_changes": N_("Stage changes"),
    "stage": N_("Stage"),
    "group": N_("Action group"),
}
CHART_STAGES = N_("Innovations per stage")
CHART_GROUPS = N_("Innovations per action group")
CHART_AXIS = N_("Innovations")
NO_INNOVATIONS = N_("No innovations yet: no chart.")
NO_GROUPS = N_("No action groups yet: no chart.")

CHART_PARTICIPATION = N_("Stand-up participation per week")
PARTICIPATION_ALL = N_("All groups")
NO_STANDUPS = N_("No stand-up prompts sent yet: no chart.")
PARTICIPATION_TABLE = N_("Participation per week")

RISKS_TITLE = N_("Innovations per stage and risk level")
ATTENTION_TITLE = N_("Needs attention")
ATTENTION_EXPLAINED = N_(
    "Innovations at piloting, scaling or adopted with a risk not assessed, or a high risk and no safeguards."
)
NOTHING_NEEDS_ATTENTION = N_("Nothing needs attention.")
NOT_IN_LIST = N_("Choose one of: {choices}")  # a validation list's message for a value not in it

# The words shown for the data values (the values themselves are what commands and the database hold).
VALUE_WORDS = {
    "idea": N_("idea"),
    "exploring": N_("exploring"),
    "piloting": N_("piloting"),
    "scaling": N_("scaling"),
    "adopted": N_("adopted"),
    "parked": N_("parked"),
    "dropped": N_("dropped"),
    "instrument": N_("instrument"),
    "way-of-working": N_("way-of-working"),
    "strategy": N_("strategy"),
    "not-assessed": N_("not-assessed"),
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
}
RISK_WORDS = {"Privacy": N_("Privacy"), "Civic space": N_("Civic space"), "Manipulation": N_("Manipulation")}


def shown(value: str | None) -> str | None:
    """The word shown for a stage, kind or risk value (anything else as it is)."""
    return _(VALUE_WORDS[value]) if value in VALUE_WORDS else value


def shown_words() -> dict[str, str]:
    """Every value's shown word, once per sheet (the rows then look them up in a dict)."""
    return {value: _(word) for value, word in VALUE_WORDS.items()}


@cache
def value_of_words() -> dict[str, str]:
    """Any language's shown word (case-folded) → the value: what the import reads back."""
    found: dict[str, str] = {}
    for language in LANGUAGES:
        with i18n.speaking(language):
            for value, word in VALUE_WORDS.items():
                found.setdefault(_(word).casefold(), value)
    return found


def value_of(text: str) -> str:
    """A shown word (`Pilot`, `piloting`) as its value; other text as it is (lower-cased, stripped)."""
    key = " ".join(text.split()).casefold()
    return value_of_words().get(key, key)


@cache
def sdg_names_all() -> tuple[str, ...]:
    """The SDG names in every language (the import strips them: the numbers are what it reads)."""
    names = set(SDG_NAMES.values())
    for language in LANGUAGES:
        with i18n.speaking(language):
            names.update(_(word) for word in SDG_WORDS.values())
    return tuple(sorted(names, key=len, reverse=True))


def sdg_name(number: int) -> str:
    return _(SDG_WORDS[number]) if number in SDG_WORDS else ""


def made_by(name: str) -> str:
    """The register's own makers are words to translate; a person's name is shown as it is."""
    return _(name) if name in (MADE_BY_CLI, MADE_BY_WEEKLY) else name


def attention_why(unassessed: list[str], unguarded: list[str]) -> str:
    parts = []
    if unassessed:
        parts.append(_("not assessed: {risks}").format(risks=_risks(unassessed)))
    if unguarded:
        parts.append(_("high risk without safeguards: {risks}").format(risks=_risks(unguarded)))
    return "; ".join(parts)


def _risks(labels: list[str]) -> str:
    return ", ".join(_(RISK_WORDS.get(label, label)) for label in labels).lower()


def counts_line(counts: RegisterCounts) -> str:
    """One line for a person: "128 innovations in 6 groups: 12 idea, 40 exploring, … · 380 stage changes"."""
    stages = ", ".join(f"{n} {shown(stage)}" for stage, n in counts.per_stage.items() if n)
    innovations = n_("{n} innovation", "{n} innovations", counts.innovations).format(n=counts.innovations)
    groups = n_("{n} group", "{n} groups", counts.groups).format(n=counts.groups)
    line = _("{innovations} in {groups}").format(innovations=innovations, groups=groups)
    if stages:
        line += f": {stages}"
    changes = n_("{n} stage change", "{n} stage changes", counts.stage_changes).format(n=counts.stage_changes)
    return line + f" · {changes}"


def file_name(filters: Filters, made_at: datetime, timezone: str) -> str:
    """The same in every language: a file name is for finding, and sorts by date."""
    day = made_at.astimezone(ZoneInfo(timezone)).date().isoformat()
    return f"spindle-register-{day}{filters.slug()}.xlsx"


def filters_text(filters: Filters) -> str:
    parts = [_("group {handle}").format(handle=filters.handle)] if filters.handle else []
    if filters.stage:
        parts.append(_("stage {stage}").format(stage=shown(filters.stage)))
    return ", ".join(parts) if parts else _("none (the whole register)")


def title_of(filters: Filters, made_at: datetime, timezone: str) -> str:
    """ "Innovation register, 7 Dec 2026" / "Innovatieregister, 7 dec 2026": the page header, the Slack title."""
    day = dates.format_date(made_at.astimezone(ZoneInfo(timezone)), "d MMM y", locale=i18n.locale())
    suffix = "" if not (filters.handle or filters.stage) else f" ({filters_text(filters)})"
    return _("Innovation register, {day}").format(day=day) + suffix


def schedule_text(schedule: StandupSchedule | None) -> str:
    """ "mon, wed, fri at 09:30 (Europe/Amsterdam)" / "ma, wo, vr om 09:30 (Europe/Amsterdam)"."""
    if schedule is None or not schedule.active or not schedule.days:
        return _("off")
    days = ", ".join(
        i18n.weekday(WEEKDAYS.index(d)).rstrip(".").lower() if d in WEEKDAYS else d for d in schedule.days.split(",")
    )
    return _("{days} at {time} ({zone})").format(days=days, time=schedule.local_time, zone=schedule.tz)
