"""The words for people and coordinators."""

from __future__ import annotations

from handlers.ui.common import escape
from i18n import _
from services.people import CoordinatorAdded, CoordinatorRemoved, Coordinators, OrganisationSet


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
