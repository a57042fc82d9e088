"""The usage text of `/spindle help`."""

from __future__ import annotations

from typing import Any

from handlers.ui.common import context, header, section
from i18n import _

HELP_TEXT = "Spindle Bot: type `/spindle help` to see every command."

# A line of its own in the help, beside the typed commands.
SHORTCUT = "Message menu ⋯ → *Log as innovation* — log from any message"


def help_blocks(sections: list[tuple[str, list[str]]], is_coordinator: bool) -> list[dict[str, Any]]:
    """The help from the registry's sections (handlers/registry.py): one section block each."""
    blocks = [header("Spindle Bot — what I can do")]
    for title, lines in sections:
        extra = [SHORTCUT] if title == _("Innovations") else []  # the titles come translated
        blocks.append(section(f"*{title}*\n" + "\n".join([*lines, *extra])))
    if not is_coordinator:
        blocks.append(context("Coordinators can also create groups, assign leads and export the register."))
    return blocks
