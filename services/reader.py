"""Whom a request's words are for, and what we know of their language without asking twice.

The Slack adapter names the reader when a request arrives (`expect`); whenever a service of
that request loads the reader's member row anyway (most do: the actor is read first), an ORM
load event notes their language and Slack locale, so writing the reply costs no query of its
own. Only when no service read them (a usage error, a refusal before any service) does
`language` ask the database, with one primary-key read.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select

from models import people as domain
from models.people import Member
from services.uow import UnitOfWork


@dataclass
class Reader:
    user_id: str
    seen: tuple[str | None, str | None] | None = None  # (language, locale) from a row a service loaded


_reader: ContextVar[Reader | None] = ContextVar("reader", default=None)


def expect(user_id: str) -> Reader:
    """Name this request's reader (the context is copied into its listener thread)."""
    reader = Reader(user_id)
    _reader.set(reader)
    return reader


@event.listens_for(Member, "load")
def _note_reader(member: Member, _context: Any) -> None:
    reader = _reader.get()
    if reader is not None and reader.seen is None and member.id == reader.user_id:
        reader.seen = (member.language, member.locale)


def language(uow: UnitOfWork, reader: Reader) -> str:
    """The reader's language (models/people.reader_language), read from the database only if no
    service of this request has loaded their row."""
    if reader.seen is None and reader.user_id:
        with uow.read() as session:
            row = session.execute(select(Member.language, Member.locale).where(Member.id == reader.user_id)).first()
        reader.seen = (row.language, row.locale) if row is not None else (None, None)
    chosen, locale = reader.seen or (None, None)
    return domain.reader_language(chosen, locale, uow.language)
