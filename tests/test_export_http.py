"""`/spindle export` and the weekly delivery, end to end: signed requests in, the fake Slack's
three upload steps (files.getUploadURLExternal, the POST to the upload URL,
files.completeUploadExternal) out, and the uploaded bytes opened as a workbook.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl

from bot.scheduler import tick_jobs, weekly_tick
from models.audit import AuditEntry
from models.people import Member
from models.register import RETRY_AFTER, RegisterDelivery
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.test_export_workbook import FORMULA_TITLE, seed_register

MONDAY_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam


def uploaded_workbook(fake_slack, complete_call) -> openpyxl.Workbook:
    (file,) = complete_call["files"]
    data = fake_slack.uploads[file["id"]]
    assert zipfile.is_zipfile(io.BytesIO(data))
    return openpyxl.load_workbook(io.BytesIO(data))


def test_coordinator_gets_the_register_in_a_dm(slack, fake_slack, db):
    seed_register(db)
    r = slack.command("export", user=COORDINATOR)
    assert r.status == 200 and r.json["response_type"] == "ephemeral"
    assert "Preparing the register" in r.text

    (opened,) = fake_slack.wait_for("conversations.open")
    assert opened["users"] == COORDINATOR
    (get_url,) = fake_slack.wait_for("files.getUploadURLExternal")
    assert get_url["filename"] == "spindle-register-2026-11-26.xlsx" and int(get_url["length"]) > 1000
    (upload,) = fake_slack.wait_for("upload")
    assert upload["file_id"] and upload["size"] == int(get_url["length"])
    (complete,) = fake_slack.wait_for("files.completeUploadExternal")
    assert complete["channel_id"] == f"D{COORDINATOR}"
    assert complete["initial_comment"] == (
        "The innovation register: 3 innovations in 2 groups: 1 idea, 1 exploring, 1 piloting · 4 stage changes."
    )
    assert complete["files"][0]["title"] == "Innovation register, 26 Nov 2026"
    # The calls came in the order Slack requires.
    order = [c.method for c in fake_slack.calls if not c.method.startswith("users.")]
    assert (
        order.index("files.getUploadURLExternal") < order.index("upload") < order.index("files.completeUploadExternal")
    )

    wb = uploaded_workbook(fake_slack, complete)
    assert wb.sheetnames == ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]
    titles = [row[1] for row in wb["Innovations"].iter_rows(min_row=2, values_only=True)]
    assert FORMULA_TITLE in titles and len(titles) == 3
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Made by"] == COORDINATOR  # the coordinator's name is not known yet: the id stands in
    assert not fake_slack.of("response_url")  # nothing went wrong, so nothing more to say

    with db.transaction() as s:
        (entry,) = s.query(AuditEntry).filter_by(action="register.export").all()
        assert entry.actor_id == COORDINATOR and "3 innovations" in entry.detail


def test_export_with_filters(slack, fake_slack, db):
    ids = seed_register(db)
    r = slack.command("export DATA-ETHICS piloting", user=COORDINATOR)
    assert "Preparing the register (group data-ethics, stage piloting)" in r.text
    (complete,) = fake_slack.wait_for("files.completeUploadExternal")
    assert complete["initial_comment"].startswith("The innovation register: 1 innovation in 1 group: 1 piloting")
    assert complete["files"][0]["title"].endswith("(group data-ethics, stage piloting)")
    (get_url,) = fake_slack.of("files.getUploadURLExternal")
    assert get_url["filename"] == "spindle-register-2026-11-26-data-ethics-piloting.xlsx"
    wb = uploaded_workbook(fake_slack, complete)
    refs = [row[0] for row in wb["Innovations"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert refs == [f"INN-{ids['first']}"]


def test_others_are_refused_and_nothing_happens(slack, fake_slack, db):
    seed_register(db)
    slack.command("help", user="U1")  # U1 exists already; make sure the profile fetch is done
    before = snapshot(db)
    r = slack.command("export", user="U1")
    assert r.json["response_type"] == "ephemeral"
    assert "Only coordinators may export the register" in r.text
    assert snapshot(db) == before
    assert not fake_slack.of("conversations.open") and not fake_slack.of("files.getUploadURLExternal")


def test_bad_filters_are_answered_at_once(slack, fake_slack, db):
    seed_register(db)
    before = snapshot(db)
    r = slack.command("export nosuch", user=COORDINATOR)
    assert "There is no action group `nosuch`" in r.text
    r = slack.command("export idea piloting", user=COORDINATOR)
    assert "one stage only" in r.text
    assert snapshot(db) == before
    assert not fake_slack.of("files.getUploadURLExternal")


def test_upload_failure_is_reported(slack, fake_slack, db):
    seed_register(db)
    fake_slack.fail("files.completeUploadExternal", status=200, error="not_in_channel")
    r = slack.command("export", user=COORDINATOR)
    assert "Preparing the register" in r.text
    (told,) = fake_slack.wait_for("response_url")
    assert "could not send it to you" in told["text"] and "not_in_channel" in told["text"]
    assert told.get("response_type") == "ephemeral"
    with db.transaction() as s:
        (entry,) = s.query(AuditEntry).filter_by(action="register.export").all()
        assert "upload failed: not_in_channel" in entry.detail


def test_failure_is_sent_by_dm_when_response_url_is_gone(slack, fake_slack, db):
    fake_slack.fail("files.completeUploadExternal", status=200, error="fatal_error")
    fake_slack.fail("response_url", status=404, retry_after=None, error="expired_url", times=5)
    slack.command("export", user=COORDINATOR)
    fake_slack.wait_for("response_url")
    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert dm["channel"] == f"D{COORDINATOR}" and "could not send it to you" in dm["text"]


def test_build_failure_is_reported(slack, fake_slack, db, runtime, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(runtime.deps.register_writer, "write", broken)
    slack.command("export", user=COORDINATOR)
    (told,) = fake_slack.wait_for("response_url")
    assert "could not build the register" in told["text"]
    assert not fake_slack.of("files.getUploadURLExternal")
    with db.transaction() as s:
        (entry,) = s.query(AuditEntry).filter_by(action="register.export").all()
        assert entry.detail.endswith("build failed")


def test_upload_url_failure_is_reported(slack, fake_slack, db):
    fake_slack.fail("files.getUploadURLExternal", status=200, error="invalid_auth")
    slack.command("export", user=COORDINATOR)
    (told,) = fake_slack.wait_for("response_url")
    assert "invalid_auth" in told["text"]
    assert not fake_slack.of("upload")


# --- weekly ------------------------------------------------------------------------------------------


def test_weekly_register_goes_to_every_coordinator_once(runtime, fake_slack, db, clock):
    assert ("weekly register", weekly_tick) in tick_jobs()
    seed_register(db)
    with db.transaction() as s:
        s.add(Member(id="UC2", name="Second", is_coordinator=True, created_at=MONDAY_8))

    clock.set(MONDAY_8 - timedelta(minutes=1))  # Monday 07:59: not yet
    weekly_tick(runtime.deps, clock.now())
    assert not fake_slack.of("files.getUploadURLExternal")

    clock.set(MONDAY_8 + timedelta(hours=2, minutes=30))  # a late tick still delivers
    weekly_tick(runtime.deps, clock.now())
    completes = fake_slack.wait_for("files.completeUploadExternal", 2)
    assert sorted(c["channel_id"] for c in completes) == sorted([f"D{COORDINATOR}", "DUC2"])
    assert all(c["initial_comment"].startswith("Your weekly innovation register: 3 innovations") for c in completes)
    assert completes[0]["files"][0]["title"] == "Innovation register, 30 Nov 2026"

    for minutes in (1, 30, 300):  # later ticks that Monday, and a second scheduler: nothing again
        clock.advance(timedelta(minutes=minutes))
        weekly_tick(runtime.deps, clock.now())
    assert len(fake_slack.of("files.completeUploadExternal")) == 2
    with db.transaction() as s:
        rows = s.query(RegisterDelivery).all()
        assert len(rows) == 2 and all(r.delivered_at and r.file_id and not r.error for r in rows)
        assert {r.week_of.isoformat() for r in rows} == {"2026-11-30"}
        assert s.query(AuditEntry).filter_by(action="register.weekly").count() == 2

    clock.set(MONDAY_8 + timedelta(days=7, minutes=1))  # the next Monday: once more each
    weekly_tick(runtime.deps, clock.now())
    assert len(fake_slack.wait_for("files.completeUploadExternal", 4)) == 4


def test_weekly_failed_upload_is_retried_later(runtime, fake_slack, db, clock):
    fake_slack.fail("files.completeUploadExternal", status=200, error="fatal_error")
    clock.set(MONDAY_8)
    weekly_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        (row,) = s.query(RegisterDelivery).all()
        assert row.error == "fatal_error" and row.delivered_at is None
    weekly_tick(runtime.deps, clock.now() + timedelta(minutes=1))  # too soon: no retry yet
    assert len(fake_slack.of("files.completeUploadExternal")) == 1

    clock.advance(RETRY_AFTER)
    weekly_tick(runtime.deps, clock.now())
    calls = fake_slack.wait_for("files.completeUploadExternal", 2)
    assert not calls[-1]["_failed"]
    with db.transaction() as s:
        (row,) = s.query(RegisterDelivery).all()
        assert row.error is None and row.delivered_at is not None
    clock.advance(RETRY_AFTER)
    weekly_tick(runtime.deps, clock.now())
    assert len(fake_slack.of("files.completeUploadExternal")) == 2
