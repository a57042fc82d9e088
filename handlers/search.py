"""`/spindle search WORDS` (also `find`): parse, call the search service, render.

`related_lines` gives the lines the log reply (up to 3) and `show` (up to 5) add about other
groups' innovations.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.deps import CommandContext, Reply
from handlers.registry import Subcommand
from handlers.ui import search as ui
from models.db import Database
from services import search as service

LOG_RELATED = 3
SHOW_RELATED = 5


@dataclass(frozen=True)
class Search:
    text: str  # everything after `search`/`find`, parsed by the service (any text is a valid command)


def parse_search(tail: str) -> Search:
    return Search(tail or "")


def run_search(ctx: CommandContext, cmd: Search) -> Reply:
    """Anyone may search; nothing is written."""
    result = service.search(ctx.deps.db, cmd.text)
    text, blocks = ui.search_reply(result, cmd.text)
    return Reply(text, blocks)


def related_lines(db: Database, innovation_id: int, limit: int = SHOW_RELATED) -> list[str]:
    return ui.related_lines(service.related(db, innovation_id, limit))


def related_lines_in(session, innovation_id: int, limit: int = SHOW_RELATED) -> list[str]:
    """For a reply rendered inside the transaction that logged or loaded the innovation."""
    return ui.related_lines(service.related_in(session, innovation_id, limit))


# --- the subcommands (declared once: routing and help come from here) ---------------------------

COMMANDS = (
    Subcommand(("search",), "/spindle search WORDS", 'innovations of every group: `"a phrase"`, `-word` to leave out', parse_search, run_search, "Innovations"),
)  # fmt: skip
