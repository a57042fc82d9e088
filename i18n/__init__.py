"""The words people read, in their language: GNU gettext catalogues (Babel) and Babel's formats.

English is the source language: the words are written in English in the code, marked with `_()`
(translate now), `n_()` (singular/plural by a number) or `N_()` (mark a module-level constant;
translate it with `_()` where it is shown). Dutch lives in `i18n/locale/nl/LC_MESSAGES/messages.po`.

The reader's language is a context variable, set by `speaking(language)` around a reply, a Home
view, a direct message or a channel post; it defaults to English. Catalogues are compiled from the
`.po` files on first use, in memory (Babel's own `read_po`/`write_mo`): the repository holds no
compiled files that could drift from their source, and nothing has to run at install time.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile

from models.vocab import LANGUAGES

DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)
# A request's language, found when its first word is written (see `use_when_needed`).
_pending: ContextVar[tuple[Callable[[], str | None], str] | None] = ContextVar("language_pending", default=None)


def supported(language: str | None) -> str | None:
    """`nl`/`en` (any case, `nl-NL`, `nl_BE`) as one of LANGUAGES, else None."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def current() -> str:
    pending = _pending.get()
    if pending is not None:
        _pending.set(None)
        _current.set(supported(pending[0]()) or pending[1])
    return _current.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Write in `language` (None or an unknown code: keep the current one) inside the block."""
    chosen = supported(language) or current()
    token, pending = _current.set(chosen), _pending.set(None)  # a language still to find stays so
    try:
        yield chosen
    finally:
        _pending.reset(pending)
        _current.reset(token)


def use(language: str | None) -> None:
    """Set the language for the rest of this context (a request's listener thread copies it)."""
    _pending.set(None)
    _current.set(supported(language) or DEFAULT)


def use_when_needed(resolve: Callable[[], str | None], fallback: str = DEFAULT) -> None:
    """Like `use`, with the language found by `resolve()` when the first word is written: a request
    whose service reads the person anyway then needs no query of its own (handlers/language.py)."""
    _current.set(supported(fallback) or DEFAULT)
    _pending.set((resolve, _current.get()))


def settle() -> str:
    """Stop looking for this request's language and keep its fallback: for when what would tell
    it (the database) is down, so that saying so does not wait on it a second time."""
    if _pending.get() is not None:
        _pending.set(None)
    return _current.get()


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; English (the source) needs none."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = pofile.read_po(po, locale=language)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    return translations(current()).gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown, with `_()`."""
    return message


# --- dates, times and numbers, the way the reader's language writes them -------------------------


def locale() -> Locale:
    return Locale.parse({"en": "en_GB", "nl": "nl_NL"}[current()])


def day(when: date | datetime) -> str:
    """`Mon 7 Dec` / `ma 7 dec.`"""
    return dates.format_date(when, "EEE d MMM", locale=locale())


def full_date(when: date | datetime) -> str:
    """`7 December 2026` / `7 december 2026`"""
    return dates.format_date(when, "d MMMM y", locale=locale())


def clock(when: time | datetime) -> str:
    """`09:30` in both: 24-hour, as both write it."""
    return dates.format_time(when, "HH:mm", locale=locale())


def day_and_clock(when: datetime) -> str:
    """`Mon 7 Dec 2026 09:30` / `ma 7 dec. 2026 09:30`"""
    return f"{dates.format_date(when, 'EEE d MMM y', locale=locale())} {clock(when)}"


def weekday(index: int, short: bool = True) -> str:
    """Monday is 0: `Mon` / `ma`, or `Monday` / `maandag`."""
    width = "abbreviated" if short else "wide"
    return locale().days["format"][width][index]


def number(value: int | float) -> str:
    """`1,234` / `1.234`"""
    return numbers.format_decimal(value, locale=locale())


def percent(value: float) -> str:
    """`42%` / `42%`"""
    return numbers.format_percent(value, locale=locale())
