"""The words of search, related innovations and New across the network."""

from __future__ import annotations

import i18n
from handlers.ui import words
from handlers.ui.common import context, escape, header, line_sections, shorten
from i18n import N_, _, n_
from models.search_query import MAX_QUERY, NothingToSearch
from services.search import Hit, SearchResult

USAGE_TEXT = N_(
    "Search every group's innovations: `/spindle search WORDS` (or `/spindle find WORDS`).\n"
    'All the words must match; `"a phrase"` matches the words in that order; `-word` leaves out '
    "innovations with that word. Case and accents do not matter."
)
ONLY_OPERATORS_TEXT = N_(
    "There is no word to look for in that search: quotes, `-word` exclusions and signs alone find nothing. "
    'Add at least one word to find, for example `/spindle search privacy -pilot` or `/spindle search "open data"`.'
)


def hit_line(item: Hit) -> str:
    return f"*{item.ref}* · {escape(shorten(item.title, 150))}  —  `{item.group}` · {words.stage(item.stage)}"


def search_reply(result: SearchResult, query_text: str) -> tuple[str, list[dict] | None]:
    if result.nothing is not None:
        return _nothing(result.nothing), None
    shown = shorten(query_text, 80).replace("`", "'")
    cut = " " + _("(I read the first {n} characters.)").format(n=i18n.number(MAX_QUERY)) if result.cut else ""
    if not result.hits:
        return _("No innovation matches `{query}`.{cut} Try fewer or other words.").format(
            query=escape(shown), cut=cut
        ), None
    n = len(result.hits)
    count = n_("{n} match", "{n} best matches", n).format(n=n)
    text = _("Search `{query}`: {count}.{cut}").format(query=escape(shown), count=count, cut=cut)
    blocks = [
        header(_("Search: {query}").format(query=shorten(query_text, 100))),
        *line_sections([hit_line(h) for h in result.hits], max_blocks=45),
        context(_("Best match first.{cut} Details: `/spindle show INN-…`").format(cut=cut)),
    ]
    return text, blocks


def _nothing(nothing: NothingToSearch) -> str:
    return _(USAGE_TEXT) if nothing.reason == "empty" else _(ONLY_OPERATORS_TEXT)


def related_lines(hits: list[Hit]) -> list[str]:
    """For the log reply and `show`: a heading line and one line per related innovation, or nothing."""
    if not hits:
        return []
    return [_("*Related in other groups:*"), *(f"• {hit_line(h)}" for h in hits)]


def new_across_network_lines(hits: list[Hit]) -> list[str]:
    if not hits:
        return [_("*New across the network*"), _("_Nothing new in other groups yet._")]
    return [_("*New across the network*"), *(f"• {hit_line(h)}" for h in hits)]
