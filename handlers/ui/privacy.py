"""Block Kit for `/spindle forget-me`: what will be erased, and a confirm and a cancel button."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from handlers.ui.common import context, section
from services import privacy

CONFIRM_ACTION = "forget_me_confirm"
CANCEL_ACTION = "forget_me_cancel"

ASK_TEXT = "Forget me: erase my personal data from Spindle Bot?"
EXPLAIN = (
    "*Erase your personal data from Spindle Bot?*\n"
    "• your stand-up answers (and the replies I posted with them)\n"
    "• your name, organisation and time zone\n"
    "• your group memberships and any group you lead\n"
    "Innovations, notes and stage changes you made stay, shown as by a *former member*. "
    "This cannot be undone; if you use Spindle Bot again later you start as a new member."
)


LAST_COORDINATOR = (
    ":warning: You are the last coordinator. Afterwards nobody can create groups, add coordinators or "
    "export the register until someone listed in `SPINDLE_COORDINATORS` uses Spindle Bot, or you first "
    "`/spindle coordinator add @someone`."
)


def confirm_blocks(token: str, last_coordinator: bool = False) -> list[dict]:
    buttons = ActionsBlock(
        block_id="forget_me",
        elements=[
            ButtonElement(text="Erase my data", action_id=CONFIRM_ACTION, value=token, style="danger"),
            ButtonElement(text="Cancel", action_id=CANCEL_ACTION, value="cancel"),
        ],
    )
    warning = [section(LAST_COORDINATOR)] if last_coordinator else []
    return [section(EXPLAIN), *warning, buttons.to_dict()]


def done_text(answers: int, groups_left: list[str], replies_failed: int) -> str:
    parts = [f"Done: your personal data is erased ({answers} stand-up answer{'s' if answers != 1 else ''}"]
    if groups_left:
        parts.append(f"; you left {', '.join(f'`{h}`' for h in groups_left)}")
    text = "".join(parts) + "). Your innovations stay, shown as by a former member."
    if replies_failed:
        text += f" {replies_failed} thread repl{'ies' if replies_failed != 1 else 'y'} could not be cleared yet; a coordinator can remove them."
    return text


REMOVED_REPLY = "_This stand-up answer was removed at its author's request._"
ALREADY = "There is nothing to erase: Spindle Bot holds no personal data of yours."
CANCELLED = "Nothing was erased."


def done_blocks(text: str) -> list[dict]:
    return [section(text), context("Spindle Bot · privacy")]


def render_reply_removed(_message: privacy.ReplyRemoved) -> tuple[str, list[dict]]:
    return REMOVED_REPLY, []
