"""The register in Dutch (issue 13): sheet names, headers, shown words, summary and print text, read
back with openpyxl; `python -m exports --language`; a Dutch export imports back with no changes; the
export and the weekly register in each coordinator's language."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from exports import importer
from exports.register import WORKBOOK, Filters, check_filters, write_register
from exports.words import VALUE_WORDS, value_of
from handlers.ui.render import render
from i18n import _, speaking
from models.people import Member
from models.vocab import KINDS, RISK_LEVELS, SDG_NAMES, STAGES
from services import register
from services.actor import Actor
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger
from tests.test_export_cli import one_line_error, run_cli
from tests.test_export_import import snapshot
from tests.test_export_workbook import FORMULA_TITLE, T1, seed_register

DUTCH_SHEETS = ["Samenvatting", "Innovaties", "Stadiumgeschiedenis", "Actiegroepen", "Stand-ups", "Risico's"]
# SPEC "Languages", in its order.
DUTCH_INNOVATIONS = [
    "Ref", "Titel", "Actiegroep", "Soort", "Stadium", "Samenvatting", "Organisaties", "Vastgelegd door",
    "Vastgelegd op", "Laatst bijgewerkt", "Link", "SDG's", "Privacyrisico", "Risico maatschappelijke ruimte",
    "Manipulatierisico", "Waarborgen", "Tags",
]  # fmt: skip
DUTCH_HEADERS = {
    "Stadiumgeschiedenis": ["Ref", "Titel", "Van", "Naar", "Door", "Wanneer", "Notitie"],
    "Actiegroepen": [
        "Handle", "Beschrijving", "Trekker", "Leden", "Organisaties", "Kanaal", "Innovaties", "Stand-upschema",
        "Deelname stand-ups", "Gearchiveerd",
    ],
    "Stand-ups": ["Actiegroep", "Week", "Gevraagd", "Beantwoord", "Deelname", "Blokkades"],
}  # fmt: skip
MONDAY_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam


def build(db, target, language: str, made_by: str = "Coord") -> None:
    with db.transaction() as s:
        filters, group_id = check_filters(s, None, None)
        write_register(
            s, target, filters=filters, group_id=group_id, made_at=T1, made_by=made_by,
            timezone="Europe/Amsterdam", language=language,
        )  # fmt: skip


def workbook(db, language: str, made_by: str = "Coord") -> tuple[bytes, openpyxl.Workbook]:
    out = io.BytesIO()
    build(db, out, language, made_by)
    return out.getvalue(), openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def header_row(ws) -> list:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


def by_header(ws) -> list[dict]:
    head = header_row(ws)
    return [dict(zip(head, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def speaks(db, user_id: str, language: str) -> None:
    with db.transaction() as s:
        member = s.get(Member, user_id) or Member(id=user_id, name="", created_at=T1)
        member.language = language
        s.add(member)


def test_a_dutch_workbook_has_the_dutch_sheet_names_and_headers(db):
    seed_register(db)
    _data, wb = workbook(db, "nl")
    assert wb.sheetnames == DUTCH_SHEETS
    assert header_row(wb["Innovaties"]) == DUTCH_INNOVATIONS
    for sheet, headers in DUTCH_HEADERS.items():
        assert header_row(wb[sheet]) == headers, sheet
    risks = header_row(wb["Risico's"])
    assert risks[:2] == ["Stadium", "Privacy: niet beoordeeld"] and "Risico maatschappelijke ruimte" not in risks
    assert "Maatschappelijke ruimte: hoog" in risks and "Manipulatie: gemiddeld" in risks
    # The tables carry the same (Dutch) column names.
    (table,) = wb["Innovaties"].tables.values()
    assert [c.name for c in table.tableColumns] == DUTCH_INNOVATIONS


def test_a_dutch_workbook_shows_stage_kind_risk_sdg_and_schedule_words_in_dutch(db):
    seed_register(db)
    _data, wb = workbook(db, "nl")
    first = next(r for r in by_header(wb["Innovaties"]) if r["Titel"] == FORMULA_TITLE)
    assert (first["Stadium"], first["Soort"]) == ("pilot", "instrument")
    assert (first["Privacyrisico"], first["Risico maatschappelijke ruimte"], first["Manipulatierisico"]) == (
        "hoog",
        "laag",
        "niet beoordeeld",
    )
    assert first["SDG's"] == "3 Goede gezondheid en welzijn; 5 Gendergelijkheid"
    kinds = {r["Titel"]: r["Soort"] for r in by_header(wb["Innovaties"])}
    assert "strategie" in kinds.values()
    history = by_header(wb["Stadiumgeschiedenis"])
    assert {"(vastgelegd)", "idee"} <= {r["Van"] for r in history} and "pilot" in {r["Naar"] for r in history}
    groups = {r["Handle"]: r for r in by_header(wb["Actiegroepen"])}
    assert groups["data-ethics"]["Stand-upschema"] == "ma, wo om 09:30 (Europe/Amsterdam)"
    assert groups["civic-tech"]["Stand-upschema"] == "uit"
    # The drop-down lists offer the Dutch words (which the import reads back).
    lists = {v.formula1 for v in wb["Innovaties"].data_validations.dataValidation}
    assert '"idee,verkennen,pilot,opschalen,ingevoerd,geparkeerd,gestopt"' in lists
    assert '"niet beoordeeld,laag,gemiddeld,hoog"' in lists
    assert any(
        "Kies een van: idee, verkennen" in (v.error or "") for v in wb["Innovaties"].data_validations.dataValidation
    )


def test_a_dutch_workbook_s_summary_risks_and_print_text_are_dutch(db):
    seed_register(db)
    _data, wb = workbook(db, "nl", made_by="command line")
    summary = [r for r in wb["Samenvatting"].iter_rows(values_only=True) if r and r[0]]
    assert summary[0][0] == "Innovatieregister — The Spindle"
    pairs = {r[0]: r[1] for r in summary}
    assert pairs["Gemaakt door"] == "opdrachtregel"  # the register's own maker is a word; a name is not
    assert pairs["Filters"] == "geen (het hele register)" and pairs["Datums zijn in"] == "Europe/Amsterdam"
    assert pairs["Innovaties"] == 3 and pairs["Stadiumwijzigingen"] == 4
    assert pairs["pilot"] == 1 and pairs["idee"] == 1 and "piloting" not in pairs
    assert wb["Samenvatting"]._charts[0].title is not None
    texts = [v for r in wb["Risico's"].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert "Vraagt aandacht" in texts
    assert any(t.startswith("Innovaties in pilot, opschalen of ingevoerd") for t in texts)
    assert any("niet beoordeeld: manipulatie" in t or "hoog risico zonder waarborgen" in t for t in texts)
    for ws in wb.worksheets:
        assert "Innovatieregister, 20 nov 2026" in ws.oddHeader.center.text, ws.title
        assert ws.oddFooter.center.text == "Pagina &P van &N"


def test_an_english_workbook_stays_english(db):
    seed_register(db)
    _data, wb = workbook(db, "en")
    assert wb.sheetnames == ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]
    first = next(r for r in by_header(wb["Innovations"]) if r["Title"] == FORMULA_TITLE)
    assert (first["Stage"], first["Privacy risk"], first["SDGs"]) == (
        "piloting",
        "high",
        "3 Good health and well-being; 5 Gender equality",
    )
    assert "Innovation register, 20 Nov 2026" in wb["Innovations"].oddHeader.center.text


def test_every_value_has_one_shown_word_per_language_and_reads_back():
    assert set(VALUE_WORDS) == {*STAGES, *KINDS, *RISK_LEVELS}
    for language in ("en", "nl"):
        with speaking(language):
            words = [_(w) for w in VALUE_WORDS.values()]
            assert len(set(words)) == len(words), language
            for value, word in VALUE_WORDS.items():
                assert value_of(_(word).upper()) == value
    assert value_of("  Niet   beoordeeld ") == "not-assessed" and value_of("finished") == "finished"
    assert len(SDG_NAMES) == 17


def test_a_dutch_export_imports_back_with_no_changes(db, tmp_path):
    seed_register(db)
    path = tmp_path / "register-nl.xlsx"
    build(db, str(path), "nl")
    before = snapshot(db)
    proc = run_cli(db.url, "import", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sheet Innovaties" in proc.stdout
    assert "New: 0" in proc.stdout and "Changed: 0" in proc.stdout and "Unchanged: 3" in proc.stdout
    assert "not a register column" not in proc.stdout
    proc = run_cli(db.url, "import", str(path), "--apply")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(db) == before


def test_a_dutch_word_typed_into_the_dutch_register_is_imported_as_its_value(db, tmp_path):
    ids = seed_register(db)
    path = tmp_path / "register-nl.xlsx"
    build(db, str(path), "nl")
    wb = openpyxl.load_workbook(path)
    ws = wb["Innovaties"]
    stage_col = DUTCH_INNOVATIONS.index("Stadium") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == f"INN-{ids['first']}")
    ws.cell(row, stage_col).value = "Opschalen"
    wb.save(path)
    report = importer.preview(db, path.read_bytes(), timezone="Europe/Amsterdam")
    assert report.ok and len(report.changed) == 1, (report.errors, report.changed)
    assert "scaling" in str(report.changed[0]) and "opschalen" not in str(report.changed[0]).lower()


def test_cli_writes_the_language_asked_for(db, tmp_path):
    seed_register(db)
    out = tmp_path / "nl.xlsx"
    proc = run_cli(db.url, "--out", str(out), "--language", "NL")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Wrote {out}: 3 innovations")  # what the CLI says stays English
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == DUTCH_SHEETS and header_row(wb["Innovaties"]) == DUTCH_INNOVATIONS
    default = tmp_path / "default.xlsx"
    proc = run_cli(db.url, "--out", str(default), SPINDLE_LANGUAGE="nl")
    assert proc.returncode == 0, proc.stderr
    assert openpyxl.load_workbook(default).sheetnames == DUTCH_SHEETS
    english = tmp_path / "en.xlsx"
    proc = run_cli(db.url, "--out", str(english), "--language", "en", SPINDLE_LANGUAGE="nl")
    assert proc.returncode == 0, proc.stderr
    assert openpyxl.load_workbook(english).sheetnames[1] == "Innovations"


def test_cli_refuses_a_language_it_does_not_write_in_one_line(db, tmp_path):
    out = tmp_path / "fr.xlsx"
    line = one_line_error(run_cli(db.url, "--out", str(out), "--language", "fr"))
    assert line == "python -m exports: error: --language must be en (English) or nl (Dutch); 'fr' is not one."
    line = one_line_error(run_cli(db.url, "--out", str(out), SPINDLE_LANGUAGE="fr"))
    assert "SPINDLE_LANGUAGE must be en (English) or nl (Dutch)" in line
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam", "en")


def test_export_is_written_in_the_coordinator_s_language(db, uow):
    seed_register(db)
    speaks(db, COORDINATOR, "nl")
    messenger = RecordingMessenger()
    request = register.request_export(uow, Actor(COORDINATOR, "Coord"), None, None)
    assert request.language == "nl"
    outcome = register.deliver_export(uow, messenger, WORKBOOK, request)
    assert outcome.sent
    (upload,) = messenger.of("upload")
    _filename, data, message = upload.message
    assert upload.title.startswith("Innovatieregister, ")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == DUTCH_SHEETS
    assert message.language == "nl" and "3 innovaties in 2 groepen" in render(message)[0]


def test_export_for_a_member_without_a_choice_follows_slack_locale_then_the_default(db, clock):
    seed_register(db)
    with db.transaction() as s:
        s.get(Member, COORDINATOR).locale = "nl-NL"
    uow = UnitOfWork(db, clock, "Europe/Amsterdam", "en")
    assert register.request_export(uow, Actor(COORDINATOR), None, None).language == "nl"
    with db.transaction() as s:
        s.get(Member, COORDINATOR).locale = "en-GB"
    assert register.request_export(uow, Actor(COORDINATOR), None, None).language == "en"
    nl_default = UnitOfWork(db, clock, "Europe/Amsterdam", "nl")
    assert register.request_export(nl_default, Actor(COORDINATOR), None, None).language == "nl"


def test_weekly_register_each_coordinator_in_their_language(db, uow):
    seed_register(db)
    with db.transaction() as s:
        s.add(Member(id="UCNL", name="Nederlandse", is_coordinator=True, language="nl", created_at=T1))
        s.add(Member(id="UCNL2", name="Ook Nederlands", is_coordinator=True, locale="nl-BE", created_at=T1))
    speaks(db, COORDINATOR, "en")
    messenger = RecordingMessenger()
    built: list[str] = []
    writer = _CountingWriter(built)
    done = register.deliver_weekly(
        uow, messenger, writer, MONDAY_8 + timedelta(hours=1), made_by="Spindle Bot (weekly delivery)"
    )
    assert done is not None and sorted(done.delivered) == sorted([COORDINATOR, "UCNL", "UCNL2"])
    assert sorted(built) == ["en", "nl"]  # one workbook per language, not one per coordinator
    sheets = {u.channel: openpyxl.load_workbook(io.BytesIO(u.message[1])) for u in messenger.of("upload")}
    assert sheets[COORDINATOR].sheetnames[1] == "Innovations"
    assert sheets["UCNL"].sheetnames == DUTCH_SHEETS and sheets["UCNL2"].sheetnames == DUTCH_SHEETS
    summary = {r[0]: r[1] for r in sheets["UCNL"]["Samenvatting"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Gemaakt door"] == "Spindle Bot (wekelijks verstuurd)"
    titles = {u.channel: u.title for u in messenger.of("upload")}
    assert titles["UCNL"].startswith("Innovatieregister, 30 nov 2026") and titles[COORDINATOR].startswith(
        "Innovation register, 30 Nov 2026"
    )
    comments = {u.channel: render(u.message[2])[0] for u in messenger.of("upload")}
    assert "innovaties in 2 groepen" in comments["UCNL"] and "innovations in 2 groups" in comments[COORDINATOR]


class _CountingWriter:
    """The real workbook, counting the languages it was asked to write."""

    def __init__(self, built: list[str]):
        self.built = built

    def write(self, session, path, **kwargs):
        self.built.append(kwargs["language"])
        return WORKBOOK.write(session, path, **kwargs)

    def names(self, filters: Filters, made_at: datetime, timezone: str, language: str) -> tuple[str, str]:
        return WORKBOOK.names(filters, made_at, timezone, language)


def test_spindle_export_by_a_dutch_coordinator_through_signed_http(slack, fake_slack, db):
    seed_register(db)
    speaks(db, COORDINATOR, "nl")
    r = slack.command("export", user=COORDINATOR)
    assert r.status == 200 and r.json["response_type"] == "ephemeral"
    (complete,) = fake_slack.wait_for("files.completeUploadExternal")
    assert complete["files"][0]["title"].startswith("Innovatieregister, ")
    assert (
        "3 innovaties in 2 groepen: 1 idee, 1 verkennen, 1 pilot · 4 stadiumwijzigingen" in complete["initial_comment"]
    )
    (file,) = complete["files"]
    wb = openpyxl.load_workbook(io.BytesIO(fake_slack.uploads[file["id"]]))
    assert wb.sheetnames == DUTCH_SHEETS and header_row(wb["Innovaties"]) == DUTCH_INNOVATIONS
