"""Planning an import a chunk of rows at a time (issue 15's memory goal): the report and what an apply
writes do not depend on where the chunks break, and the rows survive their compressed spool."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from exports import importer
from exports.import_read import Problem, RawRow, RowSpool
from exports.import_report import render
from models.groups import Group
from models.innovations import Innovation, StageChange
from tests.test_export_import import NOW
from tests.test_export_workbook import T0, seed_register

HEADERS = ["Ref", "Title", "Action group", "Stage", "Summary"]


def seed(db) -> dict[str, int]:
    """seed_register's three, and four plain ones in data-ethics (two of them with the same title)."""
    seed_register(db)
    ids = {}
    with db.transaction() as s:
        group = s.scalars(select(Group).where(Group.handle == "data-ethics")).one()
        for key, title in (("a", "Plain A"), ("b", "Plain B"), ("c", "Plain C"), ("t1", "Twin"), ("t2", "Twin")):
            inn = Innovation(
                group_id=group.id, title=title, kind=None, stage="idea", summary=f"About {title}", link=None,
                sdgs="", tags="", safeguards="", logged_by="U1", logged_at=T0, updated_at=T0,
            )  # fmt: skip
            s.add(inn)
            s.flush()
            ids[key] = inn.id
    return ids


def workbook(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def every_path(ids: dict[str, int]) -> list[list]:
    """Rows whose checks reach back past any chunk break: each names a row above it."""
    a, b, c = (f"INN-{ids[k]}" for k in "abc")
    return [
        [a, "Plain A", "data-ethics", "idea", "About Plain A, edited"],  # 2: changed
        [None, "plain b", "data-ethics", "piloting", "About Plain B"],  # 3: matched by title, stage moved
        [b, "Plain B", "data-ethics", "idea", "About Plain B"],  # 4: also on row 3
        [a, "Plain A", "data-ethics", "idea", "About Plain A"],  # 5: also on row 2
        [None, "Brand new", "data-ethics", "", "Fresh"],  # 6: new
        [None, None, None, None, None],  # 7: blank
        [None, "brand NEW", "data-ethics", "", "Again"],  # 8: the same group and title as row 6
        ["INN-999999", "Plain C", "data-ethics", "idea", "About Plain C"],  # 9: no such Ref (then by title)
        [c, "Plain C", "data-ethics", "idea", "About Plain C"],  # 10: also on row 9
        ["nonsense", "Other", "data-ethics", "", ""],  # 11: not a Ref
        [None, "Twin", "data-ethics", "", ""],  # 12: matches two
        [None, "In a new group", "new-group", "", ""],  # 13: no such group
    ]


@pytest.mark.parametrize("create_groups", [False, True])
def test_the_report_is_the_same_whatever_the_chunk_size(db, monkeypatch, create_groups):
    ids = seed(db)
    data = workbook(every_path(ids))
    reports = {}
    for size in (1, 2, 3, 1000):
        monkeypatch.setattr(importer.R, "CHUNK_ROWS", size)
        reports[size] = render(importer.preview(db, data, create_groups=create_groups), "f.xlsx", dry_run=True)
    assert len(set(reports.values())) == 1, reports
    report = reports[1]
    a, b, c = (ids[k] for k in "abc")
    for line in (
        "f.xlsx, sheet Sheet: 11 rows.",
        f"  row 2, INN-{a}:",
        f"  row 3, INN-{b}:",
        "    Stage: 'idea' → 'piloting'",
        "  row 6: data-ethics — Brand new",
        f"  row 4, column Ref: INN-{b} is also on row 3; one row per innovation.",
        f"  row 4, column Title: the same innovation (INN-{b}) as row 3.",
        f"  row 5, column Ref: INN-{a} is also on row 2; one row per innovation.",
        "  row 7 blank: skipped.",
        "  row 8, column Title: the same action group and title as row 6.",
        "  row 9, column Ref: there is no innovation INN-999999.",
        f"  row 10, column Ref: INN-{c} is also on row 9; one row per innovation.",
        "  row 11, column Ref: 'nonsense' is not a Ref like INN-12.",
        f"  row 12, column Title: matches INN-{ids['t1']} and INN-{ids['t2']} in data-ethics; add the Ref to say which.",
    ):
        assert line in report.splitlines(), (line, report)
    assert ("Action groups to create: new-group" in report) == create_groups


def test_an_apply_in_chunks_writes_every_chunk_in_one_transaction(db, monkeypatch):
    ids = seed(db)
    monkeypatch.setattr(importer.R, "CHUNK_ROWS", 1)
    rows = [r for i, r in enumerate(every_path(ids)) if i in (0, 1, 4)]
    report = importer.apply(db, workbook(rows), "U1", NOW)
    assert report.applied and len(report.changed) == 2 and len(report.new) == 1, render(report, "f", dry_run=False)
    with db.transaction() as s:
        assert s.get(Innovation, ids["a"]).summary == "About Plain A, edited"
        assert s.get(Innovation, ids["b"]).stage == "piloting"
        assert s.scalars(select(Innovation.stage).where(Innovation.title == "Brand new")).one() == "exploring"
        moved = s.scalars(select(StageChange).where(StageChange.innovation_id == ids["b"])).one()
        assert (moved.from_stage, moved.to_stage, moved.note) == ("idea", "piloting", "imported")

    # An error in the last chunk: the chunks before it are not applied either.
    bad = [[f"INN-{ids['c']}", "Plain C", "data-ethics", "idea", "Changed C"], ["nonsense", "X", "data-ethics"]]
    report = importer.apply(db, workbook(bad), "U1", NOW)
    assert not report.applied and report.errors
    with db.transaction() as s:
        assert s.get(Innovation, ids["c"]).summary == "About Plain C"


def test_rows_come_back_from_the_spool_as_they_went_in():
    rows = [
        RawRow(2, ("INN-1", "Tïtle ✓ 😀 \ud83d\ude00 \ud800", None, "", datetime(2026, 7, 1, 12, 30, 5, 7)), []),
        RawRow(3, ("", "x", "g", "idea", date(2026, 7, 1)), [Problem(3, "Stage", "a formula; …")]),
        RawRow(5, ("", "y", "g", "idea", "2026-07-01 12:00"), [Problem(5, None, "n")]),
    ]
    spool = RowSpool(chunk_rows=2)
    for row in rows:
        spool.append(row)
    chunks = list(spool.chunks())
    assert [len(c) for c in chunks] == [2, 1] and spool.count == 3
    back = [r for c in chunks for r in c]
    assert [(r.number, r.values, r.problems) for r in back] == [(r.number, r.values, r.problems) for r in rows]
    assert type(back[0].values[4]) is datetime and type(back[1].values[4]) is date
