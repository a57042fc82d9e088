"""Words of the register export: the ack, the file's comment, failures."""

from __future__ import annotations

from exports.register import Filters, RegisterCounts, counts_line
from handlers.ui.common import escape
from handlers.ui.errors import describe
from services import register

WEEKLY_BY = "Spindle Bot (weekly delivery)"  # the weekly workbook's "Made by"


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


# --- renderers for services/register.py's messages (handlers/ui/render.py) ---


def render_file(message: register.RegisterFile) -> tuple[str, list[dict]]:
    return comment(message.counts, weekly=message.weekly), []


def render_upload_failed(message: register.UploadFailed) -> tuple[str, list[dict]]:
    return upload_failed(message.error), []


def render_build_failed(_message: register.BuildFailed) -> tuple[str, list[dict]]:
    return BUILD_FAILED, []


def render_refused(message: register.ExportRefused) -> tuple[str, list[dict]]:
    return describe(message.error), []
