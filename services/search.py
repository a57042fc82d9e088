"""Search and related innovations: the use cases behind `search`/`find`, the log reply and `show`.

Each function opens its own read transaction on the app's Database; the `*_in` variants run inside
a transaction the caller already holds (a command that has just logged an innovation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from models import related as related_engine
from models import search as engine
from models.db import Database
from models.innovations import Innovation
from models.search_query import NothingToSearch, ParsedQuery, parse_query

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class Hit:
    ref: str
    title: str
    group: str  # the group's handle
    stage: str


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    query: ParsedQuery | None = None
    nothing: NothingToSearch | None = None  # set instead of a query when there was nothing to look for

    @property
    def cut(self) -> bool:
        return self.query is not None and self.query.cut


def hit(innovation: Innovation) -> Hit:
    return Hit(innovation.ref, innovation.title, innovation.group.handle, innovation.stage)


def search(db: Database, query_text: str | None, limit: int = SEARCH_LIMIT) -> SearchResult:
    parsed = parse_query(query_text)
    if isinstance(parsed, NothingToSearch):
        return SearchResult(nothing=parsed)  # no database work at all
    with db.read() as session:
        return search_in(session, parsed, limit)


def search_in(session: Session, parsed: ParsedQuery | NothingToSearch, limit: int = SEARCH_LIMIT) -> SearchResult:
    if isinstance(parsed, NothingToSearch):
        return SearchResult(nothing=parsed)
    limit = max(1, min(limit, SEARCH_LIMIT))
    return SearchResult([hit(i) for i in engine.search(session, parsed, limit)], parsed)


def related(db: Database, innovation_id: int, limit: int) -> list[Hit]:
    with db.read() as session:
        return related_in(session, innovation_id, limit)


def related_in(session: Session, innovation_id: int, limit: int) -> list[Hit]:
    """Up to `limit` innovations of other groups alike this one (none if it does not exist)."""
    innovation = session.get(Innovation, innovation_id) if 0 < innovation_id < 2**31 else None
    if innovation is None:
        return []
    matches = related_engine.related(session, innovation, limit)
    return [Hit(m.candidate.ref, m.candidate.title, m.candidate.handle, m.candidate.stage) for m in matches]


def new_across_network(db: Database, member_id: str, limit: int = 5) -> list[Hit]:
    """The innovations most recently logged in groups the person is not in."""
    with db.read() as session:
        return [hit(i) for i in engine.newest_elsewhere(session, member_id, limit)]
