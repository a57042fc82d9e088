"""Which ui function renders which service message: one explicit map, no registration by import.

Services hand the Messenger port plain message dataclasses (services/*); the Slack adapter asks
`render` for the fallback text and blocks of each. A message type with no renderer is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.ui import innovations as innovations_ui
from services import innovations

Rendered = tuple[str, list[dict]]

RENDERERS: dict[type, Callable[[Any], Rendered]] = {
    # message type: renderer — each feature adds its own lines here.
    # --- innovations ---
    innovations.InnovationCard: innovations_ui.card_message,
    innovations.LogConfirmation: innovations_ui.log_confirmation,
    innovations.EditConfirmation: innovations_ui.edit_confirmation,
}


def render(message: object) -> Rendered:
    if isinstance(message, str):  # a plain sentence already in words (rare: courtesy notes)
        return message, []
    try:
        renderer = RENDERERS[type(message)]
    except KeyError:
        raise TypeError(f"no renderer for {type(message).__name__}") from None
    return renderer(message)


def render_home(home: object) -> dict:
    """The Home tab view for a service's home data."""
    renderer = RENDERERS[type(home)]
    _text, blocks = renderer(home)
    return {"type": "home", "blocks": blocks}
