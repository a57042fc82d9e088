"""The innovation register in Slack: `/spindle export` on demand (the weekly delivery is a tick).

The filters are checked in the ack; the workbook is built and uploaded after it
(services/register.py), and a failure is told where the coordinator asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt import App

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.people import refresh_profile
from handlers.registry import Subcommand
from handlers.ui import exports as ui
from handlers.ui.render import render
from i18n import N_
from services import register as register_service
from services.actor import Actor

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """The export has no listeners beyond `/spindle export` and the weekly tick."""


def export(ctx: CommandContext, cmd: Export) -> Reply:
    # A bad filter is answered in the ack itself, and nothing is built.
    request = register_service.request_export(ctx.deps.uow, Actor(ctx.user_id, ctx.user_name), cmd.handle, cmd.stage)

    def after() -> None:
        if request.needs_profile:
            refresh_profile(ctx)
        register_service.deliver_export(
            ctx.deps.uow, ctx.deps.messenger, ctx.deps.register_writer, request, tell=lambda p: _ephemeral(ctx, p)
        )

    return Reply(ui.preparing(request.filters), after=after)


def _ephemeral(ctx: CommandContext, problem: object) -> bool:
    """An ephemeral follow-up through response_url; False if it was refused (it expires after 30 min)."""
    text, _blocks = render(problem)
    try:
        answer = ctx.respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("respond failed; sending a DM instead", extra={"user": ctx.user_id, "error": type(exc).__name__})
        return False
    status = getattr(answer, "status_code", 200)  # a webhook answers with a status; it does not raise
    if status >= 300:
        log.warning("respond refused; sending a DM instead", extra={"user": ctx.user_id, "status": status})
        return False
    return True


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class Export:
    handle: str | None = None
    stage: str | None = None


def _parse_export(tail: str) -> Export:
    return Export(*g.filters(tail))


COMMANDS = (
    Subcommand(
        ("export",),
        N_("/spindle export [HANDLE] [STAGE]"),
        N_("the innovation register as Excel, in a direct message"),
        _parse_export,
        export,
        "",
        coordinator=True,
    ),
)
