"""Related innovations: other groups' innovations most like one, from the same full-text engines.

The item's own top terms make an OR query, ranked among the newest matches (models.search.window_floor);
the best candidates are then scored with `alike`, which also counts shared tags and SDGs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from models.groups import Group
from models.innovations import Innovation, ref_of
from models.search import any_word_tsquery, ranked_select, window_floor
from models.search_query import significant_words, words_of

RELATED_TERMS = 8  # the item's own words used to find others like it
RELATED_CANDIDATES = 40  # ranked candidates rescored for shared words, tags and SDGs
RELATED_THRESHOLD = 2.0  # see `alike`


class Described(Protocol):
    """What `alike` compares: an Innovation, or a Candidate."""

    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def tags(self) -> str: ...
    @property
    def sdgs(self) -> str: ...


@dataclass(frozen=True)
class Candidate:
    """Another group's innovation as related ones need it: the columns, not the entity (loading
    and tracking the 40 candidates as ORM objects was most of a lookup's time in Python)."""

    id: int
    title: str
    summary: str
    tags: str
    sdgs: str
    stage: str
    handle: str  # its group's

    @property
    def ref(self) -> str:
        return ref_of(self.id)


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float  # larger is more alike


_CANDIDATE_COLUMNS = (
    Innovation.id,
    Innovation.title,
    Innovation.summary,
    Innovation.tags,
    Innovation.sdgs,
    Innovation.stage,
    Group.handle,
)


def _candidates(session: Session, postgres: bool, ranking: str, params: dict[str, object]) -> list[Candidate]:
    """The rows `ranking` names, best first, as the columns related ones need, not entities."""
    return [Candidate(*row) for row in session.execute(ranked_select(_CANDIDATE_COLUMNS, ranking, postgres), params)]


def top_terms(innovation: Described, n: int = RELATED_TERMS) -> list[str]:
    """The item's own most telling words: title words count 3, tag words 2, summary words 1."""
    counts: Counter[str] = Counter()
    for weight, words in (
        (3, significant_words(innovation.title)),
        (2, _tag_words(innovation)),
        (1, significant_words(innovation.summary)),
    ):
        for word in words:
            counts[word] += weight
    # Ties: longer words first (they are rarer), then alphabetical, so the choice is stable.
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[:n]]


def _tag_words(innovation: Described) -> list[str]:
    # A tag is chosen on purpose: its words count however short (`ai`).
    return words_of(innovation.tags.replace(",", " "))


def _fingerprint(innovation: Described) -> tuple[set[str], set[str], set[str]]:
    words = set(significant_words(f"{innovation.title} {innovation.summary}")) | set(_tag_words(innovation))
    tags = {t for t in innovation.tags.split(",") if t}
    sdgs = {s for s in innovation.sdgs.split(",") if s}
    return words, tags, sdgs


def alike(a: Described, b: Described) -> float:
    """How alike two innovations are: shared words + shared tags + half a point per shared SDG.

    Related means at least RELATED_THRESHOLD (2) with at least one shared word: two shared words,
    or one shared tag (a tag's word is shared too), or a word and two SDGs. SDGs alone never do:
    half the network works on a handful of goals.
    """
    return _score(_fingerprint(a), _fingerprint(b))


Fingerprint = tuple[set[str], set[str], set[str]]


def _score(a: Fingerprint, b: Fingerprint) -> float:
    (words_a, tags_a, sdgs_a), (words_b, tags_b, sdgs_b) = a, b
    shared_words = len(words_a & words_b)
    if not shared_words:
        return 0.0
    return shared_words + len(tags_a & tags_b) + 0.5 * len(sdgs_a & sdgs_b)


def _sqlite_related(terms: int) -> str:
    """Candidates ranked by the item's terms they hold, a title hit counting 3 (as in top_terms).

    Not bm25: FTS5 works out each term's weight from every row that holds it, at every call,
    whatever the window (related at 100,000 innovations of common words: 80-180 ms, against 6 ms at
    1,000). One MATCH per term and per title term reads only the rows past the floor instead.
    """
    # Only counters and constants go into the text; the terms themselves are bound parameters.
    hits = " UNION ALL ".join(
        f"SELECT rowid AS id, {weight} AS w FROM search_fts WHERE search_fts MATCH :{key}{n} AND rowid >= :floor"  # noqa: S608
        for n in range(terms)
        for key, weight in (("t", 1), ("title", 2))
    )
    return (
        f"SELECT h.id AS id, -sum(h.w) AS rank FROM ({hits}) AS h JOIN innovations i ON i.id = h.id "  # noqa: S608
        "WHERE i.group_id != :group_id GROUP BY h.id ORDER BY rank, h.id DESC LIMIT :n"
    )


_PG_RELATED = (
    "SELECT d.innovation_id AS id, ts_rank('{0.0, 0.1, 0.4, 1.0}', d.document, q, 1) AS rank "
    "FROM search_documents d JOIN innovations i ON i.id = d.innovation_id, "
    "to_tsquery('spindle', :q) AS q WHERE d.document @@ q AND d.innovation_id >= :floor "
    "AND i.group_id != :group_id ORDER BY rank DESC, d.innovation_id DESC LIMIT :n"
)


def related(session: Session, innovation: Innovation, limit: int) -> list[Match]:
    """Innovations of other groups most like this one; none when nothing is alike enough.

    The engine finds candidates with the item's top terms as an OR query, ranked; the best
    RELATED_CANDIDATES are then scored with `alike`, which also counts shared tags and SDGs.
    """
    terms = top_terms(innovation)
    if not terms or limit <= 0:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    q = any_word_tsquery(terms) if postgres else " OR ".join(f'"{t}"' for t in terms)
    params: dict[str, object] = {"q": q, "group_id": innovation.group_id, "n": RELATED_CANDIDATES}
    # Several words: the floor in two steps (models.search._PG_SPARSE_FLOOR).
    params["floor"] = window_floor(session, postgres, q, terms=len(terms))
    if not postgres:  # each term on its own: `"word"` anywhere, `title : "word"` in the title
        params |= {f"t{n}": f'"{t}"' for n, t in enumerate(terms)}
        params |= {f"title{n}": f'title : "{t}"' for n, t in enumerate(terms)}
    found = _candidates(session, postgres, _PG_RELATED if postgres else _sqlite_related(len(terms)), params)
    order = {c.id: n for n, c in enumerate(found)}
    mine = _fingerprint(innovation)  # once, not once per candidate
    scored = [Match(c, _score(mine, _fingerprint(c))) for c in found]
    scored = [m for m in scored if m.score >= RELATED_THRESHOLD]
    scored.sort(key=lambda m: (-m.score, order[m.candidate.id]))
    return scored[:limit]
