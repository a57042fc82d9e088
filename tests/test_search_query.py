"""The search-query parser: pure, and total (any text gives a query or a clear "nothing to search")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from models.search import fts5_query, tsquery
from models.search_query import (
    EMPTY,
    MAX_QUERY,
    MAX_TERMS,
    ONLY_OPERATORS,
    WORD_RE,
    NothingToSearch,
    ParsedQuery,
    Term,
    fold,
    parse_query,
    words_of,
)


def test_words_phrases_and_exclusions():
    q = parse_query('privacy "open data" -pilot -"big tech"')
    assert q == ParsedQuery(
        include=(Term(("privacy",)), Term(("open", "data"))),
        exclude=(Term(("pilot",), True), Term(("big", "tech"), True)),
    )


def test_tokens_the_engines_split_become_phrases():
    q = parse_query("data-ethics foo:bar NEAR(x")
    assert [t.words for t in q.include] == [("data", "ethics"), ("foo", "bar"), ("NEAR", "x")]


def test_unclosed_quote_runs_to_the_end_and_duplicates_go():
    q = parse_query('Privacy privacy PRIVACY "open data')
    assert [t.words for t in q.include] == [("Privacy",), ("open", "data")]


def test_a_lone_dash_or_an_inner_dash_excludes_nothing():
    q = parse_query("klimaat - co2-neutraal")
    assert q.exclude == ()
    assert [t.words for t in q.include] == [("klimaat",), ("co2", "neutraal")]


def test_nothing_to_search():
    assert parse_query("") is EMPTY
    assert parse_query(None) is EMPTY
    assert parse_query(" \t\n ") is EMPTY
    for only in ['"', '""', "-privacy", '-"open data"', "* ^ : ( ) -", "-a -b"]:
        assert parse_query(only) is ONLY_OPERATORS, only


def test_long_text_is_cut_at_1000_characters():
    q = parse_query("a " * 400 + "b" * 600)
    assert q.cut
    assert all(len(w) < 600 for t in q.include for w in t.words)
    short = parse_query("deepfake")
    assert not short.cut


def test_many_terms_are_capped():
    q = parse_query(" ".join(f"w{n}" for n in range(100)))
    assert len(q.include) == MAX_TERMS and q.cut


def test_fold():
    assert fold("Café") == "cafe" == fold("CAFE\u0301")
    assert fold("Coöperatie") == "cooperatie"


def test_engine_queries_quote_every_term():
    q = parse_query('a "b c" -x -"y z"')
    assert fts5_query(q) == '("a" AND "b c") NOT ("x" OR "y z")'
    assert tsquery(q) == (
        "'a' & ('b':A <-> 'c':A | 'b':B <-> 'c':B | 'b':C <-> 'c':C) & !'x' & !('y':A <-> 'z':A | 'y':B <-> 'z':B | 'y':C <-> 'z':C)"
    )
    assert fts5_query(parse_query("NEAR(a OR b)")) == '"NEAR a" AND "OR" AND "b"'


hostile = st.text(alphabet=st.sampled_from(list("\"-*:^()NEAR OR AND NOT \\'{}[]+~|&!<>abcé 0\x00\u200b")), max_size=60)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=1500), hostile))
def test_any_text_gives_a_query_or_nothing_to_search(text):
    q = parse_query(text)
    assert isinstance(q, (ParsedQuery, NothingToSearch))
    if isinstance(q, NothingToSearch):
        assert q.reason in ("empty", "operators")
        return
    assert q.include and len(q.include) + len(q.exclude) <= MAX_TERMS
    for term in (*q.include, *q.exclude):
        assert term.words and all(WORD_RE.fullmatch(w) for w in term.words)
    # What reaches the engines: quoted words and our own operators, nothing of the person's syntax.
    fts5 = fts5_query(q)
    for token in fts5.replace('"', " ").replace("(", " ").replace(")", " ").split():
        assert token in ("AND", "NOT", "OR") or WORD_RE.fullmatch(token), token
    assert fts5.count('"') % 2 == 0
    ts = tsquery(q)
    for token in ts.replace("(", " ").replace(")", " ").replace("!", " ").split():
        word = token.removesuffix(":A").removesuffix(":B").removesuffix(":C")
        assert token in ("&", "|", "<->") or (word[0] == word[-1] == "'" and WORD_RE.fullmatch(word[1:-1])), token
    assert len(text) > MAX_QUERY or not q.cut or len(q.include) + len(q.exclude) == MAX_TERMS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09_-' .,:é\u0301ĳ")), max_size=40))
def test_words_of_folds_every_word(text):
    # ASCII text takes a shortcut (lowered at once): the same words as folding each one.
    assert words_of(text) == [fold(w) for w in WORD_RE.findall(text)]
    assert words_of(text.encode("ascii", "ignore").decode()) == [
        fold(w) for w in WORD_RE.findall(text.encode("ascii", "ignore").decode())
    ]
