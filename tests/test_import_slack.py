"""Import from Slack (issue 15): a coordinator sends the bot an .xlsx in its Messages tab, gets the
preview with an Apply button, and Apply imports it once. Driven by signed events and clicks into
the bot, with the fake Slack's files.info and download."""

from __future__ import annotations

import io
import json

import openpyxl
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.innovations import Innovation, StageChange
from tests.conftest import COORDINATOR
from tests.slackdriver import BOT_TOKEN
from tests.test_export_import import edit, exported, snapshot
from tests.test_export_workbook import seed_register


def file_share(file_id: str, name: str = "register.xlsx", user: str = COORDINATOR) -> dict:
    return {"type": "message", "subtype": "file_share", "channel": f"D{user}", "channel_type": "im", "user": user,
            "text": "", "ts": "1700000002.000100", "files": [{"id": file_id, "name": name}]}  # fmt: skip


def edited_register(db, tmp_path) -> bytes:
    seed_register(db)
    path = exported(db, tmp_path)
    out = edit(path, tmp_path / "edited.xlsx", lambda ws: ws.__setitem__("E3", "piloting"))  # exploring → piloting
    return out.read_bytes()


def button(call, text: str) -> dict:
    """The button a person would press, found by what it says."""
    for block in call.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element["text"]["text"] == text:
                return element
    raise AssertionError(f"no {text!r} button in {call.text!r}")


def click(slack, call, text: str, user: str = COORDINATOR):
    button(call, text)  # there, and a button
    return slack.click(
        user, call["blocks"], text, channel=call["channel"], message_ts=call.get("ts") or "1700000003.000100"
    )


def stage_notes(db) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(StageChange.note).order_by(StageChange.id)))


def test_a_coordinator_previews_then_applies_once(slack, fake_slack, db, tmp_path):
    file_id = fake_slack.add_file("register.xlsx", edited_register(db, tmp_path))
    before = snapshot(db)
    assert slack.event(file_share(file_id), event_id="EvImp1").status == 200
    (preview,) = fake_slack.wait_for("chat.postMessage")
    assert preview["channel"] == f"D{COORDINATOR}"
    assert "Import preview of *register.xlsx*" in preview.text
    assert "Changed: 1" in preview.text and "Stage: 'exploring' → 'piloting'" in preview.text
    assert "--apply" not in preview.text  # the CLI's advice is not for Slack
    (download,) = fake_slack.of("download")
    assert download.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert fake_slack.of("files.info", file=file_id)
    assert snapshot(db) == before  # a preview changes nothing

    # Slack retries the event: no second preview, no second download.
    slack.event(file_share(file_id), event_id="EvImp1", retry_num=1)
    assert len(fake_slack.of("chat.postMessage")) == 1 and len(fake_slack.of("download")) == 1

    click(slack, preview, "Apply")
    (_, applied) = fake_slack.wait_for("chat.postMessage", 2)
    assert "Imported *register.xlsx*" in applied.text and "Applied: 0 new, 1 changed." in applied.text
    assert len(fake_slack.of("download")) == 2  # Apply reads the file again
    assert stage_notes(db).count("imported") == 1
    with db.transaction() as s:
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "register.import")) == 1
        assert s.scalar(select(func.count(Innovation.id)).where(Innovation.stage == "piloting")) >= 1
    after = snapshot(db)

    click(slack, preview, "Apply")  # a second click: nothing more
    (_, _, again) = fake_slack.wait_for("chat.postMessage", 3)
    assert "already imported; nothing more was changed" in again.text
    assert snapshot(db) == after and stage_notes(db).count("imported") == 1


def test_anyone_else_is_told_only_coordinators_import_and_nothing_is_downloaded(slack, fake_slack, db, tmp_path):
    file_id = fake_slack.add_file("register.xlsx", edited_register(db, tmp_path))
    before = snapshot(db)
    slack.event(file_share(file_id, user="U1"), event_id="EvImp2")
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply["channel"] == "DU1" and "Only coordinators import the register" in reply.text
    assert not fake_slack.of("files.info") and not fake_slack.of("download")
    # Nor does a forged Apply click from them import anything.
    fake_value = json.dumps({"file": file_id, "name": "register.xlsx"})
    slack.block_action("U1", "import_apply", fake_value, channel="DU1", message_ts="1700000003.000100")
    (_, refused) = fake_slack.wait_for("chat.postMessage", 2)
    assert "Only coordinators import the register" in refused.text
    assert not fake_slack.of("download") and snapshot(db) == before


def test_bad_files_get_a_clear_reply_and_change_nothing(slack, fake_slack, db, tmp_path):
    seed_register(db)
    before = snapshot(db)
    empty = openpyxl.Workbook()
    buf = io.BytesIO()
    empty.save(buf)
    cases = [
        (fake_slack.add_file("notes.xlsx", b"this is not a workbook"), "notes.xlsx", "is not an .xlsx workbook"),
        (fake_slack.add_file("empty.xlsx", b""), "empty.xlsx", "the file is empty."),
        (fake_slack.add_file("blank.xlsx", buf.getvalue()), "blank.xlsx", "no sheet has the register's headers"),
        (fake_slack.add_file("huge.xlsx", b"PK", size=11 * 1024 * 1024), "huge.xlsx", "over 10 MB"),
        (fake_slack.add_file("photo.png", b"\x89PNG"), "photo.png", "only import an Excel workbook"),
        ("FGONE", "gone.xlsx", "could not download this file from Slack (Slack said: `file_not_found`)"),
    ]
    for i, (file_id, name, expected) in enumerate(cases):
        slack.event(file_share(file_id, name), event_id=f"EvBad{i}")
        reply = fake_slack.wait_for("chat.postMessage", i + 1)[i]
        assert expected in reply.text, (name, reply.text)
        assert "Traceback" not in reply.text and "Apply" not in [
            e.get("text", {}).get("text") for b in reply.get("blocks") or [] for e in b.get("elements") or []
        ]
    downloaded = {c["file_id"] for c in fake_slack.of("download")}
    assert cases[3][0] not in downloaded and cases[4][0] not in downloaded  # refused before downloading
    assert snapshot(db) == before


def test_files_info_failing_is_told_and_changes_nothing(slack, fake_slack, db, tmp_path):
    file_id = fake_slack.add_file("register.xlsx", edited_register(db, tmp_path))
    before = snapshot(db)
    fake_slack.fail("files.info", status=200, error="access_denied")
    slack.event(file_share(file_id), event_id="EvImpFail")
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "Slack said: `access_denied`" in reply.text
    assert not fake_slack.of("download") and snapshot(db) == before


def test_an_unchanged_register_has_nothing_to_apply(slack, fake_slack, db, tmp_path):
    seed_register(db)
    file_id = fake_slack.add_file("register.xlsx", exported(db, tmp_path).read_bytes())
    slack.event(file_share(file_id), event_id="EvImpSame")
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "matches the register: there is nothing to import" in reply.text
    assert not any(b.get("type") == "actions" for b in reply.get("blocks") or [])


def test_a_file_larger_than_slack_said_is_cut_off_while_reading(slack, fake_slack, db):
    file_id = fake_slack.add_file("big.xlsx", b"PK" + b"\0" * (10 * 1024 * 1024), size=1000)
    slack.event(file_share(file_id, "big.xlsx"), event_id="EvImpBig")
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "over 10 MB" in reply.text and fake_slack.of("download")


def test_the_event_is_acked_before_the_download(slack, fake_slack, db, tmp_path):
    file_id = fake_slack.add_file("register.xlsx", edited_register(db, tmp_path))
    fake_slack.fail("files.info", status=200, error="internal_error", delay=2.0)  # a slow Slack
    r = slack.event(file_share(file_id), event_id="EvImpSlow", wait=False)
    assert r.status == 200 and fake_slack.of("chat.postMessage") == []  # the ack did not wait for it
    slack.wait_idle()
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "Slack said: `internal_error`" in reply.text
