"""Phrases and several words through the service, on both databases: PostgreSQL finds a phrase's rows
through `search_pairs` (migration 0006) and several words' floor in two steps (models/search.py);
the results are the same as without them."""

from __future__ import annotations

import hashlib

import pytest
from alembic import command
from sqlalchemy import text

import models.search
from models.db import Database, alembic_config
from models.groups import join_group
from models.innovations import InnovationInput, add_note, create_innovation, update_innovation
from models.people import ensure_member
from models.privacy import forget_member
from services import search as service
from tests.conftest import COORDINATOR
from tests.migrating import database_at
from tests.test_search_domain import corpus, ref, refs  # noqa: F401  (the fixture)


def test_a_phrase_follows_edits_notes_and_deletes(db, corpus, clock):  # noqa: F811
    now = clock.now()
    inn = corpus["Tree planting app"]
    assert refs(db, '"trees are planted"') == [f"INN-{inn}"]
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        edit = InnovationInput(group="civic-tech", title="Tree planting app", stage="exploring",
                               summary="Volunteers plant trees where they are needed.", tags="environment")  # fmt: skip
        update_innovation(s, coord, inn, edit, now)
    assert refs(db, '"trees are planted"') == []
    assert refs(db, '"plant trees"') == [f"INN-{inn}"]
    with db.transaction() as s:
        u3, _ = ensure_member(s, "U3", now)
        join_group(s, u3, "civic-tech", now)
        add_note(s, u3, inn, "Eerste oogst: veertig jonge eiken", now)
    assert refs(db, '"jonge eiken"') == [f"INN-{inn}"]
    assert refs(db, '"eiken jonge"') == []  # adjacent, in that order
    with db.transaction() as s:
        forget_member(s, "U3", now)
        s.execute(text("UPDATE innovations SET title = 'Boom app' WHERE id = :id"), {"id": inn})
    assert refs(db, '"boom app"') == [f"INN-{inn}"]
    with db.transaction() as s:
        s.execute(text("DELETE FROM innovations WHERE id = :id"), {"id": inn})
    assert refs(db, '"boom app"') == [] and refs(db, '"plant trees"') == []


def test_phrases_with_words_and_exclusions(db, corpus):  # noqa: F811
    assert refs(db, '"open data" budget') == [ref(corpus, "Budget visualiser")]  # budgets is another word
    assert refs(db, '"open data" "open budget"') == [ref(corpus, "Budget visualiser")]
    assert refs(db, '"open data" -"open budget"') == [
        ref(corpus, "Open data portal"),
        ref(corpus, "Verkiezingsmonitor"),
    ]
    assert refs(db, '"portal data"') == [] and refs(db, '"data portal"') == [ref(corpus, "Open data portal")]


def test_a_phrase_stays_within_one_field(db, corpus):  # noqa: F811
    # As in FTS5's columns: "Consent chatbot" / "A bot that…" has no phrase "chatbot a", and the
    # Open data portal's summary ending "open data." and its tag open-data make no "data open".
    assert refs(db, '"chatbot a"') == [] and ref(corpus, "Consent chatbot") in refs(db, "chatbot a")
    # The rest is one field, as it is one column: tags, then organisations ("open data Open State…").
    assert refs(db, '"data open"') == [ref(corpus, "Budget visualiser")]
    assert refs(db, '"open data" -"data open"') == [ref(corpus, "Open data portal"), ref(corpus, "Verkiezingsmonitor")]


def test_several_words_past_the_window_rank_the_newest(db, corpus, monkeypatch):  # noqa: F811
    # A window of 1, looked for first among the newest 2 rows: "open data" has its newest match
    # there (Budget visualiser); "privacy ai" does not, so its floor comes from all its matches.
    monkeypatch.setattr(models.search, "WINDOW", 1)
    monkeypatch.setattr(models.search, "NEWEST_ROWS", 2)
    assert refs(db, "open data") == [ref(corpus, "Budget visualiser")]
    assert refs(db, "privacy ai") == [ref(corpus, "Chatbot for complaints")]
    assert refs(db, '"open data"') == [ref(corpus, "Budget visualiser")]


def test_a_long_phrase_past_the_window_is_checked_among_its_pairs_rows(db, corpus, clock, monkeypatch):  # noqa: F811
    # The newest innovation has both pairs of "open data portal" in its title, not the phrase. A
    # window of 1, looked for among the newest row, then among the newest 2 rows with the pairs:
    # those are checked for the phrase, so the window ends at the Open data portal, which has it.
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, clock.now())
        data = InnovationInput(group="civic-tech", title="Data portal and open data", stage="idea")
        create_innovation(s, coord, data, clock.now())
    assert refs(db, '"open data portal"') == [ref(corpus, "Open data portal")]
    for setting, value in (("WINDOW", 1), ("NEWEST_ROWS", 1), ("CANDIDATES", 2)):
        monkeypatch.setattr(models.search, setting, value)
    assert refs(db, '"open data portal"') == [ref(corpus, "Open data portal")]


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0005(request, tmp_path):
    """A database at revision 0005 (tests/migrating.py)."""
    yield from database_at(request.param, tmp_path, "0005_home_hash")


def _pair_hash(pair: str) -> int:
    """The migration's spindle_pair_hash: the first 32 bits of the MD5, as a signed integer."""
    value = int(hashlib.md5(pair.encode()).hexdigest()[:8], 16)  # noqa: S324  (not for security)
    return value - 2**32 if value >= 2**31 else value


def _pairs_table(db: Database) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.scalar(text("SELECT to_regclass('search_pairs') IS NOT NULL")))


def test_the_migration_pairs_innovations_that_already_exist_and_goes_back(at_0005):
    cfg = alembic_config(at_0005)
    db = Database(at_0005)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO groups (id, handle, description, created_at) VALUES (1, 'g', '', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO innovations (id, group_id, title, stage, summary, sdgs, tags, privacy_risk, civic_space_risk,"
                " manipulation_risk, safeguards, logged_at, updated_at) VALUES (1, 1, 'Bestaand café', 'idea',"
                " 'Open data voor iedereen', '', 'ai', 'low', 'low', 'low', '', '2026-01-01', '2026-01-01')"
            )
        )
    command.upgrade(cfg, "head")
    assert [h.ref for h in service.search(db, '"open data"').hits] == ["INN-1"]
    assert [h.ref for h in service.search(db, '"bestaand cafe"').hits] == ["INN-1"]
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            pairs = conn.scalar(text("SELECT pairs FROM search_pairs WHERE innovation_id = 1"))
        # Pairs within one field only (title A, summary B, the rest C), as `weight a b` hashed
        # (0007): the title's last word and the summary's first make none.
        within = ["A bestaand cafe", "B open data", "B data voor", "B voor iedereen"]
        assert sorted(pairs) == sorted(_pair_hash(p) for p in within)
        assert _pairs_table(db)
        command.downgrade(cfg, "0006_search_pairs")  # 0006's own pairs again: text, across fields
        with db.engine.connect() as conn:
            pairs = conn.scalar(text("SELECT pairs FROM search_pairs WHERE innovation_id = 1"))
        assert sorted(pairs) == ["bestaand cafe", "cafe open", "data voor", "iedereen ai", "open data", "voor iedereen"]
    command.downgrade(cfg, "0005_home_hash")  # and back: the downgrade removes everything it made
    if db.backend == "postgresql":
        assert not _pairs_table(db)
        with db.engine.connect() as conn:
            mine = "pronamespace = current_schema()::regnamespace AND proname LIKE 'spindle%pairs'"
            assert conn.scalar(text(f"SELECT count(*) FROM pg_proc WHERE {mine}")) == 0
    command.upgrade(cfg, "head")
    assert [h.ref for h in service.search(db, '"open data"').hits] == ["INN-1"]
    db.dispose()
