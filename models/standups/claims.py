"""Compare-and-set claims: the right to send one Slack message, taken in one UPDATE … WHERE.

A claim sets a timestamp column on one row only if nobody holds it (the column is NULL) or the
holder's claim is older than `stale` (its process died). The row count says who won, so two
schedulers, a restart or a retried tick never send the same message twice. `record` writes what
the send produced; `release` gives the claim back after a failure worth retrying.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Update, inspect, or_, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.base import Base

STALE_CLAIM = timedelta(minutes=10)  # a claim older than this belonged to a process that died


def compare_and_set(session: Session, stmt: Update) -> bool:
    """Run one guarded UPDATE; True when it changed exactly one row (this caller won)."""
    result = session.execute(stmt, execution_options={"synchronize_session": False})
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def _by_id(model: type[Base], row_id: object) -> ColumnElement[bool]:
    key = inspect(model).primary_key[0]
    return key == row_id


def claim(
    session: Session,
    model: type[Base],
    row_id: object,
    column: InstrumentedAttribute[datetime | None],
    now: datetime,
    *,
    stale: timedelta | None = STALE_CLAIM,
    where: Iterable[ColumnElement[bool]] = (),
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Take the claim `column` on one row; `stale` None: a claim once taken is never taken over.

    `where` adds the row's own conditions (not sent yet, still open…); `also` sets more columns
    with the claim (a status).
    """
    free: ColumnElement[bool] = column.is_(None)
    if stale is not None:
        free = or_(free, column < now - stale)
    stmt = update(model).where(_by_id(model, row_id), free, *where).values({column.key: now, **(also or {})})
    return compare_and_set(session, stmt)


def release(
    session: Session,
    model: type[Base],
    row_id: object,
    column: InstrumentedAttribute[datetime | None],
    **values: Any,
) -> None:
    """Give the claim back (the next tick tries again), setting `values` with it."""
    record(session, model, row_id, **{column.key: None, **values})


def record(session: Session, model: type[Base], row_id: object, **values: Any) -> None:
    """Write what a claimed send produced (its ts, an error) on the row."""
    session.execute(update(model).where(_by_id(model, row_id)).values(values))
