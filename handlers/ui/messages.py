"""The words of the Messages tab: the bot reads no messages, so it says where to go instead."""

from __future__ import annotations

from handlers.ui.common import section


def home_link(team_id: str | None, app_id: str | None) -> str:
    """A deep link that opens the bot's Home tab, or its plain name when the ids are not known."""
    if team_id and app_id:
        return f"<slack://app?team={team_id}&id={app_id}&tab=home|Home tab>"
    return "*Home* tab"


def messages_tab_reply(team_id: str | None, app_id: str | None) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for a person who wrote to the bot in its Messages tab."""
    text = (
        "I don't read messages here. Your action groups and innovations are on my "
        f"{home_link(team_id, app_id)}, and `/spindle help` lists every command."
    )
    return text, [section(f"👋 {text}")]
