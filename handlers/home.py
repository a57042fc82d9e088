"""The App Home tab: published when someone opens it (`app_home_opened`), and its buttons.

Every click is acked first, then calls the same service as its command (the same rules, the same
audit), claiming a key made of the click and the view it came from (services' `once=`): Slack's
retry or a double click on the same Home changes nothing the second time. A refusal is a small
modal with the sentence. After a click that changes what the Home shows, the Home is published
again, after the ack; a slow or failed publish is logged and never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.ui import home as ui
from handlers.ui import home_forms as forms
from handlers.ui import innovations as innovations_ui
from handlers.ui.errors import describe
from models.deliveries import AlreadyDone
from models.errors import DomainError
from services import groups, home
from services import innovations as innovations_service
from services import register as register_service
from services.actor import Actor
from services.standups import commands as standups

log = logging.getLogger(__name__)


def user_of(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def click_key(body: dict[str, Any]) -> str:
    """The same for a retry and a double click on one Home view; new once the Home was published again."""
    action = (body.get("actions") or [{}])[0]
    chosen = (
        action.get("value")
        or action.get("selected_date")
        or action.get("selected_user")
        or (action.get("selected_option") or {}).get("value")
        or ""
    )
    stamp = (body.get("view") or {}).get("hash") or action.get("action_ts") or ""
    return f"home:{action.get('action_id')}:{user_of(body)}:{action.get('block_id', '')}:{chosen}:{stamp}"


def publish_after(deps: Deps, user_id: str, body: dict[str, Any] | None = None) -> None:
    """The person's Home again (after the ack): never raises, never tells the person."""
    known = ((body or {}).get("view") or {}).get("hash")
    try:
        home.publish_home(deps.uow, deps.messenger, user_id, known_hash=known)
    except Exception:
        log.exception("home not published", extra={"user": user_id})


def tell(client: WebClient, body: dict[str, Any], message: str, *, refused: bool = True) -> None:
    """A small modal with the sentence (the Home tab has no other place to say it)."""
    view = forms.refusal_modal(message) if refused else forms.note_modal(message)
    try:
        client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
    except Exception as exc:
        log.warning("views.open failed", extra={"user": user_of(body), "error": type(exc).__name__})


def run_click(
    deps: Deps,
    body: dict[str, Any],
    client: WebClient,
    effect: Callable[[Actor, str], object],
    *,
    publish: bool = True,
    menu: bool = False,
) -> object | None:
    """The service call of a click (after its ack): None when refused or already done.

    `menu`: the control shows what was picked (a user select), so a refusal publishes the Home
    again too, putting it back as it is.
    """
    user = user_of(body)
    try:
        result = effect(Actor(user), click_key(body))
    except AlreadyDone:
        log.info(
            "duplicate click skipped", extra={"user": user, "action": (body.get("actions") or [{}])[0].get("action_id")}
        )
        return None
    except DomainError as exc:
        tell(client, body, describe(exc))
        if menu:
            publish_after(deps, user, body)
        return None
    if publish:
        publish_after(deps, user, body)
    return result


def _value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def register(app: App, deps: Deps) -> None:
    uow = deps.uow

    @app.event("app_home_opened")
    def home_opened(event: dict) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        known = (event.get("view") or {}).get("hash")
        home.publish_home(uow, deps.messenger, event["user"], known_hash=known)

    @app.action(ui.JOIN_ACTION)
    def join(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle = _value(body)
        run_click(deps, body, client, lambda actor, key: groups.join_group(uow, actor, handle, once=key))

    @app.options(ui.FIND_ACTION)
    def find_suggestions(ack: Ack, body: dict) -> None:
        found = home.find_groups(uow, user_of(body), str(body.get("value") or ""))
        ack(options=ui.group_options(found))

    @app.action(ui.FIND_ACTION)
    def join_found(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle = str((((body.get("actions") or [{}])[0]).get("selected_option") or {}).get("value") or "")
        if handle:
            run_click(deps, body, client, lambda actor, key: groups.join_group(uow, actor, handle, once=key))

    @app.action(ui.LEAVE_ACTION)
    def leave(ack: Ack, body: dict, client: WebClient) -> None:
        ack()  # Slack asked the person to confirm before sending this (the button's `confirm`)
        handle = _value(body)
        run_click(deps, body, client, lambda actor, key: groups.leave_group(uow, actor, handle, once=key))

    @app.action(ui.AWAY_ACTION)
    def away(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        picked = str(((body.get("actions") or [{}])[0]).get("selected_date") or "")
        try:
            until = date.fromisoformat(picked)
        except ValueError:
            return  # the picker was cleared: nothing to set
        run_click(deps, body, client, lambda actor, key: standups.set_away(uow, actor, until, once=key))

    @app.action(ui.LEAD_ACTION)
    def lead(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        handle = str(action.get("block_id") or "").removeprefix(ui.LEAD_BLOCK)
        user_id = str(action.get("selected_user") or "")
        if not handle or not user_id:
            return
        run_click(
            deps, body, client, lambda actor, key: groups.set_lead(uow, actor, handle, user_id, once=key), menu=True
        )

    @app.action(ui.EXPORT_ACTION)
    def export(ack: Ack, body: dict, client: WebClient) -> None:
        ack()

        def request(actor: Actor, key: str) -> register_service.ExportRequest:
            return register_service.request_export(uow, actor, None, None, once=key)

        requested = run_click(deps, body, client, request, publish=False)
        if not isinstance(requested, register_service.ExportRequest):
            return
        tell(client, body, forms.export_on_its_way(), refused=False)  # within the trigger's 3 s
        register_service.deliver_export(uow, deps.messenger, deps.register_writer, requested)
        # The Home shows the same, but its new hash makes the coordinator's next click a new one.
        publish_after(deps, user_of(body), body)

    @app.action(ui.LOG_ACTION)
    def log_innovation(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle = _value(body)
        try:
            form = innovations_service.log_form(uow, Actor(user_of(body)))
        except DomainError as exc:
            tell(client, body, describe(exc))
            return
        if handle in form.groups:  # first, so it is among the select's 100 options (a coordinator sees all groups)
            groups_shown = (handle, *(g for g in form.groups if g != handle))
            view = innovations_ui.modal(groups_shown, values=innovations_service.InnovationInput(group=handle))
        else:
            view = innovations_ui.modal(form.groups)
        try:
            client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
        except Exception as exc:
            log.warning("views.open failed", extra={"user": user_of(body), "error": type(exc).__name__})

    @app.action(ui.NEW_GROUP_ACTION)
    def new_group(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        try:
            home.require_coordinator(uow, user_of(body), "group.new")
        except DomainError as exc:
            tell(client, body, describe(exc))
            return
        try:
            client.views_open(trigger_id=body.get("trigger_id", ""), view=forms.new_group_modal())
        except Exception as exc:
            log.warning("views.open failed", extra={"user": user_of(body), "error": type(exc).__name__})

    @app.view(forms.NEW_GROUP_VIEW)
    def new_group_submitted(ack: Ack, body: dict, view: dict) -> None:
        handle, description = forms.submitted_group((view.get("state") or {}).get("values") or {})
        user = user_of(body)
        once = f"view:{view.get('id')}:{view.get('hash')}" if view.get("id") else None
        try:
            groups.create_group(uow, Actor(user), handle, description, once=once)
        except AlreadyDone:
            ack()
            return
        except DomainError as exc:
            field = forms.DESCRIPTION_BLOCK if exc.code == "group.description_too_long" else forms.HANDLE_BLOCK
            ack(response_action="errors", errors={field: describe(exc)})
            return
        ack()
        publish_after(deps, user)
