"""Which ui function renders which service message: one explicit map, no registration by import.

Services hand the Messenger port plain message dataclasses (services/*); the Slack adapter asks
`render` for the fallback text and blocks of each. A message type with no renderer is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.ui import controls as controls_ui
from handlers.ui import exports as exports_ui
from handlers.ui import home as home_ui
from handlers.ui import imports as imports_ui
from handlers.ui import innovations as innovations_ui
from handlers.ui import privacy as privacy_ui
from handlers.ui import standups as standups_ui
from i18n import speaking
from services import home, imports, innovations, privacy, register
from services.standups import messages as standups_msg

Rendered = tuple[str, list[dict[str, Any]]]

RENDERERS: dict[type, Callable[[Any], Rendered]] = {
    # message type: renderer — each feature adds its own lines here.
    # --- privacy, the Home tab, the register ---
    privacy.ReplyRemoved: privacy_ui.render_reply_removed,
    home.Home: home_ui.render_home,
    register.RegisterFile: exports_ui.render_file,
    register.UploadFailed: exports_ui.render_upload_failed,
    register.BuildFailed: exports_ui.render_build_failed,
    register.ExportRefused: exports_ui.render_refused,
    # --- the import from Slack ---
    imports.ImportPreview: imports_ui.render_preview,
    imports.ImportApplied: imports_ui.render_applied,
    imports.ImportRefused: imports_ui.render_refused,
    # --- innovations ---
    innovations.InnovationCard: innovations_ui.card_message,
    innovations.LogConfirmation: innovations_ui.log_confirmation,
    innovations.EditConfirmation: innovations_ui.edit_confirmation,
    # --- stand-ups ---
    standups_msg.ChannelMessage: standups_ui.channel_message,
    standups_msg.Prompt: standups_ui.prompt_message,
    standups_msg.AnsweredPrompt: controls_ui.answered_prompt,
    standups_msg.Reminder: standups_ui.reminder_message,
    standups_msg.NoChannelNote: standups_ui.no_channel_message,
    standups_msg.AnswerReply: standups_ui.answer_reply,
    standups_msg.Summary: standups_ui.summary_message,
}


def render(message: object) -> Rendered:
    """Text and blocks, in the message's own `language` when it has one (a channel post is in its
    group's language, a direct message in its reader's), else in the current reader's."""
    if isinstance(message, str):  # a plain sentence already in words (rare: courtesy notes)
        return message, []
    try:
        renderer = RENDERERS[type(message)]
    except KeyError:
        raise TypeError(f"no renderer for {type(message).__name__}") from None
    with speaking(getattr(message, "language", None)):
        return renderer(message)


def render_home(home: object) -> dict[str, Any]:
    """The Home tab view for a service's home data."""
    renderer = RENDERERS[type(home)]
    with speaking(getattr(home, "language", None)):
        _text, blocks = renderer(home)
    return {"type": "home", "blocks": blocks}
