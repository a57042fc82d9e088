"""The innovation register in Slack: on demand (`export`) and every Monday to each coordinator.

The workbook is built into a temporary file (the register can be large) and uploaded into the
coordinator's direct message with the bot, in the coordinator's language. On demand, the filters are checked before the ack
(a bad filter changes nothing and builds nothing); the build and upload run after it, and a
failure is told to the coordinator. The weekly delivery claims each (week, coordinator) row
first (models/register.py), so several schedulers or a restart never send it twice.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import audit
from models.db import Database
from models.deliveries import claim_once
from models.errors import DomainError
from models.people import Member, member_or_newcomer, reader_language, require_coordinator
from models.register import Filters, RegisterCounts, check_filters, claim_weekly, due_week, record_delivery
from services.actor import Actor
from services.ports import Messenger, MessengerError, RegisterWriter
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

# --- building the register (the workbook itself is exports', behind the RegisterWriter port) -------


@dataclass(frozen=True)
class BuiltRegister:
    path: str
    filename: str
    title: str
    counts: RegisterCounts


def checked_filters(session: Session, handle: str | None, stage: str | None) -> Filters:
    """Normalised filters; DomainError for an unknown group or stage."""
    return check_filters(session, handle, stage)[0]


@contextmanager
def built_register(
    db: Database,
    writer: RegisterWriter,
    filters: Filters,
    *,
    made_at: datetime,
    made_by: str,
    timezone: str,
    language: str,
) -> Iterator[BuiltRegister]:
    """The register in a temporary file, removed afterwards. DomainError for a filter gone bad."""
    fd, path = tempfile.mkstemp(prefix="spindle-register-", suffix=".xlsx")
    os.close(fd)
    try:
        with db.snapshot() as session:
            filters, group_id = check_filters(session, filters.handle, filters.stage)
            counts = writer.write(
                session,
                path,
                filters=filters,
                group_id=group_id,
                made_at=made_at,
                made_by=made_by,
                timezone=timezone,
                language=language,
            )
        filename, title = writer.names(filters, made_at, timezone, language)
        yield BuiltRegister(path, filename, title, counts)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


# --- messages (rendered by handlers/ui/exports.py) ---------------------------------------------------


@dataclass(frozen=True)
class RegisterFile:
    """The comment on an uploaded register, in its coordinator's language (as all below)."""

    counts: RegisterCounts
    weekly: bool = False
    language: str | None = None  # the coordinator's (handlers/ui/render.py writes the comment in it)


@dataclass(frozen=True)
class UploadFailed:
    error: str  # Slack's error name
    language: str


@dataclass(frozen=True)
class BuildFailed:
    language: str


@dataclass(frozen=True)
class ExportRefused:
    error: DomainError  # e.g. the group was deleted between the ack and the build
    language: str


ExportProblem = UploadFailed | BuildFailed | ExportRefused

# --- on demand -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    requester: str
    made_by: str  # the coordinator's display name, as the workbook's "Made by"
    filters: Filters
    needs_profile: bool  # a new member: their Slack profile is still to be fetched
    language: str = "en"  # the coordinator's: the workbook is written in it


@dataclass(frozen=True)
class ExportOutcome:
    sent: bool
    file_id: str | None = None
    problem: ExportProblem | None = None


def request_export(
    uow: UnitOfWork, actor: Actor, handle: str | None, stage: str | None, *, once: str | None = None
) -> ExportRequest:
    """Before the ack: only coordinators, and only filters that name a group and a stage that exist.

    `once` (the Home's button): a double click or a retry raises AlreadyDone, and nothing is built twice.
    A typed `export` claims nothing, so it only reads (no write lock on SQLite).
    """
    with uow.transaction() if once else uow.read() as session:
        claim_once(session, once, uow.now())
        member = member_or_newcomer(session, actor.user_id, uow.now(), name=actor.name)
        require_coordinator(member, "register.export")
        filters = checked_filters(session, handle, stage)
        return ExportRequest(
            requester=member.id,
            made_by=member.display_name,
            filters=filters,
            needs_profile=not member.profile_fetched and not member.forgotten,
            language=reader_language(member.language, member.locale, uow.language),
        )


# Tells the requester about a problem where they asked (an ephemeral reply); False if it could not.
Tell = Callable[[ExportProblem], bool]


def deliver_export(
    uow: UnitOfWork, messenger: Messenger, writer: RegisterWriter, request: ExportRequest, tell: Tell | None = None
) -> ExportOutcome:
    """After the ack: build, upload, tell the coordinator if anything failed, and audit it."""
    now = uow.now()
    requester, language = request.requester, request.language
    outcome = ExportOutcome(sent=False, problem=BuildFailed(language))
    detail = "build failed"
    try:
        with built_register(
            uow.db,
            writer,
            request.filters,
            made_at=now,
            made_by=request.made_by,
            timezone=uow.timezone,
            language=request.language,
        ) as built:
            try:
                file_id = messenger.upload(
                    requester,
                    built.filename,
                    built.path,
                    RegisterFile(built.counts, language=request.language),
                    title=built.title,
                )
            except MessengerError as exc:
                log.warning("register upload failed", extra={"user": requester, "error": exc.error})
                outcome, detail = (
                    ExportOutcome(sent=False, problem=UploadFailed(exc.error, language)),
                    f"upload failed: {exc.error}",
                )
            else:
                log.info("register exported", extra={"user": requester, "innovations": built.counts.innovations})
                outcome = ExportOutcome(sent=True, file_id=file_id)
                detail = f"{built.counts.innovations} innovations; file {file_id}"
    except DomainError as exc:
        outcome, detail = ExportOutcome(sent=False, problem=ExportRefused(exc, language)), f"refused: {exc.code}"
    except Exception:
        log.exception("register build failed", extra={"user": requester})
    if outcome.problem is not None:
        _tell(messenger, requester, outcome.problem, tell)
    try:
        with uow.transaction() as session:
            audit(session, now, requester, "register.export", f"filters: {request.filters.describe()}; {detail}")
    except Exception:
        log.exception("could not audit the export", extra={"user": requester})
    return outcome


def _tell(messenger: Messenger, user_id: str, problem: ExportProblem, tell: Tell | None) -> None:
    """Where they asked if we can (a response_url expires after 30 min), else a direct message."""
    if tell is not None and tell(problem):
        return
    try:
        messenger.post(messenger.open_dm(user_id), problem)
    except MessengerError as exc:
        log.warning("could not tell the coordinator about a failed export", extra={"user": user_id, "error": exc.error})


# --- every Monday ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyDelivery:
    week_of: date
    delivered: tuple[str, ...]  # member ids
    failed: tuple[str, ...]  # retried by a later tick


def _languages(session: Session, uow: UnitOfWork, member_ids: list[str]) -> dict[str, str]:
    """Each coordinator's language, in one query."""
    found = (
        {
            row.id: reader_language(row.language, row.locale, uow.language)
            for row in session.execute(
                select(Member.id, Member.language, Member.locale).where(Member.id.in_(member_ids))
            )
        }
        if member_ids
        else {}
    )
    return {m: found.get(m, uow.language) for m in member_ids}


def deliver_weekly(
    uow: UnitOfWork, messenger: Messenger, writer: RegisterWriter, now: datetime, *, made_by: str
) -> WeeklyDelivery | None:
    """Monday 08:00 (SPINDLE_TIMEZONE): the register to every coordinator, once per week. None when not due."""
    week = due_week(now, uow.timezone)
    if week is None:
        return None
    with uow.transaction() as session:
        claimed = claim_weekly(session, week, now)  # committed before uploading: a twin tick skips these
        languages = _languages(session, uow, claimed)
    if not claimed:
        return WeeklyDelivery(week, (), ())
    by_language: dict[str, list[str]] = {}  # each coordinator reads the register in their own language
    for member_id in claimed:
        by_language.setdefault(languages[member_id], []).append(member_id)
    results: dict[str, tuple[str | None, str | None]] = {}  # member → (file id, error)
    for language, members in sorted(by_language.items()):  # one workbook per language, not per person
        results.update(_weekly_in(uow, messenger, writer, now, made_by, language, members))
    with uow.transaction() as session:
        for member_id in claimed:
            file_id, error = results.get(member_id, (None, "not attempted"))
            record_delivery(session, week, member_id, now, file_id=file_id, error=error)
            if error is None:
                audit(session, now, None, "register.weekly", f"to {member_id}; week of {week}; file {file_id}")
    delivered = tuple(m for m in claimed if results.get(m, (None, "x"))[1] is None)
    return WeeklyDelivery(week, delivered, tuple(m for m in claimed if m not in delivered))


def _weekly_in(
    uow: UnitOfWork,
    messenger: Messenger,
    writer: RegisterWriter,
    now: datetime,
    made_by: str,
    language: str,
    members: list[str],
) -> dict[str, tuple[str | None, str | None]]:
    """The weekly register in one language, uploaded to each of `members`: member → (file id, error)."""
    results: dict[str, tuple[str | None, str | None]] = {}
    try:
        with built_register(
            uow.db, writer, Filters(), made_at=now, made_by=made_by, timezone=uow.timezone, language=language
        ) as built:
            message = RegisterFile(built.counts, weekly=True, language=language)
            for member_id in members:
                try:
                    file_id = messenger.upload(member_id, built.filename, built.path, message, title=built.title)
                    results[member_id] = (file_id, None)
                except MessengerError as exc:
                    results[member_id] = (None, exc.error)
                    log.warning(
                        "weekly register upload failed; a later tick retries",
                        extra={"user": member_id, "error": exc.error},
                    )
    except Exception:
        log.exception("weekly register build failed; a later tick retries", extra={"language": language})
        results = {m: (None, "build failed") for m in members}
    return results
