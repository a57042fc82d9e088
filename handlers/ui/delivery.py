"""What a person sees when a request failed before its ack (handlers/delivery.py's error handler)."""

from __future__ import annotations

from slack_sdk.models.views import View

from handlers.ui.common import context, section
from i18n import N_, _

OOPS = N_("Sorry, something went wrong on my side and nothing was changed. Please try again in a minute.")


def problem_view(message: str) -> dict:
    """Pushed over a modal whose submission failed: the form underneath keeps what was typed."""
    blocks = [section(message), context(_("Close this to return to your form; what you typed is still there."))]
    return View(type="modal", title=_("Not saved"), close=_("Back"), blocks=blocks).to_dict()
