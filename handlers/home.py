"""The App Home tab, published when someone opens it (`app_home_opened`)."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.ui.home import HomeGroup, home_view
from models.errors import Unavailable
from models.groups import groups_of
from models.people import Member

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        publish_home(deps, client, event["user"])


def home_for(deps: Deps, user_id: str) -> dict:
    # Opening the tab reads only; a Member is created when the person first uses a command.
    with deps.db.transaction() as session:
        member = session.get(Member, user_id)
        if member is None or member.forgotten:
            return home_view([], is_coordinator=False, known=False)
        groups = [
            HomeGroup(g.handle, g.description, g.channel_id, g.lead_id == user_id) for g in groups_of(session, user_id)
        ]
        return home_view(groups, is_coordinator=member.is_coordinator, known=True)


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    try:
        view = home_for(deps, user_id)
    except Unavailable:
        log.warning("home not published: database unavailable", extra={"user": user_id})
        return
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("views.publish failed", extra={"user": user_id, "error": exc.response.get("error")})
