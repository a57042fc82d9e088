"""The words for domain errors: one catalogue, code → sentence, that a translation can fill.

Domain errors (models/errors.py) carry a code and parameters; the sentence a person reads, with
its `/spindle …` hint, is written here once, as a template with `{param}` fields. Slack gets it
with mrkdwn; the command line gets the same sentence without Slack markup.
"""

from __future__ import annotations

import re

import i18n
from i18n import N_, _
from models.errors import DomainError, Unavailable
from models.vocab import KINDS, RISK_LEVELS, RISKS, STAGES

ERRORS: dict[str, str] = {
    "unavailable.database": "Spindle Bot's database is temporarily unavailable. Please try again in a minute.",
    # --- groups (models/groups.py) ---
    "group.handle_invalid": (
        "`{handle}` is not a valid handle: use 2–40 characters of a-z, 0-9 and `-`, for example `data-ethics`."
    ),
    "group.not_found": "There is no action group `{handle}`. `/spindle group list` shows them all.",
    "group.description_too_long": "The description is {length} characters; {limit} is the most.",
    "group.exists": "An action group `{handle}` already exists; choose another handle.",
    "group.already_member": "You are already a member of `{handle}`.",
    "group.not_member": "You are not a member of `{handle}`.",
    "group.channel_lead_only": "Only the lead of `{handle}` or a coordinator may link its channel.",
    "group.channel_missing": "Type this command in the channel you want to link.",
    "group.lead_not_member": (
        "<@{user_id}> is not a member of `{handle}`; they can join with `/spindle group join {handle}` first."
    ),
    "group.already_lead": "<@{user_id}> already leads `{handle}`.",
    "group.language_lead_only": N_("Only the lead of `{handle}` or a coordinator may set its language."),
    # --- people and coordinators (models/people.py) ---
    "people.org_missing": "Name your organisation, for example `/spindle org Cordaid`.",
    "people.org_too_long": "That organisation name is {length} characters; {limit} is the most.",
    "people.coordinators_only": "Only coordinators may {doing}. `/spindle coordinator list` shows who they are.",
    "people.already_coordinator": "<@{user_id}> is already a coordinator.",
    "people.not_coordinator": "<@{user_id}> is not a coordinator.",
    "people.last_coordinator": "That is the last coordinator; add another one before removing them.",
    "people.unknown": "<@{user_id}> has not used Spindle Bot yet.",
    "people.language_unknown": N_(
        "I don't write in `{language}`. Choose `en` (English) or `nl` (Nederlands): `/spindle language nl`."
    ),
    # What a refused person tried to do (`doing=` of people.coordinators_only), by code.
    "doing.group.new": "create action groups",
    "doing.group.lead": "assign group leads",
    "doing.group.archive": "archive action groups",
    "doing.coordinator.add": "add coordinators",
    "doing.coordinator.remove": "remove coordinators",
    "doing.register.export": "export the register",
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
    "standup.lead_only.set": "Only the lead of `{handle}` or a coordinator may set its stand-up.",
    "standup.lead_only.off": "Only the lead of `{handle}` or a coordinator may stop its stand-up.",
    "standup.lead_only.now": "Only the lead of `{handle}` or a coordinator may start its stand-up.",
    "standup.lead_only.questions": "Only the lead of `{handle}` or a coordinator may change its stand-up questions.",
    "standup.days": "Give the days as `daily`, `weekdays` or a list like `mon,wed,fri`.",
    "standup.no_schedule": "`{handle}` has no stand-up schedule to stop.",
    "standup.just_started": "A stand-up for `{handle}` has just started; its prompts are on their way.",
    "standup.question_too_long": "This question is {length} characters; {most} is the most.",
    "standup.too_many_questions": "A stand-up has at most {most} questions.",
    "standup.no_questions": "Give at least one question.",
    "standup.group_gone": "That action group no longer exists or is archived.",
    "standup.gone": "That stand-up no longer exists.",
    "standup.not_your_prompt": "This stand-up prompt was sent to someone else; only they can answer it.",
    "standup.closed": "This stand-up has closed; the next one will ask again.",
    "standup.no_answer": "Answer at least one question.",
    # --- privacy (models/privacy.py) ---
    "privacy.confirmation_out_of_date": (
        "That confirmation is out of date; type `/spindle forget-me` again if you still want this."
    ),
    # --- the register (exports/) ---
    # --- the register in Slack (services/register.py) ---
}


def describe(error: DomainError) -> str:
    """The sentence for Slack (mrkdwn). A code with no words is a bug, and fails loudly in tests."""
    if isinstance(error, Unavailable):  # the person's language is in the database that is down
        i18n.settle()
    template = _(ERRORS[error.code])  # in the reader's language (an unmarked one stays English)
    params = dict(error.params)
    if "doing" in params:  # the refused action is a code too: its words are `doing.<code>` here
        params["doing"] = _(ERRORS[f"doing.{params['doing']}"])
    return template.format(**params)


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")


def plain(error: DomainError) -> str:
    """The same sentence for the command line: no backticks, bold or `<@U…>` mentions."""
    text = _MENTION.sub(r"\1", _CHANNEL.sub(r"#\1", describe(error)))
    return text.replace("`", "").replace("*", "")
