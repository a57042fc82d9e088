"""Every request is answered in its person's language: a global middleware names the reader.

The language is a context variable (i18n), resolved when the first word is written: by then the
request's service has usually loaded the person's row, and services/reader.py noted their
language from it, so the reply costs no query of its own. The listener pool copies the request's
context (bot/app.ListenerExecutor), so the ack, the modal and the work after the ack all see it.
Channel posts and scheduled messages carry their own language and set it when rendered
(handlers/ui/render.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

import i18n
from handlers.deps import Deps
from models.errors import Unavailable
from services import reader as readers

log = logging.getLogger(__name__)


def user_of(body: dict[str, Any]) -> str:
    """The Slack user a request comes from: a command, a click, a submission or an event."""
    user = body.get("user_id") or body.get("user") or (body.get("event") or {}).get("user") or ""
    if isinstance(user, dict):
        user = user.get("id") or ""
    return user if isinstance(user, str) else ""


def register(app: App, deps: Deps) -> None:
    @app.use
    def in_their_language(body: dict, next_):
        reader = readers.expect(user_of(body))

        def resolve() -> str:
            try:
                return readers.language(deps.uow, reader)
            except Unavailable:  # the reply itself says the database is down, in the default language
                return deps.uow.language

        i18n.use_lazily(resolve)
        return next_()
