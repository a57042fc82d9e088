"""The unit of work a service runs in: the database, the clock and the workspace defaults."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.clock import Clock
from models.db import Database


@dataclass(frozen=True)
class UnitOfWork:
    db: Database
    clock: Clock
    timezone: str  # SPINDLE_TIMEZONE: for schedules that name none, and the weekly register
    language: str = "en"  # SPINDLE_LANGUAGE: for people who chose none, and groups' channel posts

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error (a refusal changes nothing)."""
        with self.db.transaction() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it never waits for the write lock."""
        with self.db.read() as session:
            yield session

    def now(self) -> datetime:
        return self.clock.now()
