"""The Messages tab (`message.im`): a person who writes to the bot gets a short pointer to the
Home tab and `/spindle help`, since no command is read from a message; a file they send is a
register to import (services/imports.py), previewed in reply with an Apply button."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.ui.imports import APPLY_ACTION, apply_value
from handlers.ui.messages import messages_tab_reply
from services import imports
from services.actor import Actor

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


def file_sent(event: dict) -> imports.SentFile | None:
    """The file a person shared in their direct message with the bot (the first, if several)."""
    if event.get("channel_type") != "im" or event.get("subtype") != "file_share" or event.get("bot_id"):
        return None
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]
    if not event.get("user") or not files:
        return None
    workbooks = [f for f in files if str(f.get("name") or "").lower().endswith(imports.WORKBOOK_SUFFIX)]
    chosen = (workbooks or files)[0]
    return imports.SentFile(str(chosen["id"]), str(chosen.get("name") or ""))


def register(app: App, deps: Deps) -> None:
    # One listener for every `message` event, so Bolt never logs one as unhandled.
    @app.event("message")
    def direct_message(event: dict, body: dict, client: WebClient) -> None:
        if event.get("subtype") == "file_share" or event.get("files"):
            # Bolt acked the event before this runs: the download and preview are after the ack.
            file = file_sent(event)
            if file is not None and deps.register_importer is not None:
                actor = Actor(event["user"])
                imports.receive_file(deps.uow, deps.messenger, deps.register_importer, actor, event["channel"], file)
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

    @app.action(APPLY_ACTION)
    def apply_import(ack, body: dict, action: dict) -> None:
        ack()  # the download and the import run after it
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id")
        file = apply_value(str(action.get("value") or ""))
        if not channel or not user or file is None or deps.register_importer is None:
            return
        imports.apply_file(deps.uow, deps.messenger, deps.register_importer, Actor(user), channel, file)
