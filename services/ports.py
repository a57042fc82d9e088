"""The port through which services talk to Slack, and nothing more than they need.

Services hand the port *messages*: plain dataclasses that say what to tell (a stand-up prompt,
an innovation card), never Block Kit or wording. The Slack adapter (handlers/slack_messenger.py)
renders each message type with handlers/ui and calls the Web API; tests use a recording fake
(tests/fakemessenger.py) to drive services without HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from models.db import Database
from models.register import Filters, RegisterCounts


@dataclass(frozen=True)
class Posted:
    channel: str  # where it landed (for a DM: the IM channel id)
    ts: str | None


class MessengerError(Exception):
    """Slack refused or failed. `transient`: worth trying again later (429, 5xx, timeouts)."""

    def __init__(self, error: str, *, transient: bool):
        super().__init__(error)
        self.error = error  # Slack's error name (`not_in_channel`) or the exception type; no text
        self.transient = transient


@dataclass(frozen=True)
class Profile:
    name: str | None
    tz: str | None
    locale: str | None = None


class Messenger(Protocol):
    def post(self, channel: str, message: object, *, thread_ts: str | None = None) -> Posted:
        """Post a message in a channel, a thread, or (channel = a user id) a direct message."""
        ...

    def update(self, channel: str, ts: str, message: object) -> None: ...

    def open_dm(self, user_id: str) -> str:
        """The direct-message channel between the bot and a person (opened if need be)."""
        ...

    def upload(
        self, user_id: str, filename: str, file: str | bytes, message: object, *, title: str | None = None
    ) -> str | None:
        """Send a file (a path or its bytes) to a person by direct message, the message as its comment.

        Returns Slack's file id (None if Slack did not say).
        """
        ...

    def publish_home(self, user_id: str, home: object, *, view_hash: str | None = None) -> str | None:
        """views.publish; `view_hash` is the last hash we know (MessengerError("hash_conflict") when
        the person's Home changed since). Returns the new view's hash."""
        ...

    def profile(self, user_id: str) -> Profile: ...

    def download(self, file_id: str) -> bytes:
        """A file people sent the bot, read with its token: files.info, then the private download URL.

        MessengerError("file_too_large") above MAX_DOWNLOAD bytes (checked before and while reading).
        """
        ...


MAX_DOWNLOAD = 10 * 1024 * 1024  # a register to import: 10 MB (SPEC, "Import")


class RegisterWriter(Protocol):
    """Writes the register workbook (exports/ implements it; the composition root hands it over).

    The services decide when and for whom a register is made; how its sheets look is exports'.
    """

    def write(
        self,
        session: Session,
        path: str,
        *,
        filters: Filters,
        group_id: int | None,
        made_at: datetime,
        made_by: str,
        timezone: str,
        language: str,  # the coordinator's: sheet names, headers, shown words, summary
    ) -> RegisterCounts: ...

    def names(self, filters: Filters, made_at: datetime, timezone: str, language: str) -> tuple[str, str]:
        """The file's name and its title in Slack (in `language`)."""
        ...


@dataclass(frozen=True)
class ImportResult:
    """What an import would do or did, as exports/ reports it (its words are the CLI's, in `report`)."""

    report: str  # the report the CLI prints, without its command-line advice
    ok: bool  # no row has an error
    changes: int  # innovations new or changed
    applied: bool = False
    already: bool = False  # the claim was taken: this file was applied before


class RegisterImporter(Protocol):
    """Reads a register workbook and imports it (exports/ implements it; the composition root hands it over)."""

    def preview(self, db: Database, data: bytes, name: str, *, timezone: str) -> ImportResult: ...

    def apply(
        self, db: Database, data: bytes, name: str, actor_id: str, now: datetime, *, timezone: str, once: str
    ) -> ImportResult:
        """Applies it all or nothing; `once` is a delivery key claimed in the same transaction."""
        ...
