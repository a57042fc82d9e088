"""services/imports.py without Slack: a real database and importer, a recording Messenger."""

from __future__ import annotations

import threading

import pytest

from exports.import_port import IMPORTER
from handlers.ui.render import render
from services import imports
from services.actor import Actor
from services.ports import MessengerError
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger
from tests.test_export_import import snapshot
from tests.test_import_slack import edited_register, stage_notes

COORD = Actor(COORDINATOR, "coord")
FILE = imports.SentFile("F1", "register.xlsx")


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam")


@pytest.fixture
def messenger(db, tmp_path) -> RecordingMessenger:
    return RecordingMessenger(files={"F1": edited_register(db, tmp_path)})


def test_preview_then_apply_once(uow, messenger, db):
    before = snapshot(db)
    preview = imports.receive_file(uow, messenger, IMPORTER, COORD, "DUCOORD", FILE)
    assert isinstance(preview, imports.ImportPreview)
    assert preview.result.ok and preview.result.changes == 1 and not preview.result.applied
    assert snapshot(db) == before
    (posted,) = messenger.of("post")
    assert posted.channel == "DUCOORD" and posted.message == preview
    _text, blocks = render(preview)
    assert blocks[-1]["elements"][0]["text"]["text"] == "Apply"

    first = imports.apply_file(uow, messenger, IMPORTER, COORD, "DUCOORD", FILE)
    assert isinstance(first, imports.ImportApplied) and first.result.applied
    second = imports.apply_file(uow, messenger, IMPORTER, COORD, "DUCOORD", FILE)
    assert isinstance(second, imports.ImportApplied) and second.result.already and not second.result.applied
    assert stage_notes(db).count("imported") == 1
    assert len(messenger.of("download")) == 3  # preview, and each Apply reads the file again


def test_two_clicks_at_once_apply_it_once(uow, messenger, db):
    results: list[imports.ImportMessage] = []
    threads = [
        threading.Thread(target=lambda: results.append(imports.apply_file(uow, messenger, IMPORTER, COORD, "D", FILE)))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = [r for r in results if isinstance(r, imports.ImportApplied) and r.result.applied]
    assert len(applied) == 1 and stage_notes(db).count("imported") == 1


def test_a_non_coordinator_is_refused_without_a_download(uow, messenger, db):
    before = snapshot(db)
    for step in (imports.receive_file, imports.apply_file):
        refused = step(uow, messenger, IMPORTER, Actor("U9"), "DU9", FILE)
        assert refused == imports.ImportRefused("coordinators_only", "register.xlsx")
    assert messenger.of("download") == [] and snapshot(db) == before


def test_a_failed_download_or_apply_leaves_it_free_to_try_again(uow, messenger, db):
    messenger.failures[("download", "F1")] = MessengerError("ratelimited", transient=True)
    refused = imports.apply_file(uow, messenger, IMPORTER, COORD, "DUCOORD", FILE)
    assert refused == imports.ImportRefused("download_failed", "register.xlsx", "ratelimited")
    assert "Slack said: `ratelimited`" in render(refused)[0]
    messenger.failures[("download", "F1")] = MessengerError("file_too_large", transient=False)
    assert imports.apply_file(uow, messenger, IMPORTER, COORD, "D", FILE) == imports.ImportRefused(
        "too_large", "register.xlsx"
    )
    assert stage_notes(db).count("imported") == 0
    applied = imports.apply_file(uow, messenger, IMPORTER, COORD, "DUCOORD", FILE)  # the claim was not taken
    assert isinstance(applied, imports.ImportApplied) and applied.result.applied


def test_a_broken_importer_is_told_not_raised(uow, messenger, db, caplog):
    class Broken:
        def preview(self, *args, **kwargs):
            raise RuntimeError("boom")

        apply = preview

    assert imports.receive_file(uow, messenger, Broken(), COORD, "D", FILE) == imports.ImportRefused(
        "unreadable", "register.xlsx"
    )
    assert "could not read this workbook" in render(messenger.of("post")[-1].message)[0]


def test_a_long_report_stays_within_block_kit_limits():
    from handlers.ui.imports import render_preview
    from services.ports import ImportResult

    report = "\n".join(f"  row {i}: data-ethics — <!channel> ```x``` {'y' * 80}" for i in range(5000))
    _text, blocks = render_preview(imports.ImportPreview("F1", "r.xlsx", ImportResult(report, ok=True, changes=5000)))
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "more lines" in blocks[-2]["elements"][0]["text"] and blocks[-1]["type"] == "actions"
    assert "<!channel>" not in str(blocks) and "```x```" not in str(blocks)
