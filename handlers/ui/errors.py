"""The words for domain errors: one catalogue, code → sentence, that a translation can fill.

Domain errors (models/errors.py) carry a code and parameters; the sentence a person reads, with
its `/spindle …` hint, is written here once, as a template with `{param}` fields, marked with
`N_()` and translated when it is shown (`describe`). Slack gets it with mrkdwn; the command line
gets the same sentence without Slack markup.
"""

from __future__ import annotations

import re

import i18n
from handlers.ui import words
from i18n import N_, _
from models.errors import DomainError, Unavailable
from models.vocab import KINDS, RISK_LEVELS, STAGES

ERRORS: dict[str, str] = {
    "unavailable.database": N_("Spindle Bot's database is temporarily unavailable. Please try again in a minute."),
    # --- groups (models/groups.py) ---
    "group.handle_invalid": N_(
        "`{handle}` is not a valid handle: use 2–40 characters of a-z, 0-9 and `-`, for example `data-ethics`."
    ),
    "group.not_found": N_("There is no action group `{handle}`. `/spindle group list` shows them all."),
    "group.description_too_long": N_("The description is {length} characters; {limit} is the most."),
    "group.exists": N_("An action group `{handle}` already exists; choose another handle."),
    "group.already_member": N_("You are already a member of `{handle}`."),
    "group.not_member": N_("You are not a member of `{handle}`."),
    "group.channel_lead_only": N_("Only the lead of `{handle}` or a coordinator may link its channel."),
    "group.channel_missing": N_("Type this command in the channel you want to link."),
    "group.lead_not_member": N_(
        "<@{user_id}> is not a member of `{handle}`; they can join with `/spindle group join {handle}` first."
    ),
    "group.already_lead": N_("<@{user_id}> already leads `{handle}`."),
    "group.language_lead_only": N_("Only the lead of `{handle}` or a coordinator may set its language."),
    # --- people and coordinators (models/people.py) ---
    "people.org_missing": N_("Name your organisation, for example `/spindle org Cordaid`."),
    "people.org_too_long": N_("That organisation name is {length} characters; {limit} is the most."),
    "people.coordinators_only": N_("Only coordinators may {doing}. `/spindle coordinator list` shows who they are."),
    "people.already_coordinator": N_("<@{user_id}> is already a coordinator."),
    "people.not_coordinator": N_("<@{user_id}> is not a coordinator."),
    "people.last_coordinator": N_("That is the last coordinator; add another one before removing them."),
    "people.unknown": N_("<@{user_id}> has not used Spindle Bot yet."),
    "people.language_unknown": N_(
        "I don't write in `{language}`. Choose `en` (English) or `nl` (Nederlands): `/spindle language nl`."
    ),
    # What a refused person tried to do (`doing=` of people.coordinators_only), by code.
    "doing.group.new": N_("create action groups"),
    "doing.group.lead": N_("assign group leads"),
    "doing.group.archive": N_("archive action groups"),
    "doing.coordinator.add": N_("add coordinators"),
    "doing.coordinator.remove": N_("remove coordinators"),
    "doing.register.export": N_("export the register"),
    # --- innovations (models/innovations/) ---
    "innovation.not_found": N_("There is no innovation {ref}. `/spindle list` shows the latest ones."),
    "innovation.change_forbidden": N_(
        "Only members of `{handle}` and coordinators may change {ref}. "
        "Join the group with `/spindle group join {handle}` first."
    ),
    "innovation.log_forbidden": N_(
        "Only members of `{handle}` and coordinators may log innovations into it. "
        "Join it with `/spindle group join {handle}` first."
    ),
    "innovation.no_active_groups": N_(
        "There are no active action groups yet; create one with `/spindle group new HANDLE`."
    ),
    "innovation.not_in_a_group": N_(
        "You are not a member of any action group yet, and innovations are logged into a group. "
        "`/spindle group list` shows them; join one with `/spindle group join HANDLE`."
    ),
    "innovation.invalid_fields": N_("Some fields need correcting: {fields}."),
    "innovation.group_missing": N_("Choose the action group this innovation belongs to."),
    "innovation.title_missing": N_("Give the innovation a title."),
    "innovation.title_too_long": N_(
        "The title is {length} characters; {limit} is the most. Put the rest in the summary."
    ),
    "innovation.kind_unknown": N_("Kind must be one of: {kinds}."),
    "innovation.stage_unknown": N_("Stage must be one of: {stages}."),
    "innovation.stage_note_missing": N_("Say why it is {stage}: a note is needed for parked and dropped."),
    "innovation.note_too_long": N_("The note is {length} characters; {limit} is the most."),
    "innovation.summary_too_long": N_("The summary is {length} characters; {limit} is the most."),
    "innovation.link_not_web": N_("The link must be a web address starting with http:// or https://."),
    "innovation.link_too_long": N_("The link is {length} characters; {limit} is the most."),
    "innovation.organisation_too_long": N_(
        "Organisation names may be {limit} characters at most; separate them with commas."
    ),
    "innovation.too_many_organisations": N_("Name at most {limit} organisations."),
    "innovation.sdg_unknown": N_("SDGs are numbered 1 to 17."),
    "innovation.tag_too_long": N_("Tags may be {limit} characters at most; separate them with commas."),
    "innovation.too_many_tags": N_("Give at most {limit} tags."),
    "innovation.privacy_risk_unknown": N_("Privacy risk must be one of: {levels}."),
    "innovation.civic_space_risk_unknown": N_("Civic space risk must be one of: {levels}."),
    "innovation.manipulation_risk_unknown": N_("Manipulation risk must be one of: {levels}."),
    "innovation.safeguards_too_long": N_("The safeguards are {length} characters; {limit} is the most."),
    "innovation.not_a_stage": N_("`{stage}` is not a stage. Stages: {stages}."),
    "innovation.already_at_stage": N_("{ref} is already at stage `{stage}`."),
    "innovation.stage_needs_note": N_(
        "Say why {ref} is {stage}: `/spindle stage {ref} {stage} NOTE` — a note is needed for parked and dropped."
    ),
    "innovation.note_missing": N_("Write the note after the reference: `/spindle note {ref} TEXT`."),
    # --- stand-ups (models/standups/) ---
    "standup.lead_only.set": N_("Only the lead of `{handle}` or a coordinator may set its stand-up."),
    "standup.lead_only.off": N_("Only the lead of `{handle}` or a coordinator may stop its stand-up."),
    "standup.lead_only.now": N_("Only the lead of `{handle}` or a coordinator may start its stand-up."),
    "standup.lead_only.questions": N_(
        "Only the lead of `{handle}` or a coordinator may change its stand-up questions."
    ),
    "standup.days": N_("Give the days as `daily`, `weekdays` or a list like `mon,wed,fri`."),
    "standup.no_schedule": N_("`{handle}` has no stand-up schedule to stop."),
    "standup.just_started": N_("A stand-up for `{handle}` has just started; its prompts are on their way."),
    "standup.question_too_long": N_("This question is {length} characters; {most} is the most."),
    "standup.too_many_questions": N_("A stand-up has at most {most} questions."),
    "standup.no_questions": N_("Give at least one question."),
    "standup.group_gone": N_("That action group no longer exists or is archived."),
    "standup.gone": N_("That stand-up no longer exists."),
    "standup.not_your_prompt": N_("This stand-up prompt was sent to someone else; only they can answer it."),
    "standup.closed": N_("This stand-up has closed; the next one will ask again."),
    "standup.no_answer": N_("Answer at least one question."),
    # --- privacy (models/privacy.py) ---
    "privacy.confirmation_out_of_date": N_(
        "That confirmation is out of date; type `/spindle forget-me` again if you still want this."
    ),
    # --- the register (exports/) ---
    # --- the register in Slack (services/register.py) ---
}


# The values a command takes, listed in a sentence as typed: they are the same in both languages.
VALUES = {"kinds": ", ".join(KINDS), "stages": ", ".join(STAGES), "levels": ", ".join(RISK_LEVELS)}
# Where a sentence names a stage as a word, not as a value to type, it is shown in the reader's words.
STAGE_AS_WORD = frozenset({"innovation.stage_note_missing"})


def describe(error: DomainError) -> str:
    """The sentence for Slack (mrkdwn), in the reader's language. A code with no words is a bug,
    and fails loudly in tests."""
    if isinstance(error, Unavailable):  # the person's language is in the database that is down
        i18n.settle()
    template = _(ERRORS[error.code])
    params = {**VALUES, **error.params}
    if "doing" in params:  # the refused action is a code too: its words are `doing.<code>` here
        params["doing"] = _(ERRORS[f"doing.{params['doing']}"])
    if error.code in STAGE_AS_WORD and "stage" in params:
        params["stage"] = words.stage(str(params["stage"]))
    return template.format(**params)


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")


def plain(error: DomainError) -> str:
    """The same sentence for the command line: no backticks, bold or `<@U…>` mentions."""
    text = _MENTION.sub(r"\1", _CHANNEL.sub(r"#\1", describe(error)))
    return text.replace("`", "").replace("*", "")
