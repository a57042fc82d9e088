"""Counting what is stored: the soak's innovations and answers, and the stand-up runs, read back with plain SQL."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime


class Store:
    def __init__(self, url: str, tag: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url)
        self.tag = tag

    def titles(self) -> Counter[str]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT title FROM innovations WHERE title LIKE :p"), {"p": f"{self.tag} %"})
            return Counter(r[0] for r in rows)

    def tokens(self) -> Counter[str]:
        from sqlalchemy import text

        pattern = re.compile(re.escape(self.tag) + r"-ans-\d{6}")
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT answers FROM standup_prompts WHERE answers IS NOT NULL"))
            return Counter(t for (answers,) in rows for t in pattern.findall(_as_text(answers)))

    def runs(self, scheduled: set[str]) -> dict[str, int]:
        from sqlalchemy import text

        out: Counter[str] = Counter()
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT r.due_at, r.status, r.message_ts, r.summary_ts FROM standup_runs r"))
            for due_at, status, message_ts, summary_ts in rows:
                due = due_at if isinstance(due_at, datetime) else datetime.fromisoformat(str(due_at))
                due = due.astimezone(UTC) if due.tzinfo else due  # naive: stored as UTC
                clocked = due.second == 0 and due.microsecond == 0 and due.strftime("%H:%M") in scheduled
                out["scheduled" if clocked else "now"] += 1
                out[f"status:{status}"] += 1
                out["channel_posted"] += message_ts is not None
                out["summaries"] += summary_ts is not None
            prompts = conn.execute(text("SELECT count(*), count(dm_ts), count(answered_at) FROM standup_prompts"))
            out["prompts"], out["prompts_sent"], out["prompts_answered"] = prompts.one()
        return dict(out)

    def dispose(self) -> None:
        self.engine.dispose()


def _as_text(value) -> str:
    """Answers are stored as JSON: text on some backends and schema versions, parsed on others."""
    return value if isinstance(value, str) else json.dumps(value or "")
