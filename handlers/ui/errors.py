"""The words for domain errors: one catalogue, code → sentence, that a translation can fill.

Domain errors (models/errors.py) carry a code and parameters; the sentence a person reads, with
its `/spindle …` hint, is written here once, as a template with `{param}` fields. Slack gets it
with mrkdwn; the command line gets the same sentence without Slack markup.
"""

from __future__ import annotations

import re

from models.errors import DomainError
from models.vocab import KINDS, RISK_LEVELS, RISKS, STAGES

ERRORS: dict[str, str] = {
    "unavailable.database": "Spindle Bot's database is temporarily unavailable. Please try again in a minute.",
    # --- groups (models/groups.py) ---
    # --- people and coordinators (models/people.py) ---
    # --- innovations (models/innovations/) ---
    "innovation.not_found": "There is no innovation {ref}. `/spindle list` shows the latest ones.",
    "innovation.change_forbidden": (
        "Only members of `{handle}` and coordinators may change {ref}. "
        "Join the group with `/spindle group join {handle}` first."
    ),
    "innovation.log_forbidden": (
        "Only members of `{handle}` and coordinators may log innovations into it. "
        "Join it with `/spindle group join {handle}` first."
    ),
    "innovation.no_active_groups": "There are no active action groups yet; create one with `/spindle group new HANDLE`.",
    "innovation.not_in_a_group": (
        "You are not a member of any action group yet, and innovations are logged into a group. "
        "`/spindle group list` shows them; join one with `/spindle group join HANDLE`."
    ),
    "innovation.invalid_fields": "Some fields need correcting: {fields}.",
    "innovation.group_missing": "Choose the action group this innovation belongs to.",
    "innovation.title_missing": "Give the innovation a title.",
    "innovation.title_too_long": "The title is {length} characters; {limit} is the most. Put the rest in the summary.",
    "innovation.kind_unknown": f"Kind must be one of: {', '.join(KINDS)}.",
    "innovation.stage_unknown": f"Stage must be one of: {', '.join(STAGES)}.",
    "innovation.stage_note_missing": "Say why it is {stage}: a note is needed for parked and dropped.",
    "innovation.note_too_long": "The note is {length} characters; {limit} is the most.",
    "innovation.summary_too_long": "The summary is {length} characters; {limit} is the most.",
    "innovation.link_not_web": "The link must be a web address starting with http:// or https://.",
    "innovation.link_too_long": "The link is {length} characters; {limit} is the most.",
    "innovation.organisation_too_long": (
        "Organisation names may be {limit} characters at most; separate them with commas."
    ),
    "innovation.too_many_organisations": "Name at most {limit} organisations.",
    "innovation.sdg_unknown": "SDGs are numbered 1 to 17.",
    "innovation.tag_too_long": "Tags may be {limit} characters at most; separate them with commas.",
    "innovation.too_many_tags": "Give at most {limit} tags.",
    **{
        f"innovation.{field}_unknown": f"{label} risk must be one of: {', '.join(RISK_LEVELS)}."
        for field, label in RISKS
    },
    "innovation.safeguards_too_long": "The safeguards are {length} characters; {limit} is the most.",
    "innovation.not_a_stage": "`{stage}` is not a stage. Stages: " + ", ".join(STAGES) + ".",
    "innovation.already_at_stage": "{ref} is already at stage `{stage}`.",
    "innovation.stage_needs_note": (
        "Say why {ref} is {stage}: `/spindle stage {ref} {stage} NOTE` — a note is needed for parked and dropped."
    ),
    "innovation.note_missing": "Write the note after the reference: `/spindle note {ref} TEXT`.",
    # --- stand-ups (models/standups/) ---
    # --- privacy (models/privacy.py) ---
    # --- the register (exports/) ---
}


def describe(error: DomainError) -> str:
    """The sentence for Slack (mrkdwn). A code with no words is a bug, and fails loudly in tests."""
    template = ERRORS.get(error.code)
    if template is None:  # TRANSITION (issue 9): an unconverted raise site's code is its sentence
        return error.code
    return template.format(**error.params)


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")


def plain(error: DomainError) -> str:
    """The same sentence for the command line: no backticks, bold or `<@U…>` mentions."""
    text = _MENTION.sub(r"\1", _CHANNEL.sub(r"#\1", describe(error)))
    return text.replace("`", "").replace("*", "")
