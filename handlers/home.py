"""The App Home tab, published when someone opens it (`app_home_opened`)."""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import Deps
from services.home import publish_home


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        publish_home(deps.uow, deps.messenger, event["user"])
