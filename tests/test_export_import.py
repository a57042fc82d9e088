"""Import of the Innovations sheet (issue 15): dry run, apply, round trip and bad input, through the CLI."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import func, select

from exports import importer
from models.audit import AuditEntry
from models.groups import Group
from models.innovations import Innovation, StageChange
from tests.test_export_cli import run_cli
from tests.test_export_workbook import T1, build, seed_register

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def exported(db, tmp_path):
    path = tmp_path / "register.xlsx"
    build(db, path)
    return path


def edit(path, out, change):
    wb = openpyxl.load_workbook(path)
    change(wb["Innovations"])
    wb.save(out)
    return out


def snapshot(db):
    with db.transaction() as s:
        return (
            s.scalar(select(func.count(Innovation.id))),
            s.scalar(select(func.count(StageChange.id))),
            s.scalar(select(func.max(Innovation.updated_at))),
        )


def test_round_trip_reports_no_changes_and_applies_nothing(db, tmp_path):
    seed_register(db)
    path = exported(db, tmp_path)
    before = snapshot(db)
    proc = run_cli(db.url, "import", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "New: 0" in proc.stdout and "Changed: 0" in proc.stdout and "Unchanged: 3" in proc.stdout
    assert "Dry run: nothing was changed" in proc.stdout
    assert "Logged by: written by the bot: not imported." in proc.stdout
    proc = run_cli(db.url, "import", str(path), "--apply")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(db) == before


def test_dry_run_then_apply_new_changed_and_idempotent(db, tmp_path):
    ids = seed_register(db)
    path = exported(db, tmp_path)

    def change(ws):
        ws["E3"] = "piloting"  # second: exploring -> piloting
        ws["L3"] = "3, 16"
        ws.append(["", "A new one", "data-ethics", "strategy", "idea", "From a spreadsheet", "Oxfam Novib, New Org"])
        ws.append([None, "In a new group", "new-group"])
        ws["Z1"] = "Comments"  # an extra column

    edited = edit(path, tmp_path / "edited.xlsx", change)
    before = snapshot(db)
    proc = run_cli(db.url, "import", str(edited))
    assert proc.returncode == 1  # the new group does not exist
    assert "row 6, column Action group: there is no action group new-group" in proc.stdout
    assert "Nothing was changed" in proc.stdout
    assert "column Comments: not a register column: ignored." in proc.stdout
    assert snapshot(db) == before

    proc = run_cli(db.url, "import", str(edited), "--create-groups")
    assert proc.returncode == 0, proc.stdout
    assert "New: 2" in proc.stdout and "Changed: 1" in proc.stdout and "Unchanged: 2" in proc.stdout
    assert f"row 3, INN-{ids['second']}:" in proc.stdout and "Stage: 'exploring' → 'piloting'" in proc.stdout
    assert "SDGs: '' → '3, 16'" in proc.stdout
    assert "Action groups to create: new-group" in proc.stdout
    assert snapshot(db) == before  # a dry run

    proc = run_cli(db.url, "import", str(edited), "--create-groups", "--apply")
    assert proc.returncode == 0, proc.stdout
    assert "Applied: 2 new, 1 changed." in proc.stdout
    with db.transaction() as s:
        second = s.get(Innovation, ids["second"])
        assert (second.stage, second.sdgs) == ("piloting", "3,16")
        move = s.scalars(
            select(StageChange).where(StageChange.innovation_id == second.id).order_by(StageChange.id.desc())
        ).first()
        assert (move.from_stage, move.to_stage, move.note) == ("exploring", "piloting", "imported")
        new = s.scalars(select(Innovation).where(Innovation.title == "A new one")).one()
        assert sorted(o.name for o in new.organisations) == ["New Org", "Oxfam Novib"]
        assert (new.kind, new.stage, new.summary) == ("strategy", "idea", "From a spreadsheet")
        assert s.scalars(select(Group).where(Group.handle == "new-group")).one()
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "register.import"))
        assert "2 new, 1 changed" in entry.detail
    after = snapshot(db)
    proc = run_cli(db.url, "import", str(edited), "--create-groups", "--apply")  # the same file again
    assert proc.returncode == 0, proc.stdout
    assert "New: 0" in proc.stdout and "Changed: 0" in proc.stdout and "Unchanged: 5" in proc.stdout
    assert snapshot(db) == after


def test_dutch_headers_and_order_free(db, tmp_path):
    seed_register(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws.append(["Stadium", "Titel", "Actiegroep", "Vastgelegd op"])
    ws.append(["idea", "Nederlands idee", "data-ethics", "2026-07-01"])
    ws.append(["exploring", "Met datum", "data-ethics", datetime(2026, 7, 2, 9, 30)])
    path = tmp_path / "nl.xlsx"
    wb.save(path)
    proc = run_cli(db.url, "import", str(path), "--apply")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sheet Blad1: 2 rows" in proc.stdout and "New: 2" in proc.stdout
    with db.transaction() as s:
        dated = s.scalars(select(Innovation).where(Innovation.title == "Met datum")).one()
        assert dated.logged_at == datetime(2026, 7, 2, 7, 30, tzinfo=UTC)  # 09:30 in Amsterdam


def test_bad_rows_are_each_one_line_and_nothing_is_applied(db, tmp_path):
    ids = seed_register(db)
    path = exported(db, tmp_path)

    def change(ws):
        ws["B2"] = "=1+1"  # a formula
        ws["E3"] = "finished"
        ws["C4"] = "data-ethics"  # the third innovation is another group's
        ws.append(["", "Fine", "data-ethics"])
        ws.append([f"INN-{ids['second']}", "#N/A", "data-ethics"])  # a duplicate Ref
        ws.append([])
        ws.append(["INN-999", "Nope", "data-ethics"])
        ws.append(["", "Dated badly", "data-ethics", "", "", "", "", "", "yesterday"])
        ws.merge_cells("F10:G10")

    edited = edit(path, tmp_path / "bad.xlsx", change)
    before = snapshot(db)
    proc = run_cli(db.url, "import", str(edited), "--apply")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    out = proc.stdout
    assert "row 2, column Title: a formula" in out
    assert "row 3, column Stage: 'finished' is not a stage" in out
    assert f"row 4, column Action group: INN-{ids['third']} belongs to civic-tech, not data-ethics" in out
    assert f"row 6, column Ref: INN-{ids['second']} is also on row 3" in out
    assert "row 7 blank: skipped." in out
    assert "row 8, column Ref: there is no innovation INN-999" in out
    assert "row 9, column Logged on: 'yesterday' is not a date" in out
    assert "row 10: merged cells F10:G10" in out
    assert "Nothing was changed" in out
    assert snapshot(db) == before


def test_bad_files_are_refused_in_one_line(db, tmp_path):
    seed_register(db)
    cases = {
        "empty.xlsx": b"",
        "text.xlsx": b"just some text, not a workbook",
        "zip.xlsx": _zip({"hello.txt": b"hi"}),
        "bomb.xlsx": _zip({"xl/workbook.xml": b"<a/>", "xl/worksheets/sheet1.xml": b"0" * (200 * 1024 * 1024)}),
        "big.xlsx": b"PK" + b"\0" * (10 * 1024 * 1024 + 1),
    }
    expected = {
        "empty.xlsx": "the file is empty",
        "text.xlsx": "not an .xlsx workbook",
        "zip.xlsx": "without a workbook in it",
        "bomb.xlsx": "zip bomb",
        "big.xlsx": "10 MB is the most",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        proc = run_cli(db.url, "import", str(tmp_path / name))
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1 and len(lines) == 1 and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert expected[name] in lines[0], (name, lines[0])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_too_many_rows(db, tmp_path, monkeypatch):
    seed_register(db)
    monkeypatch.setattr(importer.R, "MAX_ROWS", 3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title", "Action group"])
    for i in range(4):
        ws.append([f"Row {i}", "data-ethics"])
    data = io.BytesIO()
    wb.save(data)
    report = importer.preview(db, data.getvalue())
    assert not report.ok and "more than 3 rows" in report.errors[0].text
    report = importer.apply(db, data.getvalue(), None, NOW)
    assert not report.applied


def test_preview_and_apply_are_callable_without_the_cli(db, tmp_path):
    seed_register(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title", "Action group", "Stage"])
    ws.append(["From a service", "data-ethics", "parked"])
    data = io.BytesIO()
    wb.save(data)
    report = importer.preview(db, data.getvalue())
    assert report.ok and [p.title for p in report.new] == ["From a service"] and not report.applied
    report = importer.apply(db, data.getvalue(), "U1", T1)
    assert report.applied
    with db.transaction() as s:
        new = s.scalars(select(Innovation).where(Innovation.title == "From a service")).one()
        (change,) = s.scalars(select(StageChange).where(StageChange.innovation_id == new.id))
        assert (new.logged_by, change.to_stage, change.note, change.by_id) == ("U1", "parked", "imported", "U1")
