"""`/spindle search WORDS` (also `find`): parse, call the search service, render.

The lead wires `parse_search` and `run_search` into the command registry; `related_lines` gives
the lines the log reply (up to 3) and `show` (up to 5) add about other groups' innovations.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.deps import CommandContext, Reply
from handlers.router import executes
from handlers.ui import search as ui
from models.db import Database
from models.search_query import parse_query
from services import search as service

LOG_RELATED = 3
SHOW_RELATED = 5


@dataclass(frozen=True)
class Search:
    text: str  # everything after `search`/`find`, parsed by the service (any text is a valid command)


def parse_search(tail: str) -> Search:
    return Search(tail or "")


def run_search(db: Database, user_id: str, cmd: Search) -> Reply:
    """Anyone may search; nothing is written. `user_id` is for the registry's uniform signature."""
    result = service.search(db, cmd.text)
    text, blocks = ui.search_reply(result, cmd.text)
    return Reply(text, blocks)


@executes(Search)
def search_in_transaction(session, member, cmd: Search, ctx: CommandContext) -> Reply:
    """The same, for the current router, which calls executors inside its own transaction."""
    result = service.search_in(session, parse_query(cmd.text))
    text, blocks = ui.search_reply(result, cmd.text)
    return Reply(text, blocks)


def related_lines(db: Database, innovation_id: int, limit: int = SHOW_RELATED) -> list[str]:
    return ui.related_lines(service.related(db, innovation_id, limit))


def related_lines_in(session, innovation_id: int, limit: int = SHOW_RELATED) -> list[str]:
    """For a reply rendered inside the transaction that logged or loaded the innovation."""
    return ui.related_lines(service.related_in(session, innovation_id, limit))
