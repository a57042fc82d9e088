"""The register workbook (issue 5): sheets, headers, types, dates, links, safety; weekly claims.

Rows are inserted with the models directly (not through the innovation operations), so these
tests pin the workbook, not the way innovations are logged.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from exports import columns as C
from exports.cells import CUT_MARK, MAX_CELL, clean_text, needs_guard
from exports.register import Filters, check_filters, counts_line, write_register
from handlers.ui.errors import describe
from models.errors import Invalid, NotFound
from models.groups import Group, Membership
from models.innovations import Innovation, Organisation, StageChange, innovation_organisations
from models.people import Member
from models.register import DUE_WINDOW, RETRY_AFTER, RegisterDelivery, claim_weekly, due_week, record_delivery
from models.standups import StandupPrompt, StandupRun, StandupSchedule
from tests.conftest import COORDINATOR

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (summer time)
T1 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam (winter time)
FORMULA_TITLE = '=HYPERLINK("http://x","y")'
FORMULA_SUMMARY = "+SUM(1,2)"
SPEC_HEADERS = {
    "Innovations": [
        "Ref", "Title", "Action group", "Kind", "Stage", "Summary", "Organisations", "Logged by", "Logged on",
        "Last updated", "Link", "SDGs", "Privacy risk", "Civic space risk", "Manipulation risk", "Safeguards", "Tags",
    ],
    "Stage history": ["Ref", "Title", "From", "To", "By", "When", "Note"],
    "Action groups": [
        "Handle", "Description", "Lead", "Members", "Organisations", "Channel", "Innovations", "Stand-up schedule",
        "Stand-up participation",
    ],
}  # fmt: skip


def seed_register(db) -> dict[str, int]:
    """Two groups (one archived), three innovations with hostile text, history and stand-up prompts."""
    with db.transaction() as s:
        s.add_all([
            Member(id="U1", name="Ama", organisation="Cordaid", created_at=T0, profile_fetched=True),
            Member(id="forgotten-abc", name="", forgotten=True, created_at=T0, profile_fetched=True),
            Member(id="U3", name="=cmd|' /C calc'!A0", organisation="@Evil org", created_at=T0),
        ])  # fmt: skip
        s.flush()
        ethics = Group(handle="data-ethics", description="Ethics of data", channel_id="C1", lead_id="U1",
                       created_by=COORDINATOR, created_at=T0)  # fmt: skip
        civic = Group(handle="civic-tech", description="-minus first", created_by=COORDINATOR, created_at=T0,
                      archived_at=T1)  # fmt: skip
        s.add_all([ethics, civic])
        s.flush()
        s.add_all([
            Membership(group_id=ethics.id, member_id="U1", joined_at=T0),
            Membership(group_id=ethics.id, member_id="U3", joined_at=T0),
            Membership(group_id=civic.id, member_id="U1", joined_at=T0),
        ])  # fmt: skip
        cordaid = Organisation(name="Cordaid", key="cordaid")
        oxfam = Organisation(name="Oxfam Novib", key="oxfam novib")
        s.add_all([cordaid, oxfam])
        first = Innovation(
            group_id=ethics.id, title=FORMULA_TITLE, kind="instrument", stage="piloting", summary=FORMULA_SUMMARY,
            link="https://example.org/a?b=1&c=2", sdgs="3,5", tags="ai,privacy", privacy_risk="high",
            civic_space_risk="low", manipulation_risk="not-assessed", safeguards="-1 safeguard", logged_by="U1",
            logged_at=T0, updated_at=T1,
        )  # fmt: skip
        second = Innovation(
            group_id=ethics.id, title="#N/A", kind=None, stage="exploring", summary="@SUM(A1)\x07 with a bell",
            link="javascript:alert(1)", sdgs="", tags="", safeguards="x" * (MAX_CELL + 10), logged_by="forgotten-abc",
            logged_at=T0, updated_at=T0,
        )  # fmt: skip
        third = Innovation(
            group_id=civic.id, title="Community radio\nsecond line", kind="strategy", stage="idea", summary="\tTabbed",
            link=None, sdgs="16", tags="radio", safeguards="", logged_by=COORDINATOR, logged_at=T1, updated_at=T1,
        )  # fmt: skip
        s.add_all([first, second, third])
        s.flush()
        s.execute(innovation_organisations.insert(), [
            {"innovation_id": first.id, "organisation_id": oxfam.id},
            {"innovation_id": first.id, "organisation_id": cordaid.id},
        ])  # fmt: skip
        s.add_all([
            StageChange(innovation_id=first.id, from_stage=None, to_stage="idea", by_id="U1", at=T0, note=""),
            StageChange(innovation_id=first.id, from_stage="idea", to_stage="piloting", by_id="forgotten-abc", at=T1,
                        note="=1+1"),
            StageChange(innovation_id=second.id, from_stage=None, to_stage="exploring", by_id="forgotten-abc", at=T0,
                        note=""),
            StageChange(innovation_id=third.id, from_stage=None, to_stage="idea", by_id=COORDINATOR, at=T1, note=""),
        ])  # fmt: skip
        s.add(StandupSchedule(group_id=ethics.id, days="mon,wed", local_time="09:30", tz="Europe/Amsterdam",
                              active=True, questions=None, reminder_minutes=120, lead_warned_no_channel=False))  # fmt: skip
        run = StandupRun(group_id=ethics.id, due_at=T0, claimed_at=T0, status="closed", questions=[])
        s.add(run)
        s.flush()
        s.add_all([
            StandupPrompt(run_id=run.id, member_id="U1", sent_at=T0, answered_at=T0, answers=[]),
            StandupPrompt(run_id=run.id, member_id="U3", sent_at=T0),
            StandupPrompt(run_id=run.id, member_id="forgotten-abc", sent_at=None),  # never sent: not counted
        ])  # fmt: skip
        return {"first": first.id, "second": second.id, "third": third.id, "ethics": ethics.id}


def build(db, path: Path, handle: str | None = None, stage: str | None = None):
    with db.transaction() as s:
        filters, group_id = check_filters(s, handle, stage)
        return write_register(
            s, str(path), filters=filters, group_id=group_id, made_at=T1, made_by="Coord =Nator",
            timezone="Europe/Amsterdam",
        )  # fmt: skip


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def test_every_sheet_header_row_type_and_date(db, tmp_path):
    ids = seed_register(db)
    path = tmp_path / "register.xlsx"
    counts = build(db, path)
    assert (counts.innovations, counts.stage_changes, counts.groups) == (3, 4, 2)
    assert counts_line(counts) == "3 innovations in 2 groups: 1 idea, 1 exploring, 1 piloting · 4 stage changes"

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]
    for name, headers in SPEC_HEADERS.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert header[: len(headers)] == headers or set(headers) <= set(header), name
        assert ws.freeze_panes == "A2", name
        assert all(c.font.bold for c in ws[1] if c.value), name
        (table,) = ws.tables.values()
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table.displayName)
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        assert [c.name for c in table.tableColumns] == header
        assert ws.column_dimensions["B"].width > 10

    inn = wb["Innovations"]
    data = rows(inn)
    assert len(data) == 3
    col = {h: i for i, h in enumerate(C.headers(C.INNOVATIONS))}
    first, second, third = data
    assert first[col["Ref"]] == f"INN-{ids['first']}"
    assert first[col["Title"]] == FORMULA_TITLE and first[col["Summary"]] == FORMULA_SUMMARY
    assert first[col["Organisations"]] == "Cordaid, Oxfam Novib"
    assert first[col["Logged by"]] == "Ama" and second[col["Logged by"]] == "former member"
    assert first[col["SDGs"]] == "3 Good health and well-being; 5 Gender equality"
    assert first[col["Tags"]] == "ai, privacy"
    assert (first[col["Privacy risk"]], first[col["Civic space risk"]]) == ("high", "low")
    assert first[col["Safeguards"]] == "-1 safeguard"
    # Dates: real date cells, naive wall-clock time in SPINDLE_TIMEZONE, with a date format.
    assert first[col["Logged on"]] == datetime(2026, 7, 1, 12, 0)
    assert first[col["Last updated"]] == datetime(2026, 11, 20, 11, 0)
    logged = inn.cell(row=2, column=col["Logged on"] + 1)
    assert logged.is_date and logged.data_type == "d" and "yy" in logged.number_format
    # Links: clickable for http(s) only.
    link = inn.cell(row=2, column=col["Link"] + 1)
    assert link.hyperlink is not None and link.hyperlink.target == "https://example.org/a?b=1&c=2"
    bad = inn.cell(row=3, column=col["Link"] + 1)
    assert bad.value == "javascript:alert(1)" and bad.hyperlink is None
    # Hostile text is text; what Excel cannot hold is removed or cut with a mark.
    assert second[col["Title"]] == "#N/A"
    assert second[col["Summary"]] == "@SUM(A1) with a bell"
    assert len(second[col["Safeguards"]]) == MAX_CELL and second[col["Safeguards"]].endswith(CUT_MARK)
    assert third[col["Summary"]] == "\tTabbed" and third[col["Kind"]] == "strategy"
    assert third[col["Title"]] == "Community radio\nsecond line"
    assert inn.cell(row=4, column=col["Title"] + 1).alignment.wrap_text
    for r in range(2, 5):
        for c in range(1, len(C.INNOVATIONS) + 1):
            cell = inn.cell(row=r, column=c)
            assert cell.data_type in ("s", "d", "n"), (cell.coordinate, cell.value, cell.data_type)
    for cell in (inn.cell(row=2, column=2), inn.cell(row=2, column=6), inn.cell(row=3, column=2)):
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    # Drop-downs on Kind and Stage (and the risks).
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in inn.data_validations.dataValidation}
    assert lists["D2"] == '"instrument,way-of-working,strategy"'
    assert lists["E2"] == '"idea,exploring,piloting,scaling,adopted,parked,dropped"'
    assert "M2" in lists

    hist = wb["Stage history"]
    h = rows(hist)
    assert len(h) == 4
    assert h[0][:5] == [f"INN-{ids['first']}", FORMULA_TITLE, "(logged)", "idea", "Ama"]
    assert h[0][5] == datetime(2026, 7, 1, 12, 0) and hist.cell(row=2, column=6).is_date
    assert h[1][2:5] == ["idea", "piloting", "former member"] and h[1][6] == "=1+1"
    assert hist.cell(row=3, column=7).data_type == "s"
    assert len(C.HISTORY) == len(h[0])

    groups = wb["Action groups"]
    g = {row[0]: row for row in rows(groups)}
    gcol = {name: i for i, name in enumerate(C.headers(C.GROUPS))}
    ethics = g["data-ethics"]
    assert ethics[gcol["Lead"]] == "Ama"
    assert ethics[gcol["Members"]] == "=cmd|' /C calc'!A0, Ama"  # by name
    assert ethics[gcol["Organisations"]] == "@Evil org, Cordaid"
    assert ethics[gcol["Channel"]] == "C1"
    assert ethics[gcol["Innovations"]] == 2
    assert ethics[gcol["Stand-up schedule"]] == "mon, wed at 09:30 (Europe/Amsterdam)"
    assert ethics[gcol["Stand-up participation"]] == pytest.approx(0.5)  # 1 answered of 2 sent
    assert g["civic-tech"][gcol["Archived"]] == datetime(2026, 11, 20, 11, 0)
    assert g["civic-tech"][gcol["Description"]] == "-minus first"
    assert g["civic-tech"][gcol["Stand-up participation"]] is None
    assert groups.cell(row=3, column=gcol["Channel"] + 1).hyperlink.target.startswith("https://slack.com/")

    summary = wb["Summary"]
    pairs = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0] is not None}
    assert pairs["Made on"] == datetime(2026, 11, 20, 11, 0)
    assert pairs["Made by"] == "Coord =Nator"
    assert pairs["Filters"] == "none (the whole register)"
    assert pairs["Innovations"] == 3
    assert pairs["piloting"] == 1 and pairs["adopted"] == 0
    assert pairs["data-ethics"] == 2 and pairs["civic-tech"] == 1
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
        assert any(n.startswith("xl/drawings/") for n in z.namelist())


def test_sheet_xml_holds_no_formula(db, tmp_path):
    seed_register(db)
    path = tmp_path / "register.xlsx"
    build(db, path)
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 6
        for name in sheets:
            xml = z.read(name).decode("utf-8")
            assert not re.search(r"<f[ >/]", xml), name
            assert 't="e"' not in xml and 't="str"' not in xml, name
        innovations = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in innovations or '=HYPERLINK("http://x","y")' in (
            innovations
        )
        assert "+SUM(1,2)" in innovations


def test_vocabulary_columns_are_guarded_too(db, tmp_path):
    """Stage, kind and risks come from the vocabulary, but a row put in by hand is still text."""
    ids = seed_register(db)
    with db.transaction() as s:
        s.add(Innovation(group_id=ids["ethics"], title="Odd", kind="=2+3", stage="idea", summary="", sdgs="",
                         tags="", privacy_risk="@risk", safeguards="", logged_at=T1, updated_at=T1))  # fmt: skip
    path = tmp_path / "odd.xlsx"
    build(db, path)
    ws = openpyxl.load_workbook(path)["Innovations"]
    odd = ws.cell(row=5, column=4)
    assert (odd.value, odd.data_type, odd.quotePrefix) == ("=2+3", "s", True)
    assert ws.cell(row=5, column=13).value == "@risk" and ws.cell(row=5, column=13).quotePrefix
    with zipfile.ZipFile(path) as z:
        assert not re.search(r"<f[ >/]", z.read("xl/worksheets/sheet2.xml").decode())


def test_filters_group_and_stage(db, tmp_path):
    ids = seed_register(db)
    path = tmp_path / "ethics.xlsx"
    counts = build(db, path, "Data-Ethics", "piloting")
    assert (counts.innovations, counts.stage_changes, counts.groups) == (1, 2, 1)
    wb = openpyxl.load_workbook(path)
    assert [r[0] for r in rows(wb["Innovations"])] == [f"INN-{ids['first']}"]
    assert {r[0] for r in rows(wb["Stage history"])} == {f"INN-{ids['first']}"}
    assert [r[0] for r in rows(wb["Action groups"])] == ["data-ethics"]
    pairs = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0] is not None}
    assert pairs["Filters"] == "group data-ethics, stage piloting"
    # An archived group's register is still available.
    assert build(db, tmp_path / "civic.xlsx", "civic-tech").innovations == 1


def test_export_reads_one_snapshot_and_blocks_no_writer(db):
    ids = seed_register(db)
    with db.snapshot() as reader:
        assert reader.scalar(select(func.count(Innovation.id))) == 3
        started = time.monotonic()
        with db.transaction() as writer:  # a command writing while a long export runs
            writer.add(Innovation(group_id=ids["ethics"], title="Later", stage="idea", summary="", sdgs="", tags="",
                                  safeguards="", logged_at=T1, updated_at=T1))  # fmt: skip
        assert time.monotonic() - started < 2
        assert reader.scalar(select(func.count(Innovation.id))) == 3  # the export's snapshot is unchanged
    with db.snapshot() as reader:
        assert reader.scalar(select(func.count(Innovation.id))) == 4


def test_unknown_filters_are_refused(db):
    seed_register(db)
    with db.transaction() as s:
        with pytest.raises(NotFound) as err:
            check_filters(s, "nosuch", None)
        assert "no action group `nosuch`" in describe(err.value)
        with pytest.raises(Invalid) as refused:
            check_filters(s, None, "finished")
        assert "`finished` is not a stage" in describe(refused.value)
        with pytest.raises(Invalid):
            check_filters(s, "Bad_Handle!", None)
        assert check_filters(s, None, "IDEA")[0] == Filters(None, "idea")


def test_empty_register_is_a_valid_workbook(db, tmp_path):
    path = tmp_path / "empty.xlsx"
    counts = build(db, path)
    assert counts.innovations == 0 and counts.groups == 0
    wb = openpyxl.load_workbook(path)
    for name in SPEC_HEADERS:
        assert rows(wb[name]) == []
        (table,) = wb[name].tables.values()
        assert table.ref.endswith("2")  # a table needs one (empty) data row


def test_clean_text_and_guard():
    assert clean_text("a\x00b\x07c\x1fd\te\nf") == "abcd\te\nf"
    long = clean_text("y" * (MAX_CELL * 2))
    assert len(long) == MAX_CELL and long.endswith(CUT_MARK)
    assert clean_text(None) == "" and clean_text(12) == "12"
    for text in ("=1", "+1", "-1", "@A1", "\tx", "\rx", "\nx", "#N/A", "#REF!", "#DIV/0!"):
        assert needs_guard(text), text
    for text in ("", "plain", "a=b", "N/A", "#hashtag"):
        assert not needs_guard(text), text


# --- weekly delivery: the pure "is it due?" and the claims ----------------------------------------


def test_due_week_with_the_clock_moved():
    tz = "Europe/Amsterdam"
    monday = date(2026, 11, 30)
    at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam (winter, UTC+1)
    assert due_week(at - timedelta(seconds=1), tz) is None
    assert due_week(at, tz) == monday
    assert due_week(at + timedelta(hours=3), tz) == monday  # a late tick still delivers
    assert due_week(at + DUE_WINDOW - timedelta(seconds=1), tz) == monday
    assert due_week(at + DUE_WINDOW, tz) is None
    assert due_week(at + timedelta(days=1), tz) is None  # Tuesday
    assert due_week(at - timedelta(days=1), tz) is None  # Sunday
    # Summer time: 08:00 local is 06:00 UTC; the first Monday after the spring change.
    assert due_week(datetime(2026, 3, 30, 5, 59, tzinfo=UTC), tz) is None
    assert due_week(datetime(2026, 3, 30, 6, 0, tzinfo=UTC), tz) == date(2026, 3, 30)
    # Another zone's Monday.
    assert due_week(datetime(2026, 11, 29, 23, 0, tzinfo=UTC), "Asia/Tokyo") == date(2026, 11, 30)


def test_weekly_claims_once_retries_failures(db):
    week = date(2026, 11, 30)
    now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    with db.transaction() as s:
        s.add(Member(id="UC2", name="Second", is_coordinator=True, created_at=now))
        s.add(Member(id="UX", name="Gone", is_coordinator=True, forgotten=True, created_at=now))
        s.add(Member(id="U9", name="Not a coordinator", created_at=now))
    with db.transaction() as s:
        assert sorted(claim_weekly(s, week, now)) == sorted([COORDINATOR, "UC2"])
    with db.transaction() as s:  # another process, or the next tick: nothing left to claim
        assert claim_weekly(s, week, now) == []
    with db.transaction() as s:
        record_delivery(s, week, COORDINATOR, now, file_id="F1")
        record_delivery(s, week, "UC2", now, error="ratelimited")
    later = now + RETRY_AFTER
    with db.transaction() as s:
        assert claim_weekly(s, week, later - timedelta(seconds=1)) == []
        assert claim_weekly(s, week, later) == ["UC2"]  # the failed one only
        assert claim_weekly(s, week, later) == []
    with db.transaction() as s:  # the claimer died mid-upload: its claim goes stale and is taken over
        assert claim_weekly(s, week, later + RETRY_AFTER) == ["UC2"]
    with db.transaction() as s:
        record_delivery(s, week, "UC2", later, file_id="F2")
    with db.transaction() as s:
        assert claim_weekly(s, week, later + timedelta(hours=1)) == []
        assert sorted(claim_weekly(s, date(2026, 12, 7), later + timedelta(days=7))) == sorted([COORDINATOR, "UC2"])
        rows_ = {(r.week_of, r.member_id): r for r in s.query(RegisterDelivery)}
        assert rows_[(week, "UC2")].file_id == "F2" and rows_[(week, "UC2")].error is None
        assert rows_[(week, COORDINATOR)].delivered_at is not None


# --- LibreOffice ------------------------------------------------------------------------------------


def test_libreoffice_opens_and_keeps_text_as_text(db, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("SPINDLE_REQUIRE_LIBREOFFICE"):  # CI installs it: there a missing one is a failure
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    seed_register(db)
    path = tmp_path / "register.xlsx"
    build(db, path)
    out = tmp_path / "csv"
    # Filter options: comma, double quote, UTF-8, from row 1, …, sheet -1 = every sheet to its own file.
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, env=env, check=False,
    )  # fmt: skip
    files = {p.name: p for p in out.glob("*.csv")} if out.exists() else {}
    assert proc.returncode == 0 and files, (proc.stdout, proc.stderr)
    by_sheet = {name.rsplit("-", 1)[-1].removesuffix(".csv"): p for name, p in files.items()}
    with by_sheet["Innovations"].open(encoding="utf-8", newline="") as f:
        inn = list(csv.reader(f))
    assert inn[0][:5] == ["Ref", "Title", "Action group", "Kind", "Stage"]
    assert len([r for r in inn[1:] if any(r)]) == 3
    flat = [cell for row in inn for cell in row]
    assert FORMULA_TITLE in flat and FORMULA_SUMMARY in flat and "#N/A" in flat  # not evaluated
    assert "y" not in flat and "3" not in flat
    assert any(c.startswith("2026-07-01 12:00") for c in flat)
    with by_sheet["Stage history"].open(encoding="utf-8", newline="") as f:
        assert len([r for r in list(csv.reader(f))[1:] if any(r)]) == 4
