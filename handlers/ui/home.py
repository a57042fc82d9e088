"""Block Kit for the App Home tab: my groups, New across the network, quick help, and a note for coordinators."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.views import View

from handlers.ui.common import context, divider, escape, header, line_sections, section, shorten
from handlers.ui.search import new_across_network_lines
from services.home import Home, HomeGroup
from services.search import Hit

HOME_BLOCK_LIMIT = 100  # Slack's limit for a Home tab
GROUP_BLOCKS = 20  # room left for the groups after the fixed blocks
NEWS_BLOCKS = 3  # New across the network: 5 lines, in one section unless titles are very long

QUICK_HELP = "\n".join(
    [
        "`/spindle group list` — the active action groups · `/spindle group join HANDLE` — join one",
        "`/spindle log` — log a digital innovation · `/spindle list [HANDLE] [STAGE]` — recent ones",
        "`/spindle show INN-12` · `/spindle stage INN-12 STAGE [NOTE]` · `/spindle note INN-12 TEXT`",
        "`/spindle org ORGANISATION` — set your organisation",
        "`/spindle standup away YYYY-MM-DD` — no stand-up prompts until then",
        "`/spindle help` — every command",
    ]
)


def home_view(
    groups: Sequence[HomeGroup], *, is_coordinator: bool, known: bool, new_elsewhere: Sequence[Hit] = ()
) -> dict:
    blocks: list[dict] = [header("Spindle Bot"), section("*Your action groups*")]
    if groups:
        lines = []
        for g in groups:
            line = f"• *{escape(g.handle)}*"
            if g.description:
                line += f" — {escape(shorten(g.description, 200))}"
            if g.channel_id:
                line += f" · <#{g.channel_id}>"
            if g.is_lead:
                line += " · _you lead it_"
            lines.append(line)
        blocks.extend(line_sections(lines, GROUP_BLOCKS, overflow="…and {n} more: `/spindle group list`."))
    elif known:
        blocks.append(section("You have not joined an action group yet: `/spindle group list` shows them."))
    else:
        blocks.append(section("Welcome! Type `/spindle help` to start, or `/spindle group list` to find a group."))
    blocks += [divider(), *line_sections(new_across_network_lines(list(new_elsewhere)), NEWS_BLOCKS)]
    blocks += [divider(), section("*Quick help*\n" + QUICK_HELP)]
    if is_coordinator:
        blocks += [
            divider(),
            section(
                "*Coordinator*\nYou receive the innovation register as an Excel workbook every Monday at 08:00 "
                "by direct message. `/spindle export [HANDLE] [STAGE]` sends it to you any time."
            ),
        ]
    blocks.append(context("`/spindle forget-me` erases your personal data (it asks first)."))
    view = View(type="home", blocks=blocks[:HOME_BLOCK_LIMIT])
    return view.to_dict()


def render_home(home: Home) -> tuple[str, list[dict]]:
    """services.home.Home as the Home tab's blocks (handlers/ui/render.py wraps them in the view)."""
    view = home_view(
        home.groups, is_coordinator=home.is_coordinator, known=home.known, new_elsewhere=home.new_elsewhere
    )
    return "Spindle Bot", view["blocks"]


__all__ = ["HomeGroup", "home_view", "render_home"]
