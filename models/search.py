"""Full-text search on the databases' own engines (related innovations: models/related.py).

`search_documents` holds one document per innovation — title, summary, and the rest (tags,
organisations, safeguards, notes) — and database triggers rebuild it on every change, from any
code path (see migrations/versions/0003_search.py). PostgreSQL indexes it as a weighted tsvector
with GIN; SQLite as an FTS5 external-content table `search_fts`. Title ranks above summary above
the rest: weights A/B/C on PostgreSQL, bm25 column weights on SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, ForeignKey, Integer, Select, Table, Text, column, select, text
from sqlalchemy.orm import Session, contains_eager

from models.base import Base
from models.groups import Group, Membership
from models.innovations import Innovation
from models.search_query import ParsedQuery, Term

search_documents = Table(
    "search_documents",
    Base.metadata,
    Column("innovation_id", ForeignKey("innovations.id", ondelete="CASCADE"), primary_key=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("rest", Text, nullable=False),
    # PostgreSQL also has `document tsvector` (generated) and the table `search_pairs` (see
    # _pairs_of), SQLite the FTS5 table `search_fts`:
    # engine objects the migration creates, not columns the application reads or writes.
    info={"engine_objects": {"postgresql": ["document", "search_pairs"], "sqlite": ["search_fts"]}},
)

# Ranking weights, the same proportions on both engines: a title hit counts 2.5x a summary hit and
# 10x a hit in the rest. PostgreSQL: ts_rank's {D, C, B, A} = {0, 0.1, 0.4, 1}; SQLite: bm25's
# column weights (title, summary, rest) = (1.0, 0.4, 0.1). Written into the statements below.

# --- the engine queries ------------------------------------------------------------------------------


def _fts5_phrase(term: Term) -> str:
    # Words are letters and digits only (models.search_query), so a quoted word is always a string.
    return '"' + " ".join(term.words) + '"'


def fts5_query(query: ParsedQuery) -> str:
    """`("a") AND ("b c") NOT ("x" OR "y")`: every included term, none of the excluded ones."""
    expr = " AND ".join(_fts5_phrase(t) for t in query.include)
    if query.exclude:
        expr = f"({expr}) NOT ({' OR '.join(_fts5_phrase(t) for t in query.exclude)})"
    return expr


# A phrase must not run from one field into the next (the end of a title into its summary), as it
# cannot in FTS5's columns: the tsvector numbers its positions on through all three weights, so each
# phrase is asked within one weight (`'a':A <-> 'b':A | ...`). Hence to_tsquery, not websearch_to_tsquery,
# which has no weights. Each word is quoted; words are letters and digits only (models.search_query).
_FIELD_WEIGHTS = ("A", "B", "C")


def _quoted(word: str) -> str:
    # (No word holds a quote or a backslash; escaped anyway, as to_tsquery reads them.)
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery_term(term: Term) -> str:
    if len(term.words) == 1:
        return _quoted(term.words[0])
    within = (" <-> ".join(f"{_quoted(w)}:{weight}" for w in term.words) for weight in _FIELD_WEIGHTS)
    return "(" + " | ".join(within) + ")"


def tsquery(query: ParsedQuery) -> str:
    """The same for to_tsquery: `'a' & ('b':A <-> 'c':A | …) & !'x'` (every word quoted)."""
    return " & ".join([*(_tsquery_term(t) for t in query.include), *("!" + _tsquery_term(t) for t in query.exclude)])


def any_word_tsquery(words: list[str]) -> str:
    """`'a' | 'b'`: any of the words (related innovations)."""
    return " | ".join(_quoted(w) for w in words)


# Ranking reads every match's positions, so its cost grows with the matches: a word in most
# innovations took 340 ms at 100,000 rows. When more than WINDOW innovations match, only the newest
# WINDOW of them are ranked (ids grow with time, and both engines find the WINDOW-th newest match
# by walking their index from the top). A register of a few thousand innovations never reaches it.
WINDOW = 500
# The floor is its own statement so that the ranking statement is planned knowing it: inside one
# statement PostgreSQL guessed a third of the table and chose a sequential scan (150 ms at 100k).
_SQLITE_FLOOR = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :w")
_PG_FLOOR = (
    "SELECT innovation_id FROM search_documents WHERE document @@ to_tsquery('spindle', :q) "
    "ORDER BY innovation_id DESC OFFSET :w LIMIT 1"
)
# A phrase needs the words' positions, which the GIN index does not hold: every row with all its
# words was read to check them (16,000 rows for "a for", 814 with the phrase). `search_pairs`
# indexes each document's adjacent word pairs within one field, hashed (migrations 0006, 0007):
# only rows with every pair of the phrases, in one field, are read. The phrase itself is still
# checked on `document`.


def _pairs_of(phrases: int) -> str:
    """`pairs` holds every pair of each phrase :ph0, :ph1…, all in one field (any of the three)."""
    return " AND ".join(
        "(" + " OR ".join(f"pairs @> spindle_phrase_pairs(:ph{n}, '{weight}')" for weight in _FIELD_WEIGHTS) + ")"
        for n in range(phrases)
    )


def _phrase_params(phrases: list[str]) -> dict[str, object]:
    return {f"ph{n}": phrase for n, phrase in enumerate(phrases)}


# Several words, and phrases: PostgreSQL's guess of how many rows match is far off (it multiplies
# the words' frequencies; a pair its statistics do not list is guessed at 1.5% of the table), and a
# guess of many made it walk the id index from the top: the whole table when fewer than WINDOW
# match ("dataset begroting": 711 rows guessed thousands; the phrase "warning verification":
# 15 rows, 1.2 s). So their floor looks among the newest NEWEST_ROWS rows first (at most that many
# read); when those hold fewer than WINDOW matches, the matches are sparse and come from the GIN
# indexes (`+ 0`: not by walking the id index; SET LOCAL enable_seqscan = off: nor by reading the
# whole table). COALESCE runs the second subquery only when the first found nothing.
NEWEST_ROWS = 10 * WINDOW
_PG_NEWEST_FLOOR = (
    "(SELECT innovation_id FROM (SELECT innovation_id, document FROM search_documents "
    "ORDER BY innovation_id DESC LIMIT :newest) AS newest WHERE document @@ to_tsquery('spindle', :q) "
    "ORDER BY innovation_id DESC OFFSET :w LIMIT 1)"
)
_PG_SPARSE_FLOOR = text(
    "SELECT coalesce({newest}, (SELECT innovation_id FROM search_documents "
    "WHERE document @@ to_tsquery('spindle', :q) ORDER BY innovation_id + 0 DESC OFFSET :w LIMIT 1), 0)".replace(
        "{newest}", _PG_NEWEST_FLOOR
    )
)
# A phrase's sparse floor comes from its pairs, not from its words' rows (the phrase "privacy
# gegevens": 44,000 rows with both words, 160 ms). Only the newest CANDIDATES rows with every
# pair are checked for the phrase: the WINDOW-th newest match among them, or when they hold fewer,
# the oldest of them (the window then ends there: fewer than WINDOW matches are ranked, among rows
# whose pairs alone would match: a longer phrase's pairs apart in a field, or a hash's collision).
CANDIDATES = 4 * WINDOW
_PG_PHRASE_FLOOR = (
    "WITH candidates AS MATERIALIZED (SELECT innovation_id FROM search_pairs "
    "WHERE {pairs} ORDER BY innovation_id + 0 DESC LIMIT :candidates) "
    "SELECT coalesce({newest}, (SELECT d.innovation_id FROM candidates c JOIN search_documents d "
    "ON d.innovation_id = c.innovation_id WHERE d.document @@ to_tsquery('spindle', :q) "
    "ORDER BY d.innovation_id DESC OFFSET :w LIMIT 1), "
    "(SELECT min(innovation_id) FROM candidates HAVING count(*) = :candidates), 0)"
).replace("{newest}", _PG_NEWEST_FLOOR)
# The ranked statements name each match's id and rank; `_ranked` loads the innovations (and their
# groups: a hit names its group) around them in the same statement, in rank order.
_SQLITE_SEARCH = (
    "SELECT rowid AS id, bm25(search_fts, 1.0, 0.4, 0.1) AS rank FROM search_fts "
    "WHERE search_fts MATCH :q AND rowid >= :floor ORDER BY rank, rowid DESC LIMIT :n"
)
_PG_SEARCH = (
    "SELECT innovation_id AS id, ts_rank('{0.0, 0.1, 0.4, 1.0}', document, q, 1) AS rank "
    "FROM search_documents, to_tsquery('spindle', :q) AS q "
    "WHERE document @@ q AND innovation_id >= :floor{pairs} ORDER BY rank DESC, innovation_id DESC LIMIT :n"
)
# In the ranking, the pairs are looked up above the floor only: a common phrase ("our privacy",
# 21,000 rows) is then not read whole from search_pairs to rank the newest WINDOW of it.
_PG_PAIRS_ABOVE_FLOOR = (
    " AND innovation_id IN (SELECT innovation_id FROM search_pairs WHERE innovation_id >= :floor AND {pairs})"
)


# psycopg prepares a statement after 5 runs; PostgreSQL's generic plan for it cannot see the floor's
# value and ranked a third of the table (related: p50 32 ms → 14 ms with custom plans).
_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")
_NO_SEQSCAN = text("SET LOCAL enable_seqscan = off")  # see _PG_SPARSE_FLOOR


def window_floor(session: Session, postgres: bool, q: str, phrases: list[str] | None = None, terms: int = 1) -> int:
    """The id of the WINDOW-th newest match, or 0 when fewer match (then every match is ranked)."""
    params: dict[str, object] = {"q": q, "w": WINDOW - 1}
    if not postgres:
        return int(session.scalar(_SQLITE_FLOOR, params) or 0)
    session.execute(_CUSTOM_PLANS)
    if not phrases and terms == 1:  # one word: its count is known, and so is the way to its rows
        return int(session.scalar(text(_PG_FLOOR), params) or 0)
    # (the setting lasts the read transaction; its other statements have their indexes)
    session.execute(_NO_SEQSCAN)
    params["newest"] = NEWEST_ROWS
    if phrases:
        statement = text(_PG_PHRASE_FLOOR.replace("{pairs}", _pairs_of(len(phrases))))
        return int(session.scalar(statement, {**params, **_phrase_params(phrases), "candidates": CANDIDATES}) or 0)
    return int(session.scalar(_PG_SPARSE_FLOOR, params) or 0)


def _phrases(query: ParsedQuery) -> list[str]:
    return [" ".join(t.words) for t in query.include if len(t.words) > 1]


def ranked_select(what: tuple[Any, ...], ranking: str, postgres: bool) -> Select[Any]:
    """`what` (entities or columns of Innovation and Group) for the rows `ranking` (id, rank) names,
    best first, with each one's group joined.

    The ranking stays a derived table with its own ORDER BY and LIMIT, so the engine ranks and
    cuts first and joins only the `:n` rows left; the outer ORDER BY repeats the inner one.
    """
    ranked = text(ranking).columns(column("id", Integer), column("rank", Float)).subquery("ranked")
    best_first = ranked.c.rank.desc() if postgres else ranked.c.rank.asc()
    return (
        select(*what)
        .join(ranked, ranked.c.id == Innovation.id)
        .join(Group, Group.id == Innovation.group_id)
        .order_by(best_first, ranked.c.id.desc())
    )


def _ranked(session: Session, postgres: bool, ranking: str, params: dict[str, object]) -> list[Innovation]:
    """The innovations `ranking` names, best first, each with its group: one statement."""
    statement = ranked_select((Innovation,), ranking, postgres).options(contains_eager(Innovation.group))
    return list(session.scalars(statement, params).unique())


def search(session: Session, query: ParsedQuery, limit: int = 20) -> list[Innovation]:
    """Innovations of every group with all the included terms and none of the excluded ones, best first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        q = fts5_query(query)
        return _ranked(session, False, _SQLITE_SEARCH, {"q": q, "n": limit, "floor": window_floor(session, False, q)})
    q, phrases = tsquery(query), _phrases(query)
    floor = window_floor(session, True, q, phrases, len(query.include))
    params = {"q": q, "n": limit, "floor": floor, **_phrase_params(phrases)}
    pairs = _PG_PAIRS_ABOVE_FLOOR.replace("{pairs}", _pairs_of(len(phrases))) if phrases else ""
    return _ranked(session, True, _PG_SEARCH.replace("{pairs}", pairs), params)


def newest_elsewhere(session: Session, member_id: str, limit: int = 5) -> list[Innovation]:
    """The innovations most recently logged in groups the person is not in (Home: New across the network)."""
    mine = select(Membership.group_id).where(Membership.member_id == member_id)
    return list(
        session.scalars(
            select(Innovation)
            .join(Group)
            .options(contains_eager(Innovation.group))
            .where(Innovation.group_id.not_in(mine))
            .order_by(Innovation.logged_at.desc(), Innovation.id.desc())
            .limit(limit)
        )
    )
