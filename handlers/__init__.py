"""Slack listeners, one module per feature, each with `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from handlers import commands, groups, people
from handlers.deps import Deps

FEATURES = (commands, groups, people)


def register_all(app: App, deps: Deps) -> None:
    for feature in FEATURES:
        feature.register(app, deps)
