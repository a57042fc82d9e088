"""The innovation log: log (form and quick), list, show, stage, note, edit, the modal and the
"Log as innovation" message shortcut, and the card in the group's channel.

Cards: logging posts a card in the group's linked channel; later stage moves and edits update
that same card in place with `chat.update` (the card always shows the current state; the full
history is in `/spindle show`). Confirmations of a modal submission go to the person by direct
message (`chat.postMessage` to their user ID): a view submission has no channel or response_url,
and a DM works whether or not the bot is in the channel where they started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import Edit, ListInnovations, LogModal, LogQuick, Note, Show, Stage
from handlers.router import executes
from handlers.ui import innovations as ui
from handlers.ui.common import escape, shorten
from models import innovations as domain
from models.deliveries import claim_delivery
from models.errors import DomainError, Unavailable
from models.people import ensure_member

log = logging.getLogger(__name__)
OOPS = "Sorry, something went wrong on my side and nothing was saved. Please try again."


def register(app: App, deps: Deps) -> None:
    @app.view(ui.CALLBACK_ID)
    def modal_submitted(ack: Ack, body: dict, client: WebClient) -> None:
        handle_submission(deps, ack, body, client)

    @app.shortcut(ui.SHORTCUT_ID)
    def log_as_innovation(ack: Ack, body: dict, client: WebClient, respond: Respond) -> None:
        ack()
        handle_shortcut(deps, body, client, respond)


# --- the card -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardDraft:
    """A card rendered inside the transaction that changed the innovation, to send after the ack.

    Rendering there, from objects the transaction already holds, spares a second read of the
    same rows; what goes to Slack is exactly what was committed.
    """

    innovation_id: int
    handle: str
    group_channel: str | None  # where a new card goes
    card_channel: str | None  # where the existing card is, if any
    card_ts: str | None
    text: str
    blocks: list[dict]


def draft_card(innovation: domain.Innovation, tz: str) -> CardDraft:
    text, blocks = ui.card(innovation, tz)
    return CardDraft(
        innovation.id, innovation.group.handle, innovation.group.channel_id, innovation.card_channel,
        innovation.card_ts, text, blocks,
    )  # fmt: skip


def post_card(deps: Deps, client: WebClient, draft: CardDraft) -> tuple[bool, str]:
    """Post the card in the group's channel. Returns (posted, a sentence for the person about it).

    Never raises: the innovation is already saved, and a card that could not be posted is logged.
    """
    channel, handle = draft.group_channel, draft.handle
    if not channel:
        return False, f"`{handle}` has no linked channel, so no card was posted (`/spindle group channel {handle}`)."
    try:
        result = client.chat_postMessage(channel=channel, text=draft.text, blocks=draft.blocks, unfurl_links=False)
        ts = result.get("ts")
    except Exception as exc:  # a Slack error or outage must not lose the innovation (it is saved)
        log.warning(
            "innovation card not posted",
            extra={"ref": domain.ref_of(draft.innovation_id), "channel": channel, "error": _slack_error(exc)},
        )
        return False, f"I could not post its card in <#{channel}> (is the bot invited there?); the innovation is saved."
    if ts:
        with deps.db.transaction() as session:
            domain.set_card(session, draft.innovation_id, channel, str(ts))
    return True, f"Its card is in <#{channel}>."


def update_card(client: WebClient, draft: CardDraft) -> None:
    """Bring the channel card up to date after a change; a failure is logged, never raised."""
    if not draft.card_channel or not draft.card_ts:
        return
    try:
        client.chat_update(channel=draft.card_channel, ts=draft.card_ts, text=draft.text, blocks=draft.blocks)
    except Exception as exc:
        log.warning(
            "innovation card not updated",
            extra={"ref": domain.ref_of(draft.innovation_id), "channel": draft.card_channel,
                   "error": _slack_error(exc)},
        )  # fmt: skip


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__


def _dm(client: WebClient, user_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
    except Exception as exc:
        log.warning("direct message not sent", extra={"user": user_id, "error": _slack_error(exc)})


def _open_modal(ctx: CommandContext, view: dict, again: str) -> Callable[[], None]:
    def after() -> None:
        try:
            ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
        except SlackApiError as exc:
            log.warning("views.open failed", extra={"user": ctx.user_id, "error": _slack_error(exc)})
            ctx.respond(
                response_type="ephemeral",
                replace_original=False,
                text=f"Slack did not let me open the form in time. Please type `{again}` again.",
            )

    return after


def _tz(member, deps: Deps) -> str:
    return member.tz or deps.timezone


# --- /spindle commands ----------------------------------------------------------------------------


@executes(LogModal)
def log_modal(session, member, cmd: LogModal, ctx: CommandContext) -> Reply:
    groups = domain.groups_for_logging(session, member)
    if not groups:
        if member.is_coordinator:
            return Reply("There are no active action groups yet; create one with `/spindle group new HANDLE`.")
        return Reply(
            "You are not a member of any action group yet, and innovations are logged into a group. "
            "`/spindle group list` shows them; join one with `/spindle group join HANDLE`."
        )
    view = ui.modal(groups)
    return Reply("Opening the form to log an innovation…", after=_open_modal(ctx, view, "/spindle log"))


@executes(LogQuick)
def log_quick(session, member, cmd: LogQuick, ctx: CommandContext) -> Reply:
    innovation = domain.quick_log(session, member, cmd.handle, cmd.title, ctx.now)
    ref, handle = innovation.ref, innovation.group.handle
    text = (
        f"Logged *{ref}* · {escape(innovation.title)} in `{handle}` at stage `exploring`. "
        f"Add a summary, link, SDGs and risks with `/spindle edit {ref}`."
    )
    if not innovation.group.channel_id:
        text += f"\n`{handle}` has no linked channel, so no card was posted."
        return Reply(text)
    draft = draft_card(innovation, ctx.deps.timezone)

    def after() -> None:
        posted, sentence = post_card(ctx.deps, ctx.client, draft)
        if not posted:
            ctx.respond(response_type="ephemeral", replace_original=False, text=sentence)

    return Reply(text, after=after)


@executes(ListInnovations)
def list_(session, member, cmd: ListInnovations, ctx: CommandContext) -> Reply:
    rows, total = domain.list_innovations(session, cmd.handle, cmd.stage)
    text, blocks = ui.list_reply(rows, total, cmd.handle, cmd.stage, _tz(member, ctx.deps))
    return Reply(text, blocks)


@executes(Show)
def show(session, member, cmd: Show, ctx: CommandContext) -> Reply:
    innovation = domain.get_innovation(session, cmd.ref)
    text, blocks = ui.show_reply(innovation, domain.history(session, innovation), _tz(member, ctx.deps))
    return Reply(text, blocks)


@executes(Stage)
def stage(session, member, cmd: Stage, ctx: CommandContext) -> Reply:
    innovation, change = domain.move_stage(session, member, cmd.ref, cmd.stage, cmd.note, ctx.now)
    text = f"*{innovation.ref}* · {escape(shorten(innovation.title, 150))} moved from `{change.from_stage}` to `{change.to_stage}`."
    if not innovation.card_ts:
        return Reply(text)
    draft = draft_card(innovation, ctx.deps.timezone)
    return Reply(text, after=lambda: update_card(ctx.client, draft))


@executes(Note)
def note(session, member, cmd: Note, ctx: CommandContext) -> Reply:
    innovation, _ = domain.add_note(session, member, cmd.ref, cmd.text, ctx.now)
    return Reply(f"Note added to *{innovation.ref}* · {escape(shorten(innovation.title, 150))}.")


@executes(Edit)
def edit(session, member, cmd: Edit, ctx: CommandContext) -> Reply:
    innovation = domain.get_innovation(session, cmd.ref)
    domain.require_may_change(session, innovation, member)
    view = ui.modal(domain.groups_for_logging(session, member), values=ui.input_of(innovation), ref=innovation.id)
    return Reply(
        f"Opening {innovation.ref} for editing…", after=_open_modal(ctx, view, f"/spindle edit {innovation.ref}")
    )


# --- the modal's submission ------------------------------------------------------------------------


def handle_submission(deps: Deps, ack: Ack, body: dict, client: WebClient) -> None:
    """Validate and save in one transaction → inline errors (nothing saved) or ack → card → DM.

    Saving before the ack keeps every problem in the form, where the person can fix it. A
    double click or Slack's retry submits the same view again, with the same view id and hash:
    the claim on them makes that second arrival save nothing and simply close the form.
    """
    user_id = (body.get("user") or {}).get("id", "")
    view = body.get("view") or {}
    data = ui.submitted((view.get("state") or {}).get("values") or {})
    ref = ui.metadata_ref(view.get("private_metadata"))
    now = deps.clock.now()
    claim = f"view:{view.get('id')}:{view.get('hash')}" if view.get("id") else None
    try:
        with deps.db.transaction() as session:
            if claim is not None and not claim_delivery(session, claim, now):
                saved = None
            else:
                member, _ = ensure_member(session, user_id, now)
                if ref is None:
                    innovation = domain.create_innovation(session, member, data, now)
                else:
                    innovation, _ = domain.update_innovation(session, member, ref, data, now)
                saved = (
                    innovation.ref,
                    escape(shorten(innovation.title, 150)),
                    f"`{innovation.group.handle}` at stage `{innovation.stage}`",
                    draft_card(innovation, deps.timezone),
                )
    except domain.InvalidFields as exc:
        ack(response_action="errors", errors=dict(exc.errors))
        return
    except Unavailable as exc:
        ack(response_action="errors", errors={"title": exc.message})
        return
    except DomainError as exc:  # not allowed in that group, the group was archived, no such innovation…
        ack(response_action="errors", errors={"group": exc.message})
        return
    except Exception:
        log.exception("innovation save failed", extra={"user": user_id})
        ack(response_action="errors", errors={"title": OOPS})
        return
    ack()
    if saved is None:
        log.info("duplicate modal submission skipped", extra={"user": user_id, "view": view.get("id")})
        return
    ref_text, title, where, draft = saved
    if ref is None:
        _, card_line = post_card(deps, client, draft)
        _dm(client, user_id, f"Logged *{ref_text}* · {title} in {where}. {card_line}".strip())
    else:
        update_card(client, draft)
        _dm(client, user_id, f"Saved your changes to *{ref_text}* · {title} ({where}).")


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
    summary = (message.get("text") or "").replace("\x00", "").strip()[: domain.MAX_SUMMARY]
    now = deps.clock.now()
    try:
        with deps.db.transaction() as session:
            member, _ = ensure_member(session, user_id, now)
            groups = domain.groups_for_logging(session, member)
        values = domain.InnovationInput(summary=summary)
        view = ui.modal(groups, values=values) if groups else None
    except Exception:
        log.exception("log-as-innovation shortcut failed", extra={"user": user_id})
        _respond(respond, client, user_id, OOPS)
        return
    if view is None:
        _respond(
            respond,
            client,
            user_id,
            "Innovations are logged into an action group, and you are not in one yet. "
            "`/spindle group list` shows them; join one with `/spindle group join HANDLE`.",
        )
        return
    try:
        opened = client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
    except SlackApiError as exc:
        log.warning("views.open failed", extra={"user": user_id, "error": _slack_error(exc)})
        _respond(respond, client, user_id, "Slack did not let me open the form in time. Please use the shortcut again.")
        return
    if not channel or not message_ts:
        return
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=message_ts).get("permalink")
    except Exception as exc:
        log.warning("chat.getPermalink failed; form left without link", extra={"error": _slack_error(exc)})
        return
    if not permalink:
        return
    opened_view = opened.get("view") or {}
    values.link = permalink
    try:
        client.views_update(
            view_id=opened_view.get("id"), hash=opened_view.get("hash"), view=ui.modal(groups, values=values)
        )
    except Exception as exc:  # e.g. the person already submitted or closed the form
        log.warning("views.update with permalink failed", extra={"user": user_id, "error": _slack_error(exc)})


def _respond(respond: Respond | None, client: WebClient, user_id: str, text: str) -> None:
    """An ephemeral line where the shortcut was used (its response_url), else a DM."""
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception as exc:
            log.warning("response_url failed", extra={"user": user_id, "error": type(exc).__name__})
    _dm(client, user_id, text)
