"""Retries are harmless: an Events API delivery is acted on once, however often Slack sends it.

Slack redelivers an event (with `X-Slack-Retry-Num`) when our answer was slow or failed. This
global middleware claims each `event_id` in the database before any listener runs; a delivery
already claimed is acknowledged and skipped. A retry of an event we never claimed (we were down)
still runs. Buttons and view submissions claim their own keys with `models.deliveries`.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from handlers.deps import Deps
from models.deliveries import claim_delivery
from models.errors import Unavailable

log = logging.getLogger(__name__)


def event_key(body: dict) -> str | None:
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return None
    return f"event:{body['event_id']}"


def register(app: App, deps: Deps) -> None:
    @app.use
    def once_per_event(body: dict, request, next_):
        key = event_key(body)
        if key is None:
            return next_()
        try:
            with deps.db.transaction() as session:
                first = claim_delivery(session, key, deps.clock.now())
        except Unavailable:
            # Without the database we cannot tell; a rare duplicate beats a lost event.
            log.warning("event not de-duplicated: database unavailable", extra={"event_id": body.get("event_id")})
            return next_()
        if first:
            return next_()
        retry = (request.headers.get("x-slack-retry-num") or [None])[0]
        log.info(
            "duplicate event skipped",
            extra={"event_id": body.get("event_id"), "retry_num": retry, "event_type": (body.get("event") or {}).get("type")},
        )
        return BoltResponse(status=200, body="")
