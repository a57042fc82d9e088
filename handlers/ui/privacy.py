"""Block Kit for `/spindle forget-me`: what will be erased, and a confirm and a cancel button."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from handlers.ui.common import context, section
from i18n import N_, _, n_
from services import privacy

CONFIRM_ACTION = "forget_me_confirm"
CANCEL_ACTION = "forget_me_cancel"

ASK_TEXT = N_("Forget me: erase my personal data from Spindle Bot?")
EXPLAIN = N_(
    "*Erase your personal data from Spindle Bot?*\n"
    "• your stand-up answers (and the replies I posted with them)\n"
    "• your name, organisation and time zone\n"
    "• your group memberships and any group you lead\n"
    "Innovations, notes and stage changes you made stay, shown as by a *former member*. "
    "This cannot be undone; if you use Spindle Bot again later you start as a new member."
)


LAST_COORDINATOR = N_(
    ":warning: You are the last coordinator. Afterwards nobody can create groups, add coordinators or "
    "export the register until someone listed in `SPINDLE_COORDINATORS` uses Spindle Bot, or you first "
    "`/spindle coordinator add @someone`."
)


def confirm_blocks(token: str, last_coordinator: bool = False) -> list[dict]:
    buttons = ActionsBlock(
        block_id="forget_me",
        elements=[
            ButtonElement(text=_("Erase my data"), action_id=CONFIRM_ACTION, value=token, style="danger"),
            ButtonElement(text=_("Cancel"), action_id=CANCEL_ACTION, value="cancel"),
        ],
    )
    warning = [section(_(LAST_COORDINATOR))] if last_coordinator else []
    return [section(_(EXPLAIN)), *warning, buttons.to_dict()]


def done_text(answers: int, groups_left: list[str], replies_failed: int) -> str:
    erased = n_("{n} stand-up answer", "{n} stand-up answers", answers).format(n=answers)
    if groups_left:
        handles = ", ".join(f"`{h}`" for h in groups_left)
        text = _(
            "Done: your personal data is erased ({answers}; you left {groups}). "
            "Your innovations stay, shown as by a former member."
        ).format(answers=erased, groups=handles)
    else:
        text = _(
            "Done: your personal data is erased ({answers}). Your innovations stay, shown as by a former member."
        ).format(answers=erased)
    if replies_failed:
        text += " " + n_(
            "{n} thread reply could not be cleared yet; a coordinator can remove it.",
            "{n} thread replies could not be cleared yet; a coordinator can remove them.",
            replies_failed,
        ).format(n=replies_failed)
    return text


REMOVED_REPLY = N_("_This stand-up answer was removed at its author's request._")
ALREADY = N_("There is nothing to erase: Spindle Bot holds no personal data of yours.")
CANCELLED = N_("Nothing was erased.")


def done_blocks(text: str) -> list[dict]:
    return [section(text), context(_("Spindle Bot · privacy"))]


def render_reply_removed(_message: privacy.ReplyRemoved) -> tuple[str, list[dict]]:
    return _(REMOVED_REPLY), []
