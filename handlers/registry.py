"""The one place `/spindle` subcommands are declared, and the routing and help made from it.

Each feature declares its subcommands once, as `Subcommand`s (path, usage, help line, parse,
run) in a `COMMANDS` tuple; `Registry` routes text to the right one, fills the right form into
every usage error, and writes `/spindle help` from the same declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.grammar import UsageError, quote
from i18n import N_, _

COORDINATORS = N_("Coordinators")  # the help section of the coordinators' commands
HANDLE = "HANDLE"  # a path word that is the group's handle (`standup HANDLE set …`)
_WORD = re.compile(r"\s*(\S+)")


@dataclass(frozen=True)
class Subcommand:
    path: tuple[str, ...]  # ("group", "new"); HANDLE stands for any word
    usage: str  # N_(): the right form, shown with every error: "/spindle group new HANDLE [DESCRIPTION]"
    help: str  # N_(): its line in `/spindle help`
    parse: Callable[..., Any]  # (tail) -> command, or (handle, tail) when the path has HANDLE
    run: Callable[..., Any]  # (ctx, command) -> Reply
    section: str  # N_(): the help section it is listed in
    coordinator: bool = False  # listed in the coordinators' section only
    hidden: bool = False  # routed, but not a line of its own in help

    @property
    def name(self) -> str:
        return " ".join(w for w in self.path if w != HANDLE)


@dataclass(frozen=True)
class Family:
    """Subcommands sharing a first word, and what to say when the next word is missing or unknown.

    The sentences are N_() constants, translated (`_()`) when an error is made, in the reader's language.
    """

    head: str
    missing: str  # e.g. "Say what to do with groups: {subs}."
    unknown: str  # e.g. "`group {word}` is not a group command."
    usage_of: str  # which subcommand's usage to show with those two errors
    aliases: tuple[str, ...] = ()
    short: str | None = None  # said when a HANDLE is given but nothing after it


@dataclass
class Registry:
    commands: Sequence[Subcommand]
    families: Sequence[Family] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # top-level word → head ("find" → "search")

    def __post_init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}
        self._by_head: dict[str, list[Subcommand]] = {}  # by first word, in declaration order
        for sub in self.commands:
            if sub.name in self._by_name:
                raise RuntimeError(f"/spindle {sub.name} is declared twice")
            self._by_name[sub.name] = sub
            self._by_head.setdefault(sub.path[0], []).append(sub)
        self._families = {f.head: f for f in self.families}
        for family in self.families:
            for alias in family.aliases:
                self.aliases[alias] = family.head

    # --- routing ---------------------------------------------------------------------------------

    def usage(self, name: str) -> str:
        return self._by_name[name].usage

    def parse(self, text: str) -> tuple[Subcommand, Any]:
        """The subcommand and its typed command; `UsageError` (with the right form) otherwise."""
        text = (text or "").replace("\u00a0", " ").strip()
        words = text.split()
        if not words:
            return self._by_name["help"], self._by_name["help"].parse("")
        head = words[0].lower()
        head = self.aliases.get(head, head)
        candidates = self._by_head.get(head, [])
        if not candidates:
            raise UsageError(
                _("I don't know `{word}`. Type `/spindle help` to see what I can do.").format(word=quote(words[0]))
            )
        family = self._families.get(head)
        if family is None:  # a one-word command: everything after it is its own business
            sub = candidates[0]
            return sub, self._call(sub, [], _rest(text, 1))
        best = self._match(candidates, words)
        if best is None:
            raise self._family_error(family, candidates, words)
        sub, captured = best
        return sub, self._call(sub, captured, _rest(text, len(sub.path)))

    @staticmethod
    def _match(candidates: Iterable[Subcommand], words: list[str]) -> tuple[Subcommand, list[str]] | None:
        matches: list[tuple[int, Subcommand, list[str]]] = []
        for sub in candidates:
            if len(words) < len(sub.path):
                continue
            captured: list[str] = []
            literal = 0
            for want, got in zip(sub.path[1:], words[1:], strict=False):
                if want == HANDLE:
                    captured.append(got)
                elif want == got.lower():
                    literal += 1
                else:
                    break
            else:
                matches.append((literal, sub, captured))
        if not matches:
            return None
        literal, sub, captured = max(matches, key=lambda m: m[0])
        return sub, captured

    def _family_error(self, family: Family, subs: list[Subcommand], words: list[str]) -> UsageError:
        usage = self.usage(family.usage_of)
        handled = [s for s in subs if HANDLE in s.path]  # `standup HANDLE set`: the verb comes third
        names = [s.path[-1] for s in (handled or subs)]
        listed = (
            _("{some} or {last}").format(some=", ".join(names[:-1]), last=names[-1])
            if len(names) > 1
            else "".join(names)
        )
        if len(words) == 1:
            return UsageError(_(family.missing).format(subs=listed), usage)
        second_is_verb = any(s.path[1] == words[1].lower() for s in subs)
        if handled and not second_is_verb:
            if len(words) == 2:
                return UsageError(_(family.short or family.missing).format(subs=listed), usage)
            return UsageError(_(family.unknown).format(word=quote(words[2])), usage)
        return UsageError(_(family.unknown).format(word=quote(words[1])), usage)

    @staticmethod
    def _call(sub: Subcommand, captured: list[str], tail: str) -> Any:
        try:
            return sub.parse(*captured, tail) if captured else sub.parse(tail)
        except UsageError as exc:
            if exc.usage is None:
                exc.usage = sub.usage
            raise

    # --- help ------------------------------------------------------------------------------------

    def help_sections(self, *, coordinator: bool) -> list[tuple[str, list[str]]]:
        """(title, lines) per section, in the reader's language (called per request)."""
        sections: dict[str, list[str]] = {}
        for sub in self.commands:
            if sub.hidden or (sub.coordinator and not coordinator):
                continue
            title = COORDINATORS if sub.coordinator else sub.section
            usage = _(sub.usage)
            sections.setdefault(title, []).append(f"`{usage}` — {_(sub.help)}" if sub.help else f"`{usage}`")
        if COORDINATORS in sections:  # their section comes last
            sections[COORDINATORS] = sections.pop(COORDINATORS)
        return [(_(title) if title else title, lines) for title, lines in sections.items()]


def _rest(text: str, n: int) -> str:
    """The text after its first n words, spacing inside kept."""
    pos = 0
    for _word in range(n):
        match = _WORD.match(text, pos)
        if match is None:
            return ""
        pos = match.end()
    return text[pos:].strip()
