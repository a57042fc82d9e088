"""The fixed words of the domain as people read them: stages, kinds, risks, SDGs, weekdays.

Stage, kind and risk values are data: typed the same in both languages (`/spindle stage INN-3
piloting`), stored and exported as they are. Where a person reads one, it is shown through this
map, in their language. models/vocab.py holds the values (and the English SDG names the import
reads); tests/test_i18n.py checks that this map covers every one of them.
"""

from __future__ import annotations

from i18n import N_, _
from i18n.sdgs import SDG_WORDS

STAGE_WORDS: dict[str, str] = {
    "idea": N_("idea"),
    "exploring": N_("exploring"),
    "piloting": N_("piloting"),
    "scaling": N_("scaling"),
    "adopted": N_("adopted"),
    "parked": N_("parked"),
    "dropped": N_("dropped"),
}
KIND_WORDS: dict[str, str] = {
    "instrument": N_("instrument"),
    "way-of-working": N_("way of working"),
    "strategy": N_("strategy"),
}
LEVEL_WORDS: dict[str, str] = {
    "not-assessed": N_("not assessed"),
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
}
# The three risks by their field (models/vocab.RISKS): the short name on a card, the form's label.
RISK_NAMES: dict[str, str] = {
    "privacy_risk": N_("Privacy"),
    "civic_space_risk": N_("Civic space"),
    "manipulation_risk": N_("Manipulation"),
}
RISK_LABELS: dict[str, str] = {
    "privacy_risk": N_("Privacy risk"),
    "civic_space_risk": N_("Civic space risk"),
    "manipulation_risk": N_("Manipulation risk"),
}
FORMER_MEMBER = N_("former member")


def _word(words: dict, value: str | None) -> str:
    """The word for a value; a value the map does not know (old data) is shown as it is."""
    if value is None:
        return ""
    known = words.get(value)
    return _(known) if known else value


def stage(value: str | None) -> str:
    return _word(STAGE_WORDS, value)


def kind(value: str | None) -> str:
    return _word(KIND_WORDS, value)


def level(value: str | None) -> str:
    return _word(LEVEL_WORDS, value)


def risk_name(field: str) -> str:
    return _word(RISK_NAMES, field)


def risk_label(field: str) -> str:
    return _word(RISK_LABELS, field)


def sdg(number: int) -> str:
    known = SDG_WORDS.get(number)
    return _(known) if known else str(number)


def former_member() -> str:
    return _(FORMER_MEMBER)


def capitalised(word: str) -> str:
    """`Exploring` for a menu: the first letter only (`Way of working`, `Niet beoordeeld`)."""
    return word[:1].upper() + word[1:]
