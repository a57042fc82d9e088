"""Languages: the catalogues are complete, their placeholders agree, and the reader's language holds."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from babel.messages import pofile
from babel.messages.extract import extract_from_dir

import i18n
from models.people import Member, reader_language

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "i18n" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extracted() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds now, in the code as it is (not the committed .pot)."""
    found: set[str] = set()
    for folder in ("handlers", "exports"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def dutch() -> dict[str, object]:
    with PO.open("rb") as f:
        catalog = pofile.read_po(f, locale="nl")
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id and not m.fuzzy}


def test_every_marked_message_has_a_dutch_translation():
    translated = {
        key for key, m in dutch().items() if m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(extracted() - translated)
    assert not missing, f"{len(missing)} messages without Dutch (run pybabel, README 'Languages'): {missing[:10]}"


def test_translations_keep_their_placeholders():
    wrong = []
    for key, message in dutch().items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(key)):
                wrong.append(key)
    assert not wrong, f"placeholders differ in: {wrong[:10]}"


def test_speaking_sets_and_restores_the_language():
    assert i18n.current() == "en"
    with i18n.speaking("nl-NL"):
        assert i18n.current() == "nl"
        with i18n.speaking("fr"):  # an unknown language keeps the current one
            assert i18n.current() == "nl"
        with i18n.speaking(None):
            assert i18n.current() == "nl"
    assert i18n.current() == "en"


def test_dates_times_and_numbers_are_written_the_language_s_way():
    monday = datetime(2026, 12, 7, 9, 30)
    assert (i18n.day(monday), i18n.clock(monday), i18n.number(1234)) == ("Mon 7 Dec", "09:30", "1,234")
    with i18n.speaking("nl"):
        assert i18n.day(date(2026, 12, 7)).startswith("ma 7 dec")
        assert (i18n.clock(monday), i18n.number(1234), i18n.weekday(6, short=False)) == ("09:30", "1.234", "zondag")


def test_a_member_reads_their_choice_then_their_slack_locale_then_the_default():
    assert reader_language("en", "nl-NL", "nl") == "en"
    assert reader_language(None, "nl-BE", "en") == "nl"
    assert reader_language(None, "en-GB", "nl") == "nl"
    assert reader_language(None, None, "en") == "en"
    assert reader_language("fr", None, "en") == "en"


def test_the_reader_s_language_costs_no_query_when_a_service_read_them(db, clock):
    from services import reader as readers
    from services.uow import UnitOfWork
    from tests.test_statement_counts import counting

    uow = UnitOfWork(db, clock, "Europe/Amsterdam", "en")
    with db.transaction() as s:
        s.add(Member(id="UNL1", name="Anna", language=None, locale="nl-NL", created_at=clock.now()))
    reader = readers.expect("UNL1")
    with uow.read() as s:
        s.get(Member, "UNL1")  # what a service does first: read its actor
    with counting(db.engine) as seen:
        assert readers.language(uow, reader) == "nl"
    assert seen == []
    unseen = readers.expect("UNL1")  # no service read them: one primary-key read
    with counting(db.engine) as seen:
        assert readers.language(uow, unseen) == "nl"
    assert len(seen) == 1
    assert readers.language(uow, readers.expect("UNKNOWN")) == "en"


def test_the_language_is_found_out_only_when_a_word_is_written():
    asked = []
    i18n.use_lazily(lambda: asked.append(1) or "nl")
    try:
        assert asked == []
        assert i18n.current() == "nl" and i18n.current() == "nl"
        assert asked == [1]
    finally:
        i18n.use("en")
