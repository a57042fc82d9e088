"""The words for people and coordinators."""

from __future__ import annotations

from handlers.ui.common import escape
from services.people import CoordinatorAdded, CoordinatorRemoved, Coordinators, OrganisationSet


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
