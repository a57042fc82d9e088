"""The words of search, related innovations and New across the network."""

from __future__ import annotations

from handlers.ui.common import context, escape, header, line_sections, shorten
from models.search_query import MAX_QUERY, NothingToSearch
from services.search import Hit, SearchResult

USAGE = "/spindle search WORDS   (or /spindle find WORDS)"
USAGE_TEXT = (
    f"Search every group's innovations: `{USAGE}`.\n"
    'All the words must match; `"a phrase"` matches the words in that order; `-word` leaves out '
    "innovations with that word. Case and accents do not matter."
)
ONLY_OPERATORS_TEXT = (
    "There is no word to look for in that search: quotes, `-word` exclusions and signs alone find nothing. "
    'Add at least one word to find, for example `/spindle search privacy -pilot` or `/spindle search "open data"`.'
)


def hit_line(item: Hit) -> str:
    return f"*{item.ref}* · {escape(shorten(item.title, 150))}  —  `{item.group}` · {item.stage}"


def search_reply(result: SearchResult, query_text: str) -> tuple[str, list[dict] | None]:
    if result.nothing is not None:
        return _nothing(result.nothing), None
    shown = shorten(query_text, 80).replace("`", "'")
    cut = f" (I read the first {MAX_QUERY:,} characters.)" if result.cut else ""
    if not result.hits:
        return f"No innovation matches `{escape(shown)}`.{cut} Try fewer or other words.", None
    count = f"{len(result.hits)} best matches" if len(result.hits) > 1 else "1 match"
    text = f"Search `{escape(shown)}`: {count}.{cut}"
    blocks = [
        header(f"Search: {shorten(query_text, 100)}"),
        *line_sections([hit_line(h) for h in result.hits], max_blocks=45),
        context(f"Best match first.{cut} Details: `/spindle show INN-…`"),
    ]
    return text, blocks


def _nothing(nothing: NothingToSearch) -> str:
    return USAGE_TEXT if nothing.reason == "empty" else ONLY_OPERATORS_TEXT


def related_lines(hits: list[Hit]) -> list[str]:
    """For the log reply and `show`: a heading line and one line per related innovation, or nothing."""
    if not hits:
        return []
    return ["*Related in other groups:*", *(f"• {hit_line(h)}" for h in hits)]


def new_across_network_lines(hits: list[Hit]) -> list[str]:
    if not hits:
        return ["*New across the network*", "_Nothing new in other groups yet._"]
    return ["*New across the network*", *(f"• {hit_line(h)}" for h in hits)]
