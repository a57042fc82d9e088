"""A database at an earlier revision, for the migration tests: a SQLite file of its own, or (when
SPINDLE_TEST_DATABASE_URL is set) a PostgreSQL schema of its own, dropped after, so the suite's
migrated database is not touched."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from models.db import Database, alembic_config


def database_at(backend: str, tmp_path: Path, revision: str) -> Iterator[str]:
    """Yield the URL of a database migrated up to `revision` (a pytest fixture's body)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'at-{revision}.db'}"
        command.upgrade(alembic_config(url), revision)
        yield url
        return
    base = os.environ.get("SPINDLE_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL runs when SPINDLE_TEST_DATABASE_URL is set (CI runs both)")
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = Database(base)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        command.upgrade(alembic_config(url), revision)
        yield url
    finally:
        with admin.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
