"""The innovation register in Slack: `/spindle export` on demand, and every Monday by DM.

The workbook is built after the ack into a temporary file (the register can be large) and sent
with `files_upload_v2` into the coordinator's direct message with the bot.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from exports.workbook import Filters, RegisterCounts, check_filters, file_name, reading, title_of, write_register
from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import Export
from handlers.router import executes
from handlers.ui import exports as ui
from handlers.ui.errors import describe
from models.audit import audit
from models.db import Database
from models.errors import DomainError
from models.people import require_coordinator
from models.register import claim_weekly, due_week, record_delivery

log = logging.getLogger(__name__)
WEEKLY_BY = "Spindle Bot (weekly delivery)"


def register(app: App, deps: Deps) -> None:
    """The export has no listeners beyond `/spindle export` and the weekly tick."""


@executes(Export)
def export(session, member, cmd: Export, ctx: CommandContext) -> Reply:
    require_coordinator(member, "export the register")
    # A bad filter is answered in the ack itself, and nothing is built.
    filters, _ = check_filters(session, cmd.handle, cmd.stage)
    requester, made_by = member.id, member.display_name
    return Reply(ui.preparing(filters), after=lambda: deliver_on_request(ctx, requester, made_by, filters))


@dataclass
class Built:
    path: str
    filename: str
    title: str
    counts: RegisterCounts


@contextmanager
def built_register(
    db: Database, filters: Filters, *, made_at: datetime, made_by: str, timezone: str
) -> Iterator[Built]:
    """The register in a temporary file, removed afterwards. DomainError for a filter gone bad."""
    fd, path = tempfile.mkstemp(prefix="spindle-register-", suffix=".xlsx")
    os.close(fd)
    try:
        with reading(db) as session:
            filters, group_id = check_filters(session, filters.handle, filters.stage)
            counts = write_register(
                session, path, filters=filters, group_id=group_id, made_at=made_at, made_by=made_by,
                timezone=timezone,
            )  # fmt: skip
        yield Built(path, file_name(filters, made_at, timezone), title_of(filters, made_at, timezone), counts)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def send_register(client: WebClient, user_id: str, built: Built, comment: str) -> str | None:
    """Upload into the person's DM with the bot; the file id. Raises on any failure."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    response = client.files_upload_v2(
        channel=channel, file=built.path, filename=built.filename, title=built.title, initial_comment=comment
    )
    file = response.get("file") or next(iter(response.get("files") or []), {})
    return file.get("id")


def _error_text(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "unknown error")
    return type(exc).__name__


def deliver_on_request(ctx: CommandContext, requester: str, made_by: str, filters: Filters) -> None:
    """After the ack: build, upload, tell the coordinator if anything failed, and audit it."""
    deps = ctx.deps
    now = deps.clock.now()
    outcome = ""
    try:
        with built_register(deps.db, filters, made_at=now, made_by=made_by, timezone=deps.timezone) as built:
            try:
                file_id = send_register(ctx.client, requester, built, ui.comment(built.counts))
            except Exception as exc:
                outcome = f"upload failed: {_error_text(exc)}"
                log.warning("register upload failed", extra={"user": requester, "error": _error_text(exc)})
                _tell(ctx, requester, ui.upload_failed(_error_text(exc)))
                return
            outcome = f"{built.counts.innovations} innovations; file {file_id}"
            log.info("register exported", extra={"user": requester, "innovations": built.counts.innovations})
    except DomainError as exc:  # the group went away between the ack and the build
        outcome = f"refused: {describe(exc)}"
        _tell(ctx, requester, describe(exc))
    except Exception:
        outcome = "build failed"
        log.exception("register build failed", extra={"user": requester})
        _tell(ctx, requester, ui.BUILD_FAILED)
    finally:
        try:
            with deps.db.transaction() as session:
                audit(session, now, requester, "register.export", f"filters: {filters.describe()}; {outcome}")
        except Exception:
            log.exception("could not audit the export", extra={"user": requester})


def _tell(ctx: CommandContext, user_id: str, text: str) -> None:
    """An ephemeral follow-up through response_url; a DM if that fails (it expires after 30 min)."""
    try:
        answer = ctx.respond(text=text, response_type="ephemeral", replace_original=False)
        status = getattr(answer, "status_code", 200)  # a webhook answers with a status; it does not raise
        if status < 300:
            return
        log.warning("respond refused; sending a DM instead", extra={"user": user_id, "status": status})
    except Exception as exc:
        log.warning("respond failed; sending a DM instead", extra={"user": user_id, "error": type(exc).__name__})
    try:
        channel = ctx.client.conversations_open(users=user_id)["channel"]["id"]
        ctx.client.chat_postMessage(channel=channel, text=text)
    except Exception:
        log.exception("could not tell the coordinator about a failed export", extra={"user": user_id})


def weekly_tick(deps: Deps, now: datetime) -> None:
    """Monday 08:00: the register to every coordinator, once per week (see models/register.py)."""
    week = due_week(now, deps.timezone)
    if week is None:
        return
    with deps.db.transaction() as session:
        claimed = claim_weekly(session, week, now)
    if not claimed:
        return
    results: dict[str, tuple[str | None, str | None]] = {}
    try:
        with built_register(deps.db, Filters(), made_at=now, made_by=WEEKLY_BY, timezone=deps.timezone) as built:
            comment = ui.comment(built.counts, weekly=True)
            for member_id in claimed:
                try:
                    results[member_id] = (send_register(deps.client, member_id, built, comment), None)
                except Exception as exc:
                    results[member_id] = (None, _error_text(exc))
                    log.warning(
                        "weekly register upload failed; a later tick retries",
                        extra={"user": member_id, "error": _error_text(exc)},
                    )
    except Exception:
        log.exception("weekly register build failed; a later tick retries")
        results = {m: (None, "build failed") for m in claimed}
    with deps.db.transaction() as session:
        for member_id in claimed:
            file_id, error = results.get(member_id, (None, "not attempted"))
            record_delivery(session, week, member_id, now, file_id=file_id, error=error)
            if error is None:
                audit(session, now, None, "register.weekly", f"to {member_id}; week of {week}; file {file_id}")
