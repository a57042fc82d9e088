"""The usage text of `/spindle help`."""

from __future__ import annotations

from typing import Any

from handlers.ui.common import context, header, section
from i18n import N_, _

HELP_TEXT = N_("Spindle Bot: type `/spindle help` to see every command.")

# A line of its own in the help, beside the typed commands.
SHORTCUT = N_("Message menu ⋯ → *Log as innovation* — log from any message")


def help_blocks(sections: list[tuple[str, list[str]]], is_coordinator: bool) -> list[dict[str, Any]]:
    """The help from the registry's sections (handlers/registry.py): one section block each."""
    blocks = [header(_("Spindle Bot — what I can do"))]
    innovations = {N_("Innovations"), _("Innovations")}  # the registry's title, as written or translated
    for title, lines in sections:
        extra = [_(SHORTCUT)] if title in innovations else []
        blocks.append(section(f"*{title}*\n" + "\n".join([*lines, *extra])))
    if not is_coordinator:
        blocks.append(context(_("Coordinators can also create groups, assign leads and export the register.")))
    return blocks
