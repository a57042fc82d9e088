"""services/register.py without HTTP: the export on demand and the weekly delivery, with a real
database, the injected clock and a RecordingMessenger standing in for Slack."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from exports.register import WORKBOOK
from handlers.ui.errors import describe
from handlers.ui.render import render
from models.audit import AuditEntry
from models.errors import DomainError, Forbidden
from models.people import Member
from models.register import RETRY_AFTER, Filters, RegisterDelivery
from services import register
from services.actor import Actor
from services.ports import MessengerError
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.fakemessenger import RecordingMessenger
from tests.test_export_workbook import FORMULA_TITLE, seed_register

MONDAY_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
WEEKLY_BY = "the weekly tick"


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam")


def _audits(db, action: str) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- on demand ---------------------------------------------------------------------------------


def test_only_coordinators_may_request_and_a_refusal_changes_nothing(uow, db):
    seed_register(db)
    before = snapshot(db)
    with pytest.raises(Forbidden) as refused:
        register.request_export(uow, Actor("U1", "ama"), None, None)
    assert (refused.value.code, refused.value.params) == ("people.coordinators_only", {"doing": "register.export"})
    assert describe(refused.value).startswith("Only coordinators may export the register.")
    assert snapshot(db) == before


def test_filters_are_normalised_and_bad_ones_refused_before_anything_is_built(uow, db):
    seed_register(db)
    request = register.request_export(uow, Actor(COORDINATOR), "DATA-ETHICS", "Piloting")
    assert request.filters == Filters("data-ethics", "piloting")
    assert (request.requester, request.made_by) == (COORDINATOR, COORDINATOR)  # no name yet: the id stands in
    before = snapshot(db)
    for handle, stage in (("nosuch", None), (None, "nosuchstage")):
        with pytest.raises(DomainError):
            register.request_export(uow, Actor(COORDINATOR), handle, stage)
    assert snapshot(db) == before


def test_export_uploads_the_workbook_and_audits_it(uow, db):
    seed_register(db)
    messenger = RecordingMessenger()
    request = register.request_export(uow, Actor(COORDINATOR), None, None)
    told: list = []

    outcome = register.deliver_export(uow, messenger, WORKBOOK, request, tell=lambda p: told.append(p) or True)

    (upload,) = messenger.of("upload")
    filename, data, message = upload.message
    assert upload.channel == COORDINATOR and filename == "spindle-register-2026-11-26.xlsx"
    assert upload.title == "Innovation register, 26 Nov 2026"
    assert message == register.RegisterFile(message.counts, language="en") and message.counts.innovations == 3
    assert render(message)[0].startswith("The innovation register: 3 innovations in 2 groups")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert FORMULA_TITLE in [row[1] for row in wb["Innovations"].iter_rows(min_row=2, values_only=True)]
    assert outcome == register.ExportOutcome(sent=True, file_id=outcome.file_id) and outcome.file_id
    assert told == [] and messenger.of("post") == []
    assert _audits(db, "register.export") == [
        f"filters: none (the whole register); 3 innovations; file {outcome.file_id}"
    ]


def test_a_failed_upload_is_told_where_they_asked(uow, db):
    messenger = RecordingMessenger(
        failures={("upload", COORDINATOR): MessengerError("not_in_channel", transient=False)}
    )
    request = register.request_export(uow, Actor(COORDINATOR), None, None)
    told: list = []
    outcome = register.deliver_export(uow, messenger, WORKBOOK, request, tell=lambda p: told.append(p) or True)
    assert outcome.problem == register.UploadFailed("not_in_channel", "en") and told == [outcome.problem]
    assert "could not send it to you" in render(told[0])[0] and "not_in_channel" in render(told[0])[0]
    assert messenger.of("post") == []  # the ephemeral reply reached them
    assert _audits(db, "register.export")[-1].endswith("upload failed: not_in_channel")


def test_when_the_reply_cannot_reach_them_a_dm_does(uow, db):
    messenger = RecordingMessenger(failures={("upload", COORDINATOR): MessengerError("fatal_error", transient=True)})
    request = register.request_export(uow, Actor(COORDINATOR), None, None)
    register.deliver_export(uow, messenger, WORKBOOK, request, tell=lambda _p: False)
    (dm,) = messenger.of("post")
    assert dm.channel == f"D{COORDINATOR[1:]}" and dm.message == register.UploadFailed("fatal_error", "en")


def test_a_build_failure_and_a_group_gone_since_the_ack(uow, db):
    seed_register(db)
    messenger = RecordingMessenger()
    request = register.request_export(uow, Actor(COORDINATOR), None, None)

    class DiskFull:  # a RegisterWriter whose disk is full
        def write(self, *_args, **_kwargs):
            raise OSError("disk full")

        names = WORKBOOK.names

    outcome = register.deliver_export(uow, messenger, DiskFull(), request)  # no reply channel: straight to a DM
    assert outcome == register.ExportOutcome(sent=False, problem=register.BuildFailed("en"))
    assert messenger.of("upload") == [] and [p.message for p in messenger.of("post")] == [register.BuildFailed("en")]
    assert "could not build the register" in render(register.BuildFailed("en"))[0]
    assert _audits(db, "register.export")[-1].endswith("build failed")

    gone = register.ExportRequest(COORDINATOR, COORDINATOR, Filters("no-longer-there"), needs_profile=False)
    outcome = register.deliver_export(uow, messenger, WORKBOOK, gone)
    assert isinstance(outcome.problem, register.ExportRefused) and messenger.of("upload") == []
    assert "no-longer-there" in render(outcome.problem)[0]
    assert _audits(db, "register.export")[-1].startswith("filters: group no-longer-there; refused: ")


# --- every Monday ------------------------------------------------------------------------------


def test_weekly_goes_to_every_coordinator_once(uow, db, clock):
    seed_register(db)
    with db.transaction() as s:
        s.add(Member(id="UC2", name="Second", is_coordinator=True, created_at=MONDAY_8))
    messenger = RecordingMessenger()

    assert register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8 - timedelta(minutes=1), made_by=WEEKLY_BY) is None
    done = register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8 + timedelta(hours=2), made_by=WEEKLY_BY)
    assert done is not None and sorted(done.delivered) == sorted([COORDINATOR, "UC2"]) and done.failed == ()
    assert done.week_of.isoformat() == "2026-11-30"
    uploads = messenger.of("upload")
    assert sorted(u.channel for u in uploads) == sorted([COORDINATOR, "UC2"])
    assert all(u.message[2] == register.RegisterFile(u.message[2].counts, weekly=True, language="en") for u in uploads)
    assert render(uploads[0].message[2])[0].startswith("Your weekly innovation register: 3 innovations")
    summary = openpyxl.load_workbook(io.BytesIO(uploads[0].message[1]))["Summary"]
    assert {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}["Made by"] == WEEKLY_BY

    again = register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8 + timedelta(hours=3), made_by=WEEKLY_BY)
    assert again is not None and again.delivered == () and len(messenger.of("upload")) == 2
    with db.transaction() as s:
        rows = s.scalars(select(RegisterDelivery)).all()
        assert len(rows) == 2 and all(r.delivered_at and r.file_id and r.error is None for r in rows)
    assert len(_audits(db, "register.weekly")) == 2


def test_weekly_failure_is_recorded_and_retried_after_a_pause(uow, db, clock):
    messenger = RecordingMessenger(failures={("upload", COORDINATOR): MessengerError("fatal_error", transient=True)})
    first = register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8, made_by=WEEKLY_BY)
    assert first is not None and first.failed == (COORDINATOR,) and messenger.of("upload") == []
    with db.transaction() as s:
        (row,) = s.scalars(select(RegisterDelivery)).all()
        assert row.error == "fatal_error" and row.delivered_at is None

    soon = register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8 + timedelta(minutes=1), made_by=WEEKLY_BY)
    assert soon is not None and soon.delivered == soon.failed == ()
    later = register.deliver_weekly(uow, messenger, WORKBOOK, MONDAY_8 + RETRY_AFTER, made_by=WEEKLY_BY)
    assert later is not None and later.delivered == (COORDINATOR,) and len(messenger.of("upload")) == 1
    with db.transaction() as s:
        (row,) = s.scalars(select(RegisterDelivery)).all()
        assert row.error is None and row.delivered_at is not None
