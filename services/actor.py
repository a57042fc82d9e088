"""Who is acting: the Slack user behind a command, a click or a submission."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: str
    name: str = ""  # the payload's user name: a first name for a new member until users.info answers
