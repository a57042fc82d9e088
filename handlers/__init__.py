"""Slack listeners, one module per feature, each with `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    clicks,
    commands,
    delivery,
    exports,
    groups,
    home,
    innovations,
    language,
    messages,
    people,
    privacy,
    standups,
)
from handlers.deps import Deps

FEATURES = (commands, groups, people, innovations, privacy, home, standups, clicks, exports, messages)


def register_all(app: App, deps: Deps) -> None:
    delivery.register(app, deps)  # first: a redelivered event is skipped before any listener sees it
    language.register(app, deps)  # then the person's language, for everything the listeners write
    for feature in FEATURES:
        feature.register(app, deps)
