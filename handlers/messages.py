"""The Messages tab (`message.im`): a person who writes to the bot gets a short pointer to the
Home tab and `/spindle help`, since no command is read from a message."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.ui.messages import messages_tab_reply

log = logging.getLogger(__name__)


def written_by_a_person(event: dict) -> bool:
    """A new direct message that a person typed: not a bot's, not an edit, deletion or join
    (those carry a subtype), and not a file."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and not event.get("files")
    )


def register(app: App, deps: Deps) -> None:
    # One listener for every `message` event, so Bolt never logs one as unhandled.
    @app.event("message")
    def direct_message(event: dict, body: dict, client: WebClient) -> None:
        if event.get("subtype") == "file_share" or event.get("files"):
            # Seam: a file sent to the bot (an .xlsx register to import) is for the import feature;
            # until it registers here, a file gets no reply rather than a misleading one.
            return
        if not written_by_a_person(event):
            return
        text, blocks = messages_tab_reply(body.get("team_id"), body.get("api_app_id"))
        try:
            client.chat_postMessage(
                channel=event["channel"], text=text, blocks=blocks, thread_ts=event.get("thread_ts")
            )
        except SlackApiError as exc:
            log.warning(
                "messages-tab reply failed", extra={"user": event.get("user"), "error": exc.response.get("error")}
            )
