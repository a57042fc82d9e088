"""Clicks instead of commands: an innovation's stage menu, `Add note` and `Edit` (on its card or
the Home tab), a lead's `Set stand-up` and `Questions`, and `Edit answers` on a stand-up prompt.

Each click reaches the same service as its command, so who may, validation and audit are the
command's. Every listener acks first; the service call and Slack's follow-ups come after.
One effect per click: Slack's retry of a click carries the same `action_ts`, which is claimed
(for a stage move, in the move's own transaction; for a click that opens a modal, once the
service has allowed it, so a refusal writes nothing); a second pick of the same stage finds it
already there and changes nothing; a modal's submission claims its view id and hash. A refusal
is an ephemeral line where the click was (response_url), or a small modal on the Home tab.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.modals import Failed, open_modal
from handlers.people import refresh_quietly
from handlers.slack_messenger import error_name
from handlers.ui import controls as ui
from handlers.ui import innovations as innovations_ui
from handlers.ui import standups as standups_ui
from handlers.ui.errors import describe
from i18n import _
from models.deliveries import AlreadyDone
from models.errors import DomainError, Unavailable
from models.vocab import STAGES, STAGES_NEEDING_NOTE
from services import deliveries, standups
from services import innovations as service
from services.actor import Actor
from services.home import publish_home

log = logging.getLogger(__name__)
T = TypeVar("T")


# --- what every click needs ------------------------------------------------------------------------


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def on_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def click_key(body: dict[str, Any]) -> str:
    """The click's delivery key: Slack's retry of it sends the same action_ts."""
    action = (body.get("actions") or [{}])[0]
    return f"click:{_user(body)}:{action.get('action_id')}:{action.get('action_ts')}"


def _first_time(deps: Deps, body: dict[str, Any]) -> bool:
    """Claim a click that only opens a modal (the modal's submission is claimed on its own)."""
    try:
        first = deliveries.claim(deps.uow, click_key(body))
    except Unavailable:  # opening a form twice beats not opening it
        return True
    if not first:
        log.info("repeated click skipped", extra={"user": _user(body)})
    return first


def _value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def _number(body: dict[str, Any]) -> int | None:
    value = _value(body)
    return int(value) if value.isdigit() and len(value) < 10 else None


def _tell(client: WebClient, body: dict[str, Any], respond: Respond, text: str) -> None:
    """A refusal (or a line of news): a small modal on the Home tab, else ephemeral where the click was."""
    try:
        if on_home(body):
            client.views_open(trigger_id=body.get("trigger_id", ""), view=ui.refusal_view(text))
        else:
            respond(response_type="ephemeral", replace_original=False, text=text)
    except Exception as exc:
        log.warning("refusal not shown", extra={"user": _user(body), "error": error_name(exc)})


def _open(client: WebClient, body: dict[str, Any], respond: Respond, view: dict[str, Any]) -> None:
    """The modal, or a line saying to click again when Slack is busy (429) or the trigger expired."""
    opened = open_modal(client, body.get("trigger_id", ""), view, _user(body))
    if isinstance(opened, Failed):
        _tell(client, body, respond, _(ui.CLICK_BUSY if opened is Failed.BUSY else ui.CLICK_TOO_LATE))


def _refused(client: WebClient, body: dict[str, Any], respond: Respond, fn: Callable[[], Any]) -> Any:
    """fn()'s result, or None after telling the person why it was refused (nothing changed)."""
    try:
        return fn()
    except DomainError as exc:
        _tell(client, body, respond, describe(exc))
        return None


def _open_once(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    load: Callable[[], T],
    view: Callable[[T], dict],
) -> None:
    """The service first (a refusal is told and claims nothing: nothing changed), then the click's
    claim, then the modal: Slack's retry of the click opens no second one."""
    form = _refused(client, body, respond, load)
    if form is not None and _first_time(deps, body):
        _open(client, body, respond, view(form))


def _after(deps: Deps, user: str, home: bool, profile_due: bool = False) -> None:
    """After a change: the Home again (when the click came from it) and, once, the Slack profile."""
    if profile_due:
        refresh_quietly(deps, Actor(user))
    if home:
        publish_home(deps.uow, deps.messenger, user)


def register(app: App, deps: Deps) -> None:
    register_innovations(app, deps)
    register_standups(app, deps)


# --- innovations ------------------------------------------------------------------------------------


def register_innovations(app: App, deps: Deps) -> None:
    @app.action(ui.INNOVATION_STAGE)
    def stage_chosen(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        number = ui.innovation_number(action.get("block_id"))
        stage = (action.get("selected_option") or {}).get("value")
        if number is None or stage not in STAGES:
            return
        user, home = _user(body), on_home(body)
        if stage in STAGES_NEEDING_NOTE:  # the note first, in a modal; the move is its submission
            target = ui.NoteTarget(number, stage, home)
            load = partial(service.edit_form, deps.uow, Actor(user), number)
            _open_once(deps, client, body, respond, load, lambda f: ui.note_modal(target, f.ref, f.values.title or ""))
            return
        try:
            moved = service.move_stage(deps.uow, Actor(user), number, stage, "", claim=click_key(body))
        except AlreadyDone:
            log.info("repeated stage click skipped", extra={"user": user})
            return
        except DomainError as exc:
            if exc.code != "innovation.already_at_stage":  # already there: a second pick, nothing to say
                _tell(client, body, respond, describe(exc))
            _after(deps, user, home)  # the Home's menu shows the stage as it is
            return
        service.update_card(deps.uow, deps.messenger, moved.innovation)
        _after(deps, user, home, moved.profile_due)

    @app.action(ui.INNOVATION_NOTE)
    def add_note_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        number, user = _number(body), _user(body)
        if number is None:
            return
        target = ui.NoteTarget(number, None, on_home(body))
        load = partial(service.edit_form, deps.uow, Actor(user), number)
        _open_once(deps, client, body, respond, load, lambda f: ui.note_modal(target, f.ref, f.values.title or ""))

    @app.action(ui.INNOVATION_EDIT)
    def edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        number, user = _number(body), _user(body)
        if number is None:
            return
        # The same form as `/spindle edit`; its submission is handlers/innovations.py's.
        load = partial(service.edit_form, deps.uow, Actor(user), number)
        _open_once(
            deps, client, body, respond, load, lambda f: innovations_ui.modal(f.groups, values=f.values, ref=f.id)
        )

    @app.view(ui.NOTE_VIEW)
    def note_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        target = ui.note_target(view.get("private_metadata"))
        if target is None:
            ack(response_action="errors", errors={"note": innovations_ui.OOPS})
            return
        user = _user(body)
        note = ui.submitted_text((view.get("state") or {}).get("values") or {}, "note")
        key = f"view:{view.get('id')}:{view.get('hash')}"
        result: service.StageMoved | service.NoteAdded
        try:
            if target.stage:
                result = service.move_stage(deps.uow, Actor(user), target.number, target.stage, note, claim=key)
            else:
                result = service.add_note(deps.uow, Actor(user), target.number, note, claim=key)
        except AlreadyDone:
            ack()
            return
        except DomainError as exc:
            ack(response_action="errors", errors={"note": _note_error(exc)})
            return
        if isinstance(result, service.StageMoved):
            done = innovations_ui.stage_moved(result.innovation, result.from_stage, result.to_stage)
            ack(response_action="update", view=ui.notice_view(_("Stage moved"), done))
            service.update_card(deps.uow, deps.messenger, result.innovation)
        else:
            done = innovations_ui.note_added(result.ref, result.title)
            ack(response_action="update", view=ui.notice_view(_("Note added"), done))
        _after(deps, user, target.home, result.profile_due)


def _note_error(exc: DomainError) -> str:
    """The note field's error: the modal's own words where the command's would name the command."""
    if exc.code == "innovation.stage_needs_note":
        return _(ui.NOTE_NEEDED)
    if exc.code == "innovation.note_missing":
        return _(ui.NOTE_EMPTY)
    return describe(exc)


# --- stand-ups ---------------------------------------------------------------------------------------


def register_standups(app: App, deps: Deps) -> None:
    @app.action(ui.STANDUP_SET)
    def set_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle, user, home = _value(body), _user(body), on_home(body)
        if not handle:
            return
        load = partial(standups.schedule_form, deps.uow, Actor(user), handle)
        _open_once(deps, client, body, respond, load, lambda form: ui.schedule_modal(form, home))

    @app.options(ui.ZONE_ACTION)
    def zones_typed(ack: Ack, payload: dict[str, Any]) -> None:
        ack(options=ui.zone_options(str(payload.get("value") or "")))

    @app.view(ui.SCHEDULE_VIEW)
    def schedule_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        got = ui.schedule_input(view.get("private_metadata"), (view.get("state") or {}).get("values") or {})
        if got is None:
            ack(response_action="errors", errors={"days": standups_ui.QUESTIONS_GROUP_GONE})
            return
        errors = {}
        if not got.days:
            errors["days"] = _(ui.NO_DAYS)
        if got.time is None:
            errors["time"] = _(ui.NO_TIME)
        if got.zone is None:
            errors["zone"] = _(ui.NO_ZONE)
        if errors or got.time is None:
            ack(response_action="errors", errors=errors)
            return
        user, key = _user(body), f"view:{view.get('id')}:{view.get('hash')}"
        try:
            result = standups.set_schedule(deps.uow, Actor(user), got.handle, got.days, got.time, got.zone, claim=key)
        except AlreadyDone:
            ack()
            return
        except DomainError as exc:  # no longer the lead, the group archived…
            ack(response_action="errors", errors={"days": describe(exc)})
            return
        text = standups_ui.schedule_set(result, deps.clock.now())
        ack(response_action="update", view=ui.notice_view(_("Set stand-up"), text))
        _after(deps, user, got.home, result.needs_profile)

    @app.action(ui.STANDUP_QUESTIONS_OPEN)
    def questions_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle, user = _value(body), _user(body)
        if not handle:
            return
        # The same modal as `/spindle standup HANDLE questions`.
        load = partial(standups.questions_form, deps.uow, Actor(user), handle)
        _open_once(deps, client, body, respond, load, standups_ui.questions_modal)

    @app.action(ui.STANDUP_EDIT_ANSWERS)
    def edit_answers_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        value, user = _value(body), _user(body)
        if not value.isdigit() or len(value) > 9:
            return
        # While the run takes answers: the answer modal, filled in; closed: the line that says so.
        load = partial(standups.answer_form, deps.uow, Actor(user), int(value))
        _open_once(deps, client, body, respond, load, standups_ui.answer_modal)
