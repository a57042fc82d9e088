"""The words of the Messages tab: the bot reads no messages, so it says where to go instead."""

from __future__ import annotations

from handlers.ui.common import section
from i18n import _


def home_link(team_id: str | None, app_id: str | None) -> str:
    """A deep link that opens the bot's Home tab, or its plain name when the ids are not known."""
    if team_id and app_id:
        return f"<slack://app?team={team_id}&id={app_id}&tab=home|{_('Home tab')}>"
    return _("*Home* tab")


def messages_tab_reply(team_id: str | None, app_id: str | None) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for a person who wrote to the bot in its Messages tab."""
    text = _(
        "I don't read messages here. Your action groups and innovations are on my {home}, "
        "and `/spindle help` lists every command."
    ).format(home=home_link(team_id, app_id))
    return text, [section(f"👋 {text}")]
