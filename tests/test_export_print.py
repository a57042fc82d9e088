"""Printing the register (issue 15): page setup read back, and LibreOffice's PDF of 25 innovations."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from models.groups import Group
from models.innovations import Innovation, StageChange
from models.people import Member
from models.standups import StandupPrompt, StandupRun
from tests.test_export_workbook import T0, T1, build, seed_register

QUESTIONS = '["What did you explore?", "What next?", "Anything blocking you?"]'
SHEETS = ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]


def seed_25(db) -> None:
    """25 innovations with long text in two groups, a stand-up history over three weeks."""
    with db.transaction() as s:
        s.add(Member(id="UA", name="Ama Long-Name Mensah", created_at=T0))
        groups = [Group(handle=f"group-{i}", description="A group " * 8, created_at=T0) for i in range(2)]
        s.add_all(groups)
        s.flush()
        for i in range(25):
            inn = Innovation(
                group_id=groups[i % 2].id, title=f"Innovation {i} with a rather long title that must wrap",
                kind="instrument", stage=("idea", "piloting", "scaling", "adopted")[i % 4],
                summary="A summary that goes on for a while, explaining the idea in some detail. " * 4,
                link=f"https://example.org/innovations/{i}/a-long-path-to-the-page", sdgs="3,5,16",
                tags="ai,privacy,data-ethics", privacy_risk=("high", "not-assessed", "low")[i % 3],
                safeguards="" if i % 2 else "Consent forms and a data protection impact assessment.",
                logged_by="UA", logged_at=T0, updated_at=T1,
            )  # fmt: skip
            s.add(inn)
            s.flush()
            s.add(StageChange(innovation_id=inn.id, from_stage=None, to_stage=inn.stage, by_id="UA", at=T0, note=""))
        for week in range(3):
            run = StandupRun(group_id=groups[0].id, due_at=datetime(2026, 11, 2 + 7 * week, 9, tzinfo=UTC),
                             claimed_at=T0, status="closed", questions=QUESTIONS)  # fmt: skip
            s.add(run)
            s.flush()
            s.add(StandupPrompt(run_id=run.id, member_id="UA", sent_at=T0, answered_at=T0 if week else None,
                                answers='["a", "b", "a blocker"]' if week else None))  # fmt: skip


def test_every_sheet_prints_landscape_one_page_wide(db, tmp_path):
    seed_register(db)
    path = tmp_path / "register.xlsx"
    build(db, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert "Innovation register, 20 Nov 2026" in ws.oddHeader.center.text, ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
        if ws.title != "Summary":
            assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
    inn = wb["Innovations"]
    widths = [inn.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQ"]
    assert all(w >= 9 for w in widths) and sum(widths) < 400
    # Text longer than its column wraps, so it never runs over the next cell.
    for row in inn.iter_rows(min_row=2):
        for cell in row:
            width = inn.column_dimensions[cell.column_letter].width
            if isinstance(cell.value, str) and len(cell.value) > width:
                assert cell.alignment.wrap_text, cell.coordinate
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Made by"] == "Coord =Nator"


def test_stand_ups_and_risks_sheets(db, tmp_path):
    seed_25(db)
    path = tmp_path / "register.xlsx"
    build(db, path)
    wb = openpyxl.load_workbook(path)
    rows = [r for r in wb["Stand-ups"].iter_rows(min_row=2, max_row=4, values_only=True)]
    assert rows == [
        ("group-0", "2026-W45", 1, 0, 0, 0),
        ("group-0", "2026-W46", 1, 1, 1, 1),
        ("group-0", "2026-W47", 1, 1, 1, 1),
    ]
    with zipfile.ZipFile(path) as z:  # openpyxl does not read charts back: the Stand-ups chart is a line chart
        assert any(b"lineChart" in z.read(n) for n in z.namelist() if n.startswith("xl/charts/"))
    risks = list(wb["Risks"].iter_rows(values_only=True))
    assert risks[0][:5] == ("Stage", "Privacy: not-assessed", "Privacy: low", "Privacy: medium", "Privacy: high")
    by_stage = {r[0]: r[1:] for r in risks[1:8]}
    assert sum(by_stage["piloting"][:4]) == 6 and sum(by_stage["idea"][:4]) == 7
    titles = [r[0] for r in risks]
    at = titles.index("Needs attention")
    attention = [r for r in risks[at + 3 :] if r and r[0]]
    # piloting/scaling/adopted (i % 4 != 0) with a risk not assessed (all of them: civic space) ...
    assert len(attention) == len([i for i in range(25) if i % 4])
    assert all(r[0].startswith("INN-") and "not assessed" in r[4] for r in attention)
    assert any("high risk without safeguards: privacy" in r[4] for r in attention)


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("SPINDLE_REQUIRE_LIBREOFFICE"):  # CI installs it: there a missing one is a failure
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return soffice


def to_pdf(path, tmp_path) -> PdfReader:
    out = tmp_path / "pdf"
    proc = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)}, check=False,
    )  # fmt: skip
    pdf = out / (path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), (proc.stdout, proc.stderr)
    return PdfReader(pdf)


def test_libreoffice_prints_25_innovations_one_page_wide(db, tmp_path):
    seed_25(db)
    path = tmp_path / "register.xlsx"
    build(db, path)
    pdf = to_pdf(path, tmp_path)
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) <= 12, len(pages)  # was 21 portrait pages before issue 15
    for page in pdf.pages:
        assert page.mediabox.width > page.mediabox.height  # landscape
    innovations = [t for t in pages if "INN-" in t and "Summary" in t and "Safeguards" in t]
    assert innovations, pages[:3]
    # One page wide: every page of the Innovations sheet has its first and last column.
    for text in innovations:
        assert "Ref" in text and "Tags" in text
        assert "Innovation register, 20 Nov 2026" in text and "Page " in text
    assert not [t for t in pages if "INN-" in t and "Safeguards" not in t and "Note" not in t and "Why" not in t]


def test_libreoffice_prints_an_empty_register_in_a_page_a_sheet(db, tmp_path):
    path = tmp_path / "empty.xlsx"
    build(db, path)
    pdf = to_pdf(path, tmp_path)
    assert len(pdf.pages) <= len(SHEETS)
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "No innovations yet: no chart." in text and "No stand-up prompts sent yet: no chart." in text
