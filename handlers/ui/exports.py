"""Words of the register export: the ack, the file's comment, failures."""

from __future__ import annotations

from exports.register import Filters, RegisterCounts, counts_line
from handlers.ui.common import escape
from handlers.ui.errors import describe
from i18n import N_, _
from services import register

# The weekly workbook's "Made by": written into the file, in the register's language (exports/).
WEEKLY_BY = N_("Spindle Bot (weekly delivery)")


def preparing(filters: Filters) -> str:
    if not (filters.handle or filters.stage):
        return _("Preparing the register… I will send it to you in a direct message.")
    return _("Preparing the register ({which})… I will send it to you in a direct message.").format(
        which=escape(filters.describe())
    )


def comment(counts: RegisterCounts, *, weekly: bool = False) -> str:
    line = escape(counts_line(counts))
    if weekly:
        return _("Your weekly innovation register: {counts}.").format(counts=line)
    return _("The innovation register: {counts}.").format(counts=line)


def upload_failed(error: str) -> str:
    return _(
        "I built the register but could not send it to you (Slack said: `{error}`). "
        "Please try `/spindle export` again in a minute."
    ).format(error=escape(error)[:200])


BUILD_FAILED = N_(
    "Sorry, I could not build the register; nothing was sent. Please try again in a minute; "
    "if it keeps happening, tell whoever runs Spindle Bot."
)


# --- renderers for services/register.py's messages (handlers/ui/render.py) ---


def render_file(message: register.RegisterFile) -> tuple[str, list[dict]]:
    return comment(message.counts, weekly=message.weekly), []


def render_upload_failed(message: register.UploadFailed) -> tuple[str, list[dict]]:
    return upload_failed(message.error), []


def render_build_failed(_message: register.BuildFailed) -> tuple[str, list[dict]]:
    return _(BUILD_FAILED), []


def render_refused(message: register.ExportRefused) -> tuple[str, list[dict]]:
    return describe(message.error), []
