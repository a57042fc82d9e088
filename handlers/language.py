"""Every request is answered in its person's language: a global middleware sets it first.

The language is a context variable (i18n); the listener pool copies the request's context
(bot/app.ListenerExecutor), so the reply, the modal and the work after the ack all see it.
It is found when the first word is written: by then the request's service has usually read the
person (services.people.arrive), so most replies cost no query for it (tests/test_statement_counts.py).
Channel posts and scheduled messages carry their own language and set it when rendered
(handlers/ui/render.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

import i18n
from handlers.deps import Deps
from models.errors import Unavailable
from services import people

log = logging.getLogger(__name__)


def user_of(body: dict[str, Any]) -> str:
    """The Slack user a request comes from: a command, a click, a submission or an event."""
    user = body.get("user_id") or body.get("user") or (body.get("event") or {}).get("user") or ""
    if isinstance(user, dict):
        user = user.get("id") or ""
    return user if isinstance(user, str) else ""


class InTheirLanguage(Middleware):
    """Sets the request's language, found when first needed. A class, not an `@app.use` function:
    Bolt calls it directly, without working out a function's arguments for every request."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        user_id = user_of(req.body)
        uow = self.deps.uow

        def resolve() -> str:
            try:
                return people.reader_language(uow, user_id)
            except Unavailable:  # the request itself will say the database is down, in the default language
                return uow.language

        people.new_request()
        i18n.use_when_needed(resolve, uow.language)
        return next()


def register(app: App, deps: Deps) -> None:
    app.use(InTheirLanguage(deps))
