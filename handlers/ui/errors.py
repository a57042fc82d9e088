"""The words for domain errors: one catalogue, code → sentence, that a translation can fill.

Domain errors (models/errors.py) carry a code and parameters; the sentence a person reads, with
its `/spindle …` hint, is written here once, as a template with `{param}` fields. Slack gets it
with mrkdwn; the command line gets the same sentence without Slack markup.
"""

from __future__ import annotations

import re

from models.errors import DomainError

ERRORS: dict[str, str] = {
    "unavailable.database": "Spindle Bot's database is temporarily unavailable. Please try again in a minute.",
    # --- groups (models/groups.py) ---
    # --- people and coordinators (models/people.py) ---
    # --- innovations (models/innovations.py) ---
    # --- stand-ups (models/standups/) ---
    # --- privacy (models/privacy.py) ---
    "privacy.confirmation_out_of_date": (
        "That confirmation is out of date; type `/spindle forget-me` again if you still want this."
    ),
    # --- the register (exports/) ---
    # --- the register in Slack (services/register.py) ---
    "register.coordinators_only": (
        "Only coordinators may export the register. `/spindle coordinator list` shows who they are."
    ),
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
