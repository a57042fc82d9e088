"""The words for people and coordinators."""

from __future__ import annotations

from handlers.ui.common import escape, section
from i18n import N_, _, speaking
from services.people import (
    CoordinatorAdded,
    CoordinatorRemoved,
    Coordinators,
    LanguageSet,
    LanguageShown,
    OrganisationSet,
)

# A language's name in the reader's language ("Dutch" / "Nederlands")…
LANGUAGE_NAMES = {"en": N_("English"), "nl": N_("Dutch")}
# …and in its own, where someone looks for the one they read (the Home tab's menu, the choices).
AUTONYMS = {"en": "English", "nl": "Nederlands"}


def language_name(code: str) -> str:
    return _(LANGUAGE_NAMES.get(code, code))


def language_set(result: LanguageSet) -> str:
    """Said in the new language: the first words they read in it."""
    with speaking(result.language):
        return _("Your language is now {language}.").format(language=language_name(result.language))


def language_shown(shown: LanguageShown) -> str:
    why = {
        "chosen": _("your own choice"),
        "slack": _("from your Slack settings"),
        "default": _("the workspace's default"),
    }[shown.source]
    return _(
        "I write to you in {language} ({why}). Change it with `/spindle language nl` ({nl}) or `/spindle language en` ({en})."
    ).format(language=language_name(shown.language), why=why, nl=AUTONYMS["nl"], en=AUTONYMS["en"])


def refusal_modal(sentence: str) -> dict:
    """A refused click on the Home tab says why in a small modal (it has no channel to answer in)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Spindle Bot"},
        "close": {"type": "plain_text", "text": _("Close")},
        "blocks": [section(sentence)],
    }


def organisation_set(result: OrganisationSet) -> str:
    return f"Your organisation is now *{escape(result.organisation)}*."


def coordinator_added(result: CoordinatorAdded) -> str:
    return f"<@{result.user_id}> is now a coordinator."


def coordinator_removed(result: CoordinatorRemoved) -> str:
    return (
        f"<@{result.user_id}> is no longer a coordinator. "
        "(Anyone listed in SPINDLE_COORDINATORS becomes one again when the bot restarts.)"
    )


def coordinators(result: Coordinators) -> str:
    if not result.user_ids:
        return "There are no coordinators yet. Set SPINDLE_COORDINATORS to name the first ones."
    return "Coordinators: " + ", ".join(f"<@{user_id}>" for user_id in result.user_ids)
