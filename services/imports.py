"""Import the register from Slack: a coordinator sends the bot an .xlsx in its Messages tab.

The bot downloads the file with its token, previews the import (the same report the CLI prints)
and offers an `Apply` button; Apply downloads the file again and applies it once: the claim on
`import:<file id>` is taken in the import's own transaction (exports.importer.apply), so a second
click or a retried request applies nothing, and a failed attempt leaves it free to try again.
Anyone who is not a coordinator is refused before anything is downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from models.people import member_or_newcomer, reader_language
from services.actor import Actor
from services.ports import ImportResult, Messenger, MessengerError, RegisterImporter
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

WORKBOOK_SUFFIX = ".xlsx"

# --- messages (rendered by handlers/ui/imports.py) ---------------------------------------------------


@dataclass(frozen=True)
class ImportPreview:
    file_id: str
    name: str
    result: ImportResult  # ok with changes: the message carries the Apply button
    language: str = "en"  # the sender's, as below: the reply is in their direct message with the bot


@dataclass(frozen=True)
class ImportApplied:
    name: str
    result: ImportResult  # applied, already applied, or refused with its errors
    language: str = "en"


@dataclass(frozen=True)
class ImportRefused:
    """Nothing was read: `reason` is a code handlers/ui/imports.py words."""

    reason: str  # coordinators_only | not_xlsx | too_large | download_failed | unreadable
    name: str = ""
    error: str = ""  # Slack's error name, for download_failed
    language: str = "en"


ImportMessage = ImportPreview | ImportApplied | ImportRefused


@dataclass(frozen=True)
class SentFile:
    """A file from a `file_share` message, as the listener read it."""

    id: str
    name: str


def _sender(uow: UnitOfWork, actor: Actor) -> tuple[bool, str]:
    """Whether the sender is a coordinator, and their language (a read: a first contact stores nothing)."""
    with uow.read() as session:
        member = member_or_newcomer(session, actor.user_id, uow.now(), name=actor.name)
        return member.is_coordinator, reader_language(member.language, member.locale, uow.language)


def _download(messenger: Messenger, file: SentFile) -> bytes | ImportRefused:
    try:
        return messenger.download(file.id)
    except MessengerError as exc:
        log.warning("import download failed", extra={"file": file.id, "error": exc.error})
        if exc.error == "file_too_large":
            return ImportRefused("too_large", file.name)
        return ImportRefused("download_failed", file.name, exc.error)


def _tell(messenger: Messenger, channel: str, message: ImportMessage, language: str) -> ImportMessage:
    message = replace(message, language=language)
    try:
        messenger.post(channel, message)
    except MessengerError as exc:
        log.warning("import reply failed", extra={"channel": channel, "error": exc.error})
    return message


def receive_file(
    uow: UnitOfWork, messenger: Messenger, importer: RegisterImporter, actor: Actor, channel: str, file: SentFile
) -> ImportMessage:
    """After the ack: a workbook sent to the bot, previewed in reply (nothing is written)."""
    coordinator, language = _sender(uow, actor)
    if not coordinator:
        return _tell(messenger, channel, ImportRefused("coordinators_only", file.name), language)
    if not file.name.lower().endswith(WORKBOOK_SUFFIX):
        return _tell(messenger, channel, ImportRefused("not_xlsx", file.name), language)
    data = _download(messenger, file)
    if isinstance(data, ImportRefused):
        return _tell(messenger, channel, data, language)
    try:
        result = importer.preview(uow.db, data, file.name, timezone=uow.timezone)
    except Exception:  # the importer words what it knows; anything else must not reach the person
        log.exception("import preview failed", extra={"file": file.id})
        return _tell(messenger, channel, ImportRefused("unreadable", file.name), language)
    log.info("import previewed", extra={"file": file.id, "ok": result.ok, "changes": result.changes})
    return _tell(messenger, channel, ImportPreview(file.id, file.name, result), language)


def apply_file(
    uow: UnitOfWork, messenger: Messenger, importer: RegisterImporter, actor: Actor, channel: str, file: SentFile
) -> ImportMessage:
    """After the Apply click's ack: download the file again and apply it, once."""
    coordinator, language = _sender(uow, actor)
    if not coordinator:
        return _tell(messenger, channel, ImportRefused("coordinators_only", file.name), language)
    data = _download(messenger, file)
    if isinstance(data, ImportRefused):
        return _tell(messenger, channel, data, language)
    try:
        result = importer.apply(
            uow.db, data, file.name, actor.user_id, uow.now(), timezone=uow.timezone, once=f"import:{file.id}"
        )
    except Exception:
        log.exception("import apply failed", extra={"file": file.id})
        return _tell(messenger, channel, ImportRefused("unreadable", file.name), language)
    log.info(
        "import applied" if result.applied else "import not applied",
        extra={"file": file.id, "changes": result.changes, "already": result.already, "ok": result.ok},
    )
    return _tell(messenger, channel, ImportApplied(file.name, result), language)
