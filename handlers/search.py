"""`/spindle search WORDS` (also `find`): parse, call the search service, render.

Related innovations come with the innovations service's results (log, `show`), read in its
own transaction; handlers/ui/search.py holds their words.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.deps import CommandContext, Reply
from handlers.registry import Subcommand
from handlers.ui import search as ui
from i18n import N_
from services import search as service


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


# --- the subcommands (declared once: routing and help come from here) ---------------------------

COMMANDS = (
    Subcommand(
        ("search",),
        N_("/spindle search WORDS"),
        N_('innovations of every group: `"a phrase"`, `-word` to leave out'),
        parse_search,
        run_search,
        N_("Innovations"),
    ),
)
