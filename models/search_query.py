"""What a person typed after `search` → the terms to look for. Pure: no database, never raises.

The engines never see the person's text. Each term is rebuilt from its words — runs of letters
and digits, nothing else — and each word is quoted for the engine, so `"`, `*`, `NEAR`, `:`,
`^`, `(` or `-` in the text can neither raise an engine syntax error nor add an operator.
A token the engines would split (`data-ethics`, `foo:bar`) becomes a phrase of its words,
which is how both engines split the same text in the documents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY = 1000  # characters read; the rest is cut
MAX_TERMS = 32  # terms kept (included and excluded together): enough for any search people type

WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase: words that must appear in this order, adjacent
    exclude: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    include: tuple[Term, ...]
    exclude: tuple[Term, ...]
    cut: bool = False  # the text was longer than MAX_QUERY (or had more than MAX_TERMS terms)


@dataclass(frozen=True)
class NothingToSearch:
    reason: str  # "empty": no text at all; "operators": only quotes, operators or exclusions


EMPTY = NothingToSearch("empty")
ONLY_OPERATORS = NothingToSearch("operators")


def parse_query(text: str | None) -> ParsedQuery | NothingToSearch:
    """`privacy "open data" -pilot` → include (privacy), ("open", "data"); exclude (pilot).

    Whitespace separates terms; a double quote opens a phrase that runs to the next one (or the
    end); a `-` right before a word or an opening quote excludes it. Words are compared by the
    engines without case or accents; duplicates are dropped.
    """
    text = unicodedata.normalize("NFC", (text or "").replace("\x00", ""))
    cut = len(text) > MAX_QUERY
    text = text[:MAX_QUERY]
    if not text.strip():
        return EMPTY
    terms: list[Term] = []
    seen: set[tuple[tuple[str, ...], bool]] = set()
    for raw, exclude in _raw_terms(text):
        words = tuple(WORD_RE.findall(raw))
        key = (tuple(fold(w) for w in words), exclude)
        if not words or key in seen:
            continue
        seen.add(key)
        terms.append(Term(words, exclude))
    if len(terms) > MAX_TERMS:
        terms, cut = terms[:MAX_TERMS], True
    include = tuple(t for t in terms if not t.exclude)
    if not include:
        return ONLY_OPERATORS
    return ParsedQuery(include, tuple(t for t in terms if t.exclude), cut)


def _raw_terms(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        exclude = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            exclude, i = True, i + 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            out.append((text[i + 1 : end], exclude))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        out.append((text[start:i], exclude))
    return out


def fold(word: str) -> str:
    """A word without case or accents (`Café` → `cafe`), as both engines compare them."""
    if word.isascii():  # NFKD leaves ASCII as it is; most words are (related: 70% of its time was here)
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words_of(text: str | None) -> list[str]:
    """The folded words of a text, in order."""
    text = text or ""
    if text.isascii():  # the same words, lowered at once (related ones fold some 40 texts a lookup)
        return WORD_RE.findall(text.lower())
    return [fold(w) for w in WORD_RE.findall(text)]


# Words too common to say two innovations are alike (English and Dutch). Not shown to anyone.
STOP_WORDS = frozenset(
    """
    a about after all also an and any are as at be been but by can do for from has have how if in
    into is it its more new no not of on or our out over so such than that the their them then
    there these they this to up use used using was we were what when which who will with within you
    your via per
    aan al alle als bij dan dat de deze die dit door een en er heeft het hoe in is je kan meer met
    na naar niet nog of om onder ons onze ook op over te tot uit van veel voor was wat we wij wordt
    worden zijn zo zoals
    """.split()
)


def significant_words(text: str | None) -> list[str]:
    """Folded words that can make two innovations alike: no stop words, no numbers, 3+ letters."""
    return [w for w in words_of(text) if len(w) >= 3 and w not in STOP_WORDS and not w.isdigit()]
