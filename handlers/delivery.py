"""Retries are harmless: an Events API delivery is acted on once, however often Slack sends it.

Slack redelivers an event (with `X-Slack-Retry-Num`) when our answer was slow or failed. This
global middleware claims each `event_id` in the database before any listener runs; a delivery
already claimed is acknowledged and skipped. A retry of an event we never claimed (we were down)
still runs. Buttons and view submissions claim their own keys (services/deliveries.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from handlers.deps import Deps
from handlers.ui.delivery import OOPS, problem_view
from handlers.ui.errors import describe
from i18n import _
from models.errors import DomainError, Unavailable
from services import deliveries

log = logging.getLogger(__name__)


def event_key(body: dict) -> str | None:
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return None
    return f"event:{body['event_id']}"


class OncePerEvent(Middleware):
    """Claims each event before any listener runs. A class, not an `@app.use` function: Bolt
    calls it directly, without working out a function's arguments for every request."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        key = event_key(body)
        if key is None:
            return next()
        try:
            first = deliveries.claim(self.deps.uow, key)
        except Unavailable:
            # Without the database we cannot tell; a rare duplicate beats a lost event.
            log.warning("event not de-duplicated: database unavailable", extra={"event_id": body.get("event_id")})
            return next()
        if first:
            return next()
        retries = req.headers.get("x-slack-retry-num") or []
        retry = retries[0] if retries else None
        log.info(
            "duplicate event skipped",
            extra={
                "event_id": body.get("event_id"),
                "retry_num": retry,
                "event_type": (body.get("event") or {}).get("type"),
            },
        )
        return BoltResponse(status=200, body="")


def register(app: App, deps: Deps) -> None:
    app.use(OncePerEvent(deps))

    @app.error
    def never_a_5xx(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
        """A listener or middleware that failed before its ack answers 200, never Bolt's 500.

        Slack shows a 5xx as a broken app; a modal then loses nothing because we push a small
        view on top of it, and the person's form is still there underneath to submit again.
        """
        kind = body.get("type") if isinstance(body, dict) else None
        if isinstance(error, DomainError):
            log.warning("request refused before its ack", extra={"kind": kind, "error": type(error).__name__})
        else:
            log.error("listener failed", exc_info=error, extra={"kind": kind})
        if response is None:  # already acknowledged: Slack has had its answer
            return None
        message = _(OOPS)
        if isinstance(error, DomainError):
            try:
                message = describe(error)
            except KeyError:  # a code with no words is a bug (tests/test_catalogue.py); still never a 5xx
                log.error("no words for an error code", extra={"code": error.code})
        if kind == "view_submission":
            return BoltResponse(status=200, body={"response_action": "push", "view": problem_view(message)})
        return BoltResponse(status=200, body="")
