"""Opening a modal: the one path every button, command and shortcut that shows a form takes.

A trigger_id lives 3 seconds, so `views.open` gets no second chance after a 429 (Tier 4): the
bot's client would sleep out Retry-After and retry with a dead trigger, or fail in silence. Here
the call goes through a copy of the client that retries only a lost connection, once, and the
caller tells the person what happened: Slack busy (429, 5xx, a timeout: click again in a
moment) or the form refused (an expired trigger and the like).
"""

from __future__ import annotations

import logging
from enum import Enum
from functools import lru_cache
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from handlers.slack_messenger import TRANSIENT_ERRORS, error_name

log = logging.getLogger(__name__)


class Failed(Enum):
    BUSY = "busy"  # rate-limited or a transient error: the same click will work in a moment
    REFUSED = "refused"  # e.g. expired_trigger_id: Slack will not open this one


@lru_cache(maxsize=8)
def _trigger_client(client: WebClient) -> WebClient:
    """`client` without the retries that outlive a trigger_id (429's Retry-After, 5xx backoff)."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        headers=dict(client.headers),
        logger=client.logger,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any], user_id: str) -> dict[str, Any] | Failed:
    """`views.open`: Slack's opened view, or why it did not open (logged here, told by the caller)."""
    try:
        response = _trigger_client(client).views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        busy = status == 429 or status >= 500 or exc.response.get("error") in TRANSIENT_ERRORS
        log.warning("views.open failed", extra={"user": user_id, "error": error_name(exc)})
        return Failed.BUSY if busy else Failed.REFUSED
    except OSError as exc:  # connection refused or reset, timeouts (URLError is an OSError)
        log.warning("views.open failed", extra={"user": user_id, "error": type(exc).__name__})
        return Failed.BUSY
    view_opened: dict[str, Any] = response.get("view") or {}
    return view_opened
