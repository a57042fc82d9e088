"""Words of the import from Slack: the preview with its Apply button, the outcome, refusals."""

from __future__ import annotations

import json
from typing import Any

from handlers.ui.common import SECTION_LIMIT, context, escape, section
from i18n import N_, _, n_
from services import imports

APPLY_ACTION = "import_apply"
REPORT_SECTIONS = 10  # the report's code blocks in one message; longer reports are cut
Rendered = tuple[str, list[dict[str, Any]]]

REFUSALS = {
    "coordinators_only": N_("Only coordinators import the register. `/spindle coordinator list` shows who they are."),
    "not_xlsx": N_("I can only import an Excel workbook (`.xlsx`), like the one `/spindle export` sends."),
    "too_large": N_("This file is over 10 MB, too large to import. Nothing was changed."),
    "download_failed": N_(
        "I could not download this file from Slack (Slack said: `{error}`). Nothing was changed; "
        "please send it again in a minute."
    ),
    "unreadable": N_("Sorry, I could not read this workbook. Nothing was changed."),
}


def apply_value(value: str) -> imports.SentFile | None:
    """The file an Apply button is for (its value), None if it is not one of ours."""
    try:
        data = json.loads(value)
        return imports.SentFile(str(data["file"]), str(data.get("name") or ""))
    except (ValueError, KeyError, TypeError):
        return None


def _report_blocks(report: str) -> list[dict[str, Any]]:
    """The CLI's report in code blocks, as many as fit; what does not fit is counted."""
    lines = [escape(line).replace("```", "'''") for line in report.splitlines()]
    room = SECTION_LIMIT - 8  # the fences
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    size = 0
    for shown, line in enumerate(lines):
        line = line[:room]
        if chunk and size + len(line) + 1 > room:
            if len(blocks) + 1 == REPORT_SECTIONS:
                blocks.append(section(f"```{chr(10).join(chunk)}```"))
                rest = len(lines) - shown
                more = n_(
                    "…and {n} more line: `python -m exports import` shows all.",
                    "…and {n} more lines: `python -m exports import` shows all.",
                    rest,
                )
                blocks.append(context(more.format(n=rest)))
                return blocks
            blocks.append(section(f"```{chr(10).join(chunk)}```"))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section(f"```{chr(10).join(chunk)}```"))
    return blocks


def render_preview(message: imports.ImportPreview) -> Rendered:
    result = message.result
    name = escape(message.name)
    blocks = _report_blocks(result.report)
    if not result.ok:
        text = _("Nothing in *{name}* can be imported yet: correct the errors and send it again.").format(name=name)
    elif not result.changes:
        text = _("*{name}* matches the register: there is nothing to import.").format(name=name)
    else:
        text = _("Import preview of *{name}*: nothing has been changed yet. *Apply* imports it.").format(name=name)
        button = {
            "type": "button",
            "action_id": APPLY_ACTION,
            "style": "primary",
            "value": json.dumps({"file": message.file_id, "name": message.name[:300]}),
            "text": {"type": "plain_text", "text": _("Apply")},
        }
        return text, [section(text), *blocks, {"type": "actions", "elements": [button]}]
    return text, [section(text), *blocks]


def render_applied(message: imports.ImportApplied) -> Rendered:
    result, name = message.result, escape(message.name)
    if result.already:
        text = _("*{name}* was already imported; nothing more was changed.").format(name=name)
        return text, [section(text)]
    if result.applied:
        text = _("Imported *{name}*.").format(name=name)
    else:
        text = _("Nothing from *{name}* was imported: correct the errors and send it again.").format(name=name)
    return text, [section(text), *_report_blocks(result.report)]


def render_refused(message: imports.ImportRefused) -> Rendered:
    text = _(REFUSALS[message.reason]).format(error=escape(message.error)[:100])
    return text, [section(text)]
