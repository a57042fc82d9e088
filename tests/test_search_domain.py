"""Search and related innovations through the service, on the suite's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from models.groups import create_group, join_group
from models.innovations import InnovationInput, add_note, create_innovation, update_innovation
from models.people import ensure_member, set_organisation
from models.privacy import forget_member
from models.search import search_documents
from services import search as service
from tests.conftest import COORDINATOR

# (group, title, summary, tags, organisations, safeguards, sdgs)
CORPUS = [
    ("data-ethics", "Consent chatbot", "A bot that explains consent to citizens.", "ai,privacy", "Cordaid", "", [16]),
    ("data-ethics", "Open data portal", "Publishing municipal budgets as open data.", "open-data", "", "", [16, 11]),
    ("data-ethics", "Privacy by design workshops", "Workshops for partners.", "training", "", "", [16]),
    ("ai-watch", "Deepfake detector", "Detects manipulated video; privacy is not stored.", "ai,video", "", "", [16]),
    ("ai-watch", "Café meetups on AI", "Informele bijeenkomsten in het café over kunstmatige intelligentie.", "ai",
     "", "", [4]),
    ("ai-watch", "Verkiezingsmonitor", "Monitoring desinformatie rond de gemeenteraadsverkiezingen.", "elections",
     "Stichting Open Data", "Geen persoonsgegevens opgeslagen.", [16]),
    ("civic-tech", "Chatbot for complaints", "Citizens file complaints with a chatbot about consent.", "ai,privacy",
     "", "", [16]),
    ("civic-tech", "Budget visualiser", "Shows the open budget of a city: open data made readable.", "open-data",
     "Open State Foundation", "", [11, 16]),
    ("civic-tech", "Tree planting app", "Volunteers map where trees are planted.", "environment", "", "", [13]),
]  # fmt: skip


@pytest.fixture
def corpus(db, clock):
    """The corpus above; returns {title: id}. U1 is in data-ethics, U2 in ai-watch."""
    now = clock.now()
    ids: dict[str, int] = {}
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        for handle in ("data-ethics", "ai-watch", "civic-tech"):
            create_group(s, coord, handle, "", now)
        u1, _ = ensure_member(s, "U1", now)
        join_group(s, u1, "data-ethics", now)
        u2, _ = ensure_member(s, "U2", now)
        join_group(s, u2, "ai-watch", now)
        for n, (group, title, summary, tags, orgs, safeguards, sdgs) in enumerate(CORPUS):
            data = InnovationInput(
                group=group, title=title, summary=summary, tags=tags, organisations=orgs, safeguards=safeguards,
                sdgs=sdgs, stage="exploring",
            )  # fmt: skip
            ids[title] = create_innovation(s, coord, data, now + timedelta(minutes=n)).id
    return ids


def refs(db, query: str) -> list[str]:
    result = service.search(db, query)
    assert result.nothing is None, result
    return [h.ref for h in result.hits]


def ref(ids, title: str) -> str:
    return f"INN-{ids[title]}"


def test_title_summary_tag_and_organisation_matches(db, corpus):
    assert refs(db, "deepfake") == [ref(corpus, "Deepfake detector")]
    assert refs(db, "municipal") == [ref(corpus, "Open data portal")]  # summary
    assert refs(db, "environment") == [ref(corpus, "Tree planting app")]  # tag
    assert refs(db, "cordaid") == [ref(corpus, "Consent chatbot")]  # organisation
    assert refs(db, "persoonsgegevens") == [ref(corpus, "Verkiezingsmonitor")]  # safeguards
    hit = service.search(db, "deepfake").hits[0]
    assert (hit.title, hit.group, hit.stage) == ("Deepfake detector", "ai-watch", "exploring")


def test_title_ranks_above_summary_above_tags(db, corpus):
    # "privacy": a title (Privacy by design), a summary (Deepfake) and tags (Consent chatbot, Chatbot for complaints).
    found = refs(db, "privacy")
    assert found[0] == ref(corpus, "Privacy by design workshops")
    assert found[1] == ref(corpus, "Deepfake detector")
    assert set(found[2:]) == {ref(corpus, "Consent chatbot"), ref(corpus, "Chatbot for complaints")}
    # "chatbot" in both titles; "consent" in title+summary beats summary only.
    assert refs(db, "consent") == [ref(corpus, "Consent chatbot"), ref(corpus, "Chatbot for complaints")]


def test_case_and_accents_do_not_matter(db, corpus):
    cafe = [ref(corpus, "Café meetups on AI")]
    assert refs(db, "cafe") == cafe
    assert refs(db, "CAFÉ") == cafe
    assert refs(db, "Cafe\u0301") == cafe  # decomposed accent, as some keyboards send it
    assert refs(db, "DEEPFAKE") == [ref(corpus, "Deepfake detector")]


def test_all_words_must_match_phrases_and_exclusions(db, corpus):
    assert refs(db, "open budget") == [ref(corpus, "Budget visualiser")]
    # "open data" as words: the portal, the visualiser, and the monitor (its organisation is Stichting Open Data).
    assert set(refs(db, "open data")) == {
        ref(corpus, "Open data portal"), ref(corpus, "Budget visualiser"), ref(corpus, "Verkiezingsmonitor")
    }  # fmt: skip
    assert set(refs(db, '"open data"')) == set(refs(db, "open data"))
    assert refs(db, '"budgets municipal"') == []  # the phrase's order matters
    assert refs(db, '"municipal budgets"') == [ref(corpus, "Open data portal")]
    assert refs(db, '"budget of a city"') == [ref(corpus, "Budget visualiser")]
    assert set(refs(db, "chatbot -complaints")) == {ref(corpus, "Consent chatbot")}
    assert set(refs(db, 'ai -"kunstmatige intelligentie" -video')) == {
        ref(corpus, "Consent chatbot"), ref(corpus, "Chatbot for complaints")
    }  # fmt: skip
    # A hyphenated word is the phrase of its parts: the tag open-data, the organisation Stichting Open Data.
    assert set(refs(db, "open-data -budgets")) == {ref(corpus, "Budget visualiser"), ref(corpus, "Verkiezingsmonitor")}


def test_same_ordered_results_on_both_databases(db, corpus):
    """One expected answer per query, checked on whichever database the suite runs on (CI runs both)."""
    expected = {
        "privacy": ["Privacy by design workshops", "Deepfake detector", "Consent chatbot", "Chatbot for complaints"],
        "open data": ["Open data portal", "Budget visualiser", "Verkiezingsmonitor"],
        "ai": ["Café meetups on AI", "Deepfake detector", "Consent chatbot", "Chatbot for complaints"],
        "chatbot": ["Chatbot for complaints", "Consent chatbot"],
    }
    for query, titles in expected.items():
        assert refs(db, query) == [ref(corpus, t) for t in titles], query


def test_at_most_20_results(db, clock):
    now = clock.now()
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        create_group(s, coord, "many", "", now)
        for n in range(30):
            create_innovation(s, coord, InnovationInput(group="many", title=f"Klimaat pilot {n}"), now)
    assert len(refs(db, "klimaat")) == 20
    assert len(service.search(db, "klimaat", limit=500).hits) == 20


def test_nothing_to_search(db, corpus):
    assert service.search(db, "").nothing.reason == "empty"
    assert service.search(db, "   ").nothing.reason == "empty"
    for only in ['""', '"', "-privacy", '-"open data"', "* ^ : ( ) -", "- - -"]:
        assert service.search(db, only).nothing.reason == "operators", only


HOSTILE = [
    '"', '"""', "NEAR(privacy consent)", "privacy*", "title:privacy", "^privacy", "(privacy", "privacy)",
    "privacy AND", "OR privacy", "NOT privacy", "privacy NOT consent", "privacy -", "-", "'", "privacy'; DROP TABLE innovations; --",
    "\\", "privacy & consent | !x", "privacy <-> consent", "a:*", "{privacy}", "[privacy]", "privacy\x00",
    "privacy:A", "col:title", "+privacy", "privacy~2", "%_", "\u200b", "🤖 privacy", "x" * 5000,
]  # fmt: skip


def test_hostile_queries_never_raise_never_inject(db, corpus):
    for query in HOSTILE:
        service.search(db, query)  # must not raise
    assert refs(db, "NEAR(privacy consent)") == []  # a phrase "near privacy consent", not an operator
    assert refs(db, "title:privacy") == []  # a phrase "title privacy", not a column filter
    assert refs(db, "privacy*") == refs(db, "privacy")  # no prefix search: the * is dropped
    # "not" is a word to find here, not an operator: only the detector's "privacy is not stored" has both.
    assert refs(db, "NOT privacy") == [ref(corpus, "Deepfake detector")]
    with db.transaction() as s:
        assert s.scalar(text("SELECT count(*) FROM innovations")) == len(CORPUS)


def test_long_query_is_cut(db, corpus):
    result = service.search(db, "deepfake " + "x" * 2000)
    assert result.cut and result.hits == []  # the cut word (x…) must match too
    result = service.search(db, "deepfake " + " " * 2000 + "tail")
    assert result.cut and [h.ref for h in result.hits] == [ref(corpus, "Deepfake detector")]


def test_index_follows_edit_note_and_forget_me(db, corpus, clock):
    now = clock.now()
    inn = corpus["Tree planting app"]
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        update_innovation(
            s, coord, inn,
            InnovationInput(group="civic-tech", title="Boomplantapp", summary="Vrijwilligers planten bomen.",
                            tags="groen", organisations="Natuurmonumenten", stage="exploring"),
            now,
        )  # fmt: skip
    assert refs(db, "tree") == []
    assert refs(db, "boomplantapp") == [f"INN-{inn}"]
    assert refs(db, "natuurmonumenten") == [f"INN-{inn}"]
    assert refs(db, "environment") == []
    with db.transaction() as s:
        u3, _ = ensure_member(s, "U3", now)
        u3.name = "Zwaantje Zeldzaam"
        set_organisation(s, u3, "Zeldzame Stichting")
        join_group(s, u3, "civic-tech", now)
        add_note(s, u3, inn, "Eerste oogst: 40 eikenbomen", now)
    assert refs(db, "eikenbomen") == [f"INN-{inn}"]
    with db.transaction() as s:
        forget_member(s, "U3", now)
    # The note stays (attributed to "former member"), so it is still found; the person is not.
    assert refs(db, "eikenbomen") == [f"INN-{inn}"]
    assert refs(db, "zwaantje") == [] and refs(db, "zeldzame") == []


def test_index_follows_core_statements_and_deletes(db, corpus):
    """Triggers, not application code, keep the index: a bulk UPDATE or DELETE is followed too."""
    inn = corpus["Deepfake detector"]
    with db.transaction() as s:
        s.execute(text("UPDATE innovations SET title = 'Nepvideo detector' WHERE id = :id"), {"id": inn})
        s.execute(text("UPDATE organisations SET name = 'Cordaid Nederland' WHERE key = 'cordaid'"))
    assert refs(db, "deepfake") == []
    assert refs(db, "nepvideo") == [f"INN-{inn}"]
    assert refs(db, "nederland") == [ref(corpus, "Consent chatbot")]
    with db.transaction() as s:
        s.execute(text("DELETE FROM innovations WHERE id = :id"), {"id": inn})
        docs = s.scalar(select(func.count()).select_from(search_documents))
    assert docs == len(CORPUS) - 1
    assert refs(db, "nepvideo") == []


def test_related_other_groups_only_and_nothing_when_nothing_alike(db, corpus):
    chatbot = service.related(db, corpus["Consent chatbot"], 5)
    titles = [h.title for h in chatbot]
    assert titles[0] == "Chatbot for complaints"  # shares chatbot, consent, citizens, tags ai+privacy, SDG 16
    assert all(h.group != "data-ethics" for h in chatbot)
    assert "Tree planting app" not in titles
    portal = [h.title for h in service.related(db, corpus["Open data portal"], 5)]
    assert portal[0] == "Budget visualiser"
    # The tree app shares nothing with anyone: no related innovations at all.
    assert service.related(db, corpus["Tree planting app"], 5) == []
    assert len(service.related(db, corpus["Consent chatbot"], 1)) == 1
    assert service.related(db, 10**9, 5) == []


def test_related_needs_more_than_shared_sdgs(db, corpus, clock):
    now = clock.now()
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        lonely = create_innovation(
            s, coord, InnovationInput(group="civic-tech", title="Zonnepanelen coöperatie", sdgs=[7, 11, 13, 16]), now
        ).id
    assert service.related(db, lonely, 5) == []


def test_new_across_the_network(db, corpus):
    hits = service.new_across_network(db, "U1")
    assert [h.title for h in hits] == [
        "Tree planting app", "Budget visualiser", "Chatbot for complaints", "Verkiezingsmonitor", "Café meetups on AI"
    ]  # fmt: skip
    assert all(h.group != "data-ethics" for h in hits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("\"-*:^()NEARORNOT {}[]\\'+~|&!<>privacyé 0\u200b")), max_size=80))
def test_the_engines_take_any_text(db, corpus, query):
    result = service.search(db, query)  # never raises, on either engine
    assert result.nothing is not None or result.query is not None


def test_the_migration_indexes_innovations_that_already_exist(tmp_path):
    from alembic import command

    from models.db import Database, alembic_config

    url = f"sqlite:///{tmp_path / 'before-search.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0001")
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO groups (id, handle, description, created_at) VALUES (1, 'g', '', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO innovations (id, group_id, title, stage, summary, sdgs, tags, privacy_risk, civic_space_risk,"
                " manipulation_risk, safeguards, logged_at, updated_at) VALUES (1, 1, 'Bestaand café', 'idea', '', '',"
                " 'ai', 'low', 'low', 'low', '', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text("INSERT INTO innovation_notes (innovation_id, at, text) VALUES (1, '2026-01-01', 'oude notitie')")
        )
    command.upgrade(cfg, "head")
    assert [h.ref for h in service.search(db, "cafe").hits] == ["INN-1"]
    assert [h.ref for h in service.search(db, "notitie").hits] == ["INN-1"]
    command.downgrade(cfg, "0001")  # and back: the downgrade removes everything it made
    command.upgrade(cfg, "head")
    assert [h.ref for h in service.search(db, "oude").hits] == ["INN-1"]
    db.dispose()


def test_when_more_than_the_window_match_the_newest_are_ranked(db, corpus, monkeypatch):
    import models.search

    monkeypatch.setattr(models.search, "WINDOW", 3)
    # Four innovations mention privacy; the window holds the newest three, best first among them.
    assert refs(db, "privacy") == [
        ref(corpus, "Privacy by design workshops"), ref(corpus, "Deepfake detector"), ref(corpus, "Chatbot for complaints")
    ]  # fmt: skip
    assert refs(db, "deepfake") == [ref(corpus, "Deepfake detector")]  # fewer than the window: all ranked
