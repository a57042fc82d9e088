"""`/spindle forget-me`: ask, then erase the person's data once they confirm (see SPEC, Privacy)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import Ack, App, Respond

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.people import refresh_profile
from handlers.registry import Subcommand
from handlers.ui import privacy as ui
from handlers.ui.errors import describe
from i18n import N_, _
from models.errors import DomainError
from services import privacy
from services.actor import Actor


def register(app: App, deps: Deps) -> None:
    @app.action(ui.CONFIRM_ACTION)
    def confirm(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        user_id = (body.get("user") or {}).get("id", "")
        try:
            forgotten = privacy.forget(deps.uow, deps.messenger, user_id, action.get("value") or "")
        except DomainError as exc:  # out-of-date button, or the database is down
            respond(response_type="ephemeral", replace_original=False, text=describe(exc))
            return
        if not forgotten.done:  # a second click, or someone the bot never knew
            respond(response_type="ephemeral", replace_original=True, text=_(ui.ALREADY))
            return
        text = ui.done_text(forgotten.answers, list(forgotten.groups_left), forgotten.replies_failed)
        respond(response_type="ephemeral", replace_original=True, text=text, blocks=ui.done_blocks(text))

    @app.action(ui.CANCEL_ACTION)
    def cancel(ack: Ack, respond: Respond) -> None:
        ack()
        respond(response_type="ephemeral", replace_original=True, text=_(ui.CANCELLED))


def forget_me(ctx: CommandContext, cmd: ForgetMe) -> Reply:
    # Erasure is the person's right, so it is not refused; the prompt says what it will cost.
    prompt = privacy.forget_prompt(ctx.deps.uow, Actor(ctx.user_id, ctx.user_name))
    after = (lambda: refresh_profile(ctx)) if prompt.needs_profile else None
    return Reply(_(ui.ASK_TEXT), ui.confirm_blocks(prompt.token, last_coordinator=prompt.last_coordinator), after=after)


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class ForgetMe:
    pass


def _parse_forget(tail: str) -> ForgetMe:
    g.nothing(tail.split(), "forget-me")
    return ForgetMe()


COMMANDS = (
    Subcommand(
        ("forget-me",),
        N_("/spindle forget-me"),
        N_("erase your personal data (asks first)"),
        _parse_forget,
        forget_me,
        N_("Privacy"),
    ),
)
