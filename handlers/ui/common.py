"""Small Block Kit helpers shared by every feature: escaping, shortening, chunking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import i18n
from i18n import _, n_

SECTION_LIMIT = 3000  # characters in a section's text
MESSAGE_BLOCK_LIMIT = 50


def escape(text: str | None) -> str:
    """User text shown as mrkdwn: no accidental mentions (<!channel>) or links."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The small blocks below are plain dicts: they are built on every reply, and their limits
# (3000 / 150 / 2000 characters) are enforced here. Modals use slack_sdk's models, which validate.
def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten_block(text)}}


def shorten_block(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": shorten(text, 150) or " ", "emoji": True}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten_block(text, 2000)}]}


def divider() -> dict:
    return {"type": "divider"}


def more(n: int) -> str:
    return n_("…and {n} more.", "…and {n} more.", n).format(n=n)


def line_sections(lines: list[str], max_blocks: int, overflow: str | Callable[[int], str] = more) -> list[dict]:
    """Lines packed into as few section blocks as fit (3000 chars each): at most `max_blocks`
    blocks in all, the overflow line included.

    Lines that do not fit are counted in a last context line, so the message stays within
    Slack's limits however long the list grows. `overflow` writes that line for a count: a
    function (for plurals, `n_`), or a template with `{n}` marked with `N_()`, translated here.
    """
    blocks: list[dict] = []
    current: list[str] = []
    size = 0
    shown = 0
    for line in lines:
        line = shorten_block(line, SECTION_LIMIT)
        if current and size + len(line) + 1 > SECTION_LIMIT:
            if len(blocks) + 2 >= max_blocks:  # room for this section and the overflow line
                break
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
        shown += 1
    if current:
        blocks.append(section("\n".join(current)))
    if shown < len(lines):
        rest = len(lines) - shown
        blocks.append(context(overflow(rest) if callable(overflow) else _(overflow).format(n=rest)))
    return blocks


def local_time(when: datetime, tz: str | None) -> str:
    """A day and time in the zone `tz`, written the reader's way (`Mon 7 Dec 2026 09:30`)."""
    zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    return i18n.day_and_clock(when.astimezone(zone))


def slack_date(when: datetime, fallback_tz: str = "UTC") -> str:
    """A date Slack shows in the reader's own zone (fallback text for old clients)."""
    stamp = int(when.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{local_time(when, fallback_tz)}>"


# --- a form Slack would not open (handlers/modals.py) --------------------------------------------


def busy_again(again: str) -> str:
    return _("Slack is busy right now — type `{command}` again in a moment.").format(command=again)


def too_late_again(again: str) -> str:
    return _("Slack did not let me open the form in time. Please type `{command}` again.").format(command=again)
