"""Words of the register export: the ack, the file's comment, failures."""

from __future__ import annotations

from exports.register import Filters, RegisterCounts, counts_line
from handlers.ui.common import escape


def preparing(filters: Filters) -> str:
    which = "" if not (filters.handle or filters.stage) else f" ({escape(filters.describe())})"
    return f"Preparing the register{which}… I will send it to you in a direct message."


def comment(counts: RegisterCounts, *, weekly: bool = False) -> str:
    lead = "Your weekly innovation register" if weekly else "The innovation register"
    return f"{lead}: {escape(counts_line(counts))}."


def upload_failed(error: str) -> str:
    return (
        f"I built the register but could not send it to you (Slack said: `{escape(error)[:200]}`). "
        "Please try `/spindle export` again in a minute."
    )


BUILD_FAILED = (
    "Sorry, I could not build the register; nothing was sent. Please try again in a minute; "
    "if it keeps happening, tell whoever runs Spindle Bot."
)
