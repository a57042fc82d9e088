"""`/spindle forget-me`: ask, then erase the person's data once they confirm (see SPEC, Privacy)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import ForgetMe
from handlers.router import executes
from handlers.ui import privacy as ui
from models.errors import DomainError
from models.people import is_last_coordinator
from models.privacy import Erasure, forget_member, forget_token

log = logging.getLogger(__name__)
REMOVED_REPLY = "_This stand-up answer was removed at its author's request._"


def register(app: App, deps: Deps) -> None:
    @app.action(ui.CONFIRM_ACTION)
    def confirm(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user_id = (body.get("user") or {}).get("id", "")
        try:
            with deps.db.transaction() as session:
                erasure = forget_member(session, user_id, deps.clock.now(), token=action.get("value") or "")
        except DomainError as exc:  # out-of-date button, or the database is down
            respond(response_type="ephemeral", replace_original=False, text=exc.message)
            return
        if not erasure.done:  # a second click, or someone the bot never knew
            respond(response_type="ephemeral", replace_original=True, text=ui.ALREADY)
            return
        log.info("member forgotten", extra={"answers": erasure.answers, "groups_left": len(erasure.groups_left)})
        failed = clear_replies(client, erasure)
        text = ui.done_text(erasure.answers, erasure.groups_left, failed)
        respond(response_type="ephemeral", replace_original=True, text=text, blocks=ui.done_blocks(text))

    @app.action(ui.CANCEL_ACTION)
    def cancel(ack: Ack, respond: Respond) -> None:
        ack()
        respond(response_type="ephemeral", replace_original=True, text=ui.CANCELLED)


def clear_replies(client: WebClient, erasure: Erasure) -> int:
    """Replace the answers we posted in stand-up threads; the database is already erased. Returns failures."""
    failed = 0
    for channel, ts in erasure.replies:
        try:
            client.chat_update(channel=channel, ts=ts, text=REMOVED_REPLY, blocks=[])
        except Exception as exc:  # the erasure is committed; a message we could not clear is reported, not fatal
            failed += 1
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("could not clear a stand-up reply", extra={"channel": channel, "error": error})
    return failed


@executes(ForgetMe)
def forget_me(session, member, cmd: ForgetMe, ctx: CommandContext) -> Reply:
    # Erasure is the person's right, so it is not refused; the prompt says what it will cost.
    last = is_last_coordinator(session, member)
    return Reply(ui.ASK_TEXT, ui.confirm_blocks(forget_token(member), last_coordinator=last))
