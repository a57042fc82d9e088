"""The innovation log's Slack side: `/spindle log|list|show|stage|note|edit`, the modal's
submission and the "Log as innovation" message shortcut.

Each listener parses the payload, calls one service (services/innovations.py) and renders the
result with handlers/ui/innovations.py. Where Slack needs an answer within 3 seconds, the
follow-up that may be slow (the channel card, the confirmation, the permalink) runs after the
ack, as a second call to the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.grammar import UsageError
from handlers.home import publish_after
from handlers.modals import Failed, open_modal
from handlers.people import refresh_profile, refresh_quietly
from handlers.registry import Subcommand
from handlers.slack_messenger import error_name
from handlers.ui import innovation_input
from handlers.ui import innovations as ui
from handlers.ui.common import busy_again, too_late_again
from handlers.ui.errors import describe
from i18n import N_, _
from models.errors import DomainError, Unavailable
from services import innovations as service
from services.actor import Actor
from services.ports import MessengerError

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(ui.CALLBACK_ID)
    def modal_submitted(ack: Ack, body: dict) -> None:
        handle_submission(deps, ack, body)

    @app.shortcut(ui.SHORTCUT_ID)
    def log_as_innovation(ack: Ack, body: dict, client: WebClient, respond: Respond) -> None:
        ack()
        handle_shortcut(deps, body, client, respond)


# --- /spindle commands ----------------------------------------------------------------------------


def _actor(ctx: CommandContext) -> Actor:
    return Actor(ctx.user_id, ctx.user_name)


def _reply(
    ctx: CommandContext,
    result: service.Acted,
    text: str,
    blocks: list[dict] | None = None,
    after: Callable[[], None] | None = None,
) -> Reply:
    """The reply; first after the ack, a new member's Slack profile (name, time zone) is fetched."""
    if not result.profile_due:
        return Reply(text, blocks, after)

    def then() -> None:
        refresh_profile(ctx)
        if after is not None:
            after()

    return Reply(text, blocks, then)


def _open_modal(ctx: CommandContext, view: dict, again: str) -> Callable[[], None]:
    def after() -> None:
        opened = open_modal(ctx.client, ctx.trigger_id, view, ctx.user_id)
        if isinstance(opened, Failed):
            text = busy_again(again) if opened is Failed.BUSY else too_late_again(again)
            ctx.respond(response_type="ephemeral", replace_original=False, text=text)

    return after


def log_modal(ctx: CommandContext, cmd: LogModal) -> Reply:
    form = service.log_form(ctx.deps.uow, _actor(ctx))
    return _reply(ctx, form, _(ui.OPENING_LOG), after=_open_modal(ctx, ui.modal(form.groups), "/spindle log"))


def log_quick(ctx: CommandContext, cmd: LogQuick) -> Reply:
    logged = service.quick_log(ctx.deps.uow, _actor(ctx), cmd.handle, cmd.title)
    innovation = logged.innovation
    if not innovation.group_channel:
        return _reply(ctx, logged, ui.quick_logged(innovation, logged.related))

    def after() -> None:
        outcome = service.post_card(ctx.deps.uow, ctx.deps.messenger, innovation)
        if outcome.status != "posted":
            ctx.respond(response_type="ephemeral", replace_original=False, text=ui.card_line(outcome))

    return _reply(ctx, logged, ui.quick_logged(innovation, logged.related), after=after)


def list_(ctx: CommandContext, cmd: ListInnovations) -> Reply:
    listing = service.list_innovations(ctx.deps.uow, _actor(ctx), cmd.handle, cmd.stage)
    return _reply(ctx, listing, *ui.list_reply(listing))


def show(ctx: CommandContext, cmd: Show) -> Reply:
    shown = service.show(ctx.deps.uow, _actor(ctx), cmd.ref)
    return _reply(ctx, shown, *ui.show_reply(shown))


def stage(ctx: CommandContext, cmd: Stage) -> Reply:
    moved = service.move_stage(ctx.deps.uow, _actor(ctx), cmd.ref, cmd.stage, cmd.note)
    text = ui.stage_moved(moved.innovation, moved.from_stage, moved.to_stage)
    if not moved.innovation.card_ts:
        return _reply(ctx, moved, text)

    def after() -> None:
        service.update_card(ctx.deps.uow, ctx.deps.messenger, moved.innovation)

    return _reply(ctx, moved, text, after=after)


def note(ctx: CommandContext, cmd: Note) -> Reply:
    added = service.add_note(ctx.deps.uow, _actor(ctx), cmd.ref, cmd.text)
    return _reply(ctx, added, ui.note_added(added.ref, added.title))


def edit(ctx: CommandContext, cmd: Edit) -> Reply:
    form = service.edit_form(ctx.deps.uow, _actor(ctx), cmd.ref)
    view = ui.modal(form.groups, values=form.values, ref=form.id)
    return _reply(ctx, form, ui.opening_edit(form.ref), after=_open_modal(ctx, view, f"/spindle edit {form.ref}"))


# --- the modal's submission ------------------------------------------------------------------------


def handle_submission(deps: Deps, ack: Ack, body: dict) -> None:
    """Validate and save in one transaction → inline errors (nothing saved) or ack → card → DM.

    Saving before the ack keeps every problem in the form, where the person can fix it. A
    double click or Slack's retry submits the same view again, with the same view id and hash:
    the service's claim on them makes that second arrival save nothing and simply close the form.
    """
    actor = Actor((body.get("user") or {}).get("id", ""))
    view = body.get("view") or {}
    data = innovation_input.submitted((view.get("state") or {}).get("values") or {})
    ref = innovation_input.metadata_ref(view.get("private_metadata"))
    claim = f"view:{view.get('id')}:{view.get('hash')}" if view.get("id") else None
    try:
        saved = service.save_form(deps.uow, actor, data, ref=ref, claim=claim)
    except service.InvalidFields as exc:
        ack(response_action="errors", errors={field: describe(error) for field, error in exc.errors.items()})
        return
    except Unavailable as exc:
        ack(response_action="errors", errors={"title": describe(exc)})
        return
    except DomainError as exc:  # not allowed in that group, the group was archived, no such innovation…
        ack(response_action="errors", errors={"group": describe(exc)})
        return
    except Exception:
        log.exception("innovation save failed", extra={"user": actor.user_id})
        ack(response_action="errors", errors={"title": _(ui.OOPS)})
        return
    ack()
    if saved is None:
        log.info("duplicate modal submission skipped", extra={"user": actor.user_id, "view": view.get("id")})
        return
    service.announce(deps.uow, deps.messenger, actor, saved)
    if saved.profile_due:  # a profile fetch that failed on an earlier contact is tried again
        refresh_quietly(deps, actor)
    publish_after(deps, actor.user_id)  # Your innovations, on the Home tab, now shows it


# --- the message shortcut --------------------------------------------------------------------------


def handle_shortcut(deps: Deps, body: dict, client: WebClient, respond: Respond | None) -> None:
    """Open the form with the message as summary, then fill in its permalink.

    The trigger_id is only good for 3 seconds, so the form opens first; `chat.getPermalink`
    (which may be slow or rate-limited) comes after, and its link is put in with `views.update`
    (Slack keeps what the person already typed, as the block and action ids do not change).
    If the permalink cannot be had, the form simply stays without a link.
    """
    user_id = (body.get("user") or {}).get("id", "")
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or ""
    message_ts = message.get("ts") or body.get("message_ts") or ""
    try:
        prefill = service.prefill(deps.uow, Actor(user_id), message.get("text") or "")
        view = ui.modal(prefill.groups, values=prefill.values) if prefill.groups else None
    except Exception:
        log.exception("log-as-innovation shortcut failed", extra={"user": user_id})
        _respond(deps, respond, user_id, _(ui.OOPS))
        return
    if view is None:
        _respond(deps, respond, user_id, _(ui.SHORTCUT_NO_GROUP))
        return
    opened = open_modal(client, body.get("trigger_id", ""), view, user_id)
    if isinstance(opened, Failed):
        _respond(deps, respond, user_id, _(ui.SHORTCUT_BUSY if opened is Failed.BUSY else ui.SHORTCUT_TOO_LATE))
        return
    if not channel or not message_ts:
        return
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=message_ts).get("permalink")
    except Exception as exc:
        log.warning("chat.getPermalink failed; form left without link", extra={"error": error_name(exc)})
        return
    if not permalink:
        return
    opened_view = opened
    values = replace(prefill.values, link=permalink)
    try:
        client.views_update(
            view_id=opened_view.get("id"), hash=opened_view.get("hash"), view=ui.modal(prefill.groups, values=values)
        )
    except Exception as exc:  # e.g. the person already submitted or closed the form
        log.warning("views.update with permalink failed", extra={"user": user_id, "error": error_name(exc)})


def _respond(deps: Deps, respond: Respond | None, user_id: str, text: str) -> None:
    """An ephemeral line where the shortcut was used (its response_url), else a DM."""
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception as exc:
            log.warning("response_url failed", extra={"user": user_id, "error": type(exc).__name__})
    try:
        deps.messenger.post(user_id, text)
    except MessengerError as exc:
        log.warning("direct message not sent", extra={"user": user_id, "error": exc.error})


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class LogModal:
    pass


@dataclass(frozen=True)
class LogQuick:
    handle: str
    title: str


@dataclass(frozen=True)
class ListInnovations:
    handle: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Show:
    ref: int


@dataclass(frozen=True)
class Stage:
    ref: int
    stage: str
    note: str = ""


@dataclass(frozen=True)
class Note:
    ref: int
    text: str


@dataclass(frozen=True)
class Edit:
    ref: int


def _parse_log(tail: str) -> LogModal | LogQuick:
    words = g.split(tail, 1)
    if not words:
        return LogModal()
    handle = g.handle(words[0])
    if len(words) < 2:
        raise UsageError(_("Give a title after the group's handle, or type `/spindle log` for the form."))
    title = " ".join(words[1].split())
    if len(title) > 150:
        raise UsageError(
            _("The title is {length} characters; 150 is the most. Put the rest in the summary.").format(
                length=len(title)
            )
        )
    return LogQuick(handle, title)


def _parse_list(tail: str) -> ListInnovations:
    return ListInnovations(*g.filters(tail))


def _parse_show(tail: str) -> Show:
    return Show(g.ref(g.one(tail.split(), "REF")))


def _parse_edit(tail: str) -> Edit:
    return Edit(g.ref(g.one(tail.split(), "REF")))


def _parse_stage(tail: str) -> Stage:
    words = g.split(tail, 2)
    if len(words) < 2:
        raise UsageError(_("Give the innovation's REF and the new STAGE."))
    note = g.free_text(words[2] if len(words) > 2 else "", _("note"), required=False)
    return Stage(g.ref(words[0]), g.stage(words[1]), note)


def _parse_note(tail: str) -> Note:
    words = g.split(tail, 1)
    if not words:
        raise UsageError(_("Give the innovation's REF and the note."))
    return Note(g.ref(words[0]), g.free_text(words[1] if len(words) > 1 else "", _("note text")))


def log_innovation(ctx: CommandContext, cmd: LogModal | LogQuick) -> Reply:
    return log_modal(ctx, cmd) if isinstance(cmd, LogModal) else log_quick(ctx, cmd)


INNOVATIONS = N_("Innovations")
COMMANDS = (
    Subcommand(
        ("log",),
        N_("/spindle log  or  /spindle log HANDLE TITLE"),
        N_("the form, or a quick log"),
        _parse_log,
        log_innovation,
        INNOVATIONS,
    ),
    Subcommand(
        ("list",),
        N_("/spindle list [HANDLE] [STAGE]"),
        N_("the 20 most recently updated"),
        _parse_list,
        list_,
        INNOVATIONS,
    ),
    Subcommand(
        ("show",), N_("/spindle show INN-12"), N_("one innovation with its history"), _parse_show, show, INNOVATIONS
    ),
    Subcommand(
        ("stage",),
        N_("/spindle stage INN-12 STAGE [NOTE]"),
        N_("stages: idea, exploring, piloting, scaling, adopted, parked, dropped"),
        _parse_stage,
        stage,
        INNOVATIONS,
    ),
    Subcommand(("note",), N_("/spindle note INN-12 TEXT"), N_("a dated note"), _parse_note, note, INNOVATIONS),
    Subcommand(("edit",), N_("/spindle edit INN-12"), N_("the form, filled in"), _parse_edit, edit, INNOVATIONS),
)
