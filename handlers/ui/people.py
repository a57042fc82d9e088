"""The words for people and coordinators."""

from __future__ import annotations

from handlers.ui.common import escape
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


def organisation_set(result: OrganisationSet) -> str:
    return _("Your organisation is now *{organisation}*.").format(organisation=escape(result.organisation))


def coordinator_added(result: CoordinatorAdded) -> str:
    return _("<@{user_id}> is now a coordinator.").format(user_id=result.user_id)


def coordinator_removed(result: CoordinatorRemoved) -> str:
    return _(
        "<@{user_id}> is no longer a coordinator. "
        "(Anyone listed in SPINDLE_COORDINATORS becomes one again when the bot restarts.)"
    ).format(user_id=result.user_id)


def coordinators(result: Coordinators) -> str:
    if not result.user_ids:
        return _("There are no coordinators yet. Set SPINDLE_COORDINATORS to name the first ones.")
    return _("Coordinators: {mentions}").format(mentions=", ".join(f"<@{user_id}>" for user_id in result.user_ids))
