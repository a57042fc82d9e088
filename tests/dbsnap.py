"""A whole-database snapshot, to show that a refused request changed nothing."""

from __future__ import annotations

from sqlalchemy import select

from models import metadata
from models.db import Database


def snapshot(db: Database) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name == "home_views":  # the hash of the Home Slack shows: bookkeeping, not data
                continue
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return out
