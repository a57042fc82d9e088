"""Property (issues 15, 13): export → import → export leaves the Innovations sheet unchanged, in English and in Dutch."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports import importer
from exports.register import Filters, write_register
from models.groups import Group
from models.innovations import InnovationInput, create_innovation
from models.people import ensure_member
from models.vocab import KINDS, RISK_LEVELS, STAGES
from tests.conftest import wipe

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Any text a person might type, control characters, formula starts and Excel's error words included.
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
    st.sampled_from(["=1+1", "+SUM(A1)", "-x", "@A1", "\tTab", "#N/A", "TRUE", "0012", "1.50", "2026-07-01"]),
)
INNOVATION = st.fixed_dictionaries({
    "title": TEXT.filter(lambda t: " ".join(t.replace("\x00", "").split())),
    "kind": st.sampled_from([None, *KINDS]),
    "stage": st.sampled_from([s for s in STAGES if s not in ("parked", "dropped")]),
    "summary": TEXT,
    "link": st.sampled_from([None, "https://example.org/a?b=1&c=2", "http://x.org"]),
    "organisations": st.lists(st.sampled_from(["Cordaid", "Oxfam Novib", "=Evil", "Ça va"]), max_size=3),
    "sdgs": st.lists(st.integers(1, 17), max_size=4),
    "tags": st.lists(st.sampled_from(["ai", "Privacy", "data ethics", "#x"]), max_size=3),
    "privacy_risk": st.sampled_from(RISK_LEVELS),
    "safeguards": TEXT,
})  # fmt: skip


def export(db, language: str = "en") -> bytes:
    out = io.BytesIO()
    with db.snapshot() as s:
        write_register(
            s,
            out,
            filters=Filters(),
            group_id=None,
            made_at=NOW,
            made_by="test",
            timezone="Europe/Amsterdam",
            language=language,
        )
    return out.getvalue()


def innovations_sheet(data: bytes) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(c.value for c in row) for row in wb.worksheets[1].iter_rows()]  # Innovations / Innovaties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(INNOVATION, min_size=1, max_size=4))
@pytest.mark.parametrize("language", ["en", "nl"])
def test_export_import_export_is_unchanged(db, language, innovations):
    wipe(db)
    with db.transaction() as s:
        actor, _ = ensure_member(s, "UCOORD", NOW, "Coord")
        actor.is_coordinator = True
        s.add(Group(handle="data-ethics", description="", created_at=NOW))
        s.flush()
        for data in innovations:
            try:
                create_innovation(s, actor, InnovationInput(group="data-ethics", **data), NOW)
            except importer.DomainError:
                pass  # input the bot itself refuses is not in the register
    first = export(db, language)
    report = importer.preview(db, first, timezone="Europe/Amsterdam")
    assert report.ok and not report.new and not report.changed, (report.errors, report.changed)
    report = importer.apply(db, first, None, NOW, timezone="Europe/Amsterdam")
    assert report.ok and report.applied
    assert innovations_sheet(export(db, language)) == innovations_sheet(first)
