"""Migration 0002_json_columns on a database made by 0001: old JSON text (some malformed) reads back.

Runs on SQLite (a file of its own) and, when SPINDLE_TEST_DATABASE_URL is set, on PostgreSQL in a
schema of its own, so the suite's migrated database is not touched.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from models.db import Database, alembic_config
from models.standups import StandupPrompt, StandupRun, StandupSchedule, answers_of, questions_of
from models.vocab import DEFAULT_STANDUP_QUESTIONS
from tests.migrating import database_at

T0 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
DEFAULTS = list(DEFAULT_STANDUP_QUESTIONS)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database at revision 0001 (tests/migrating.py)."""
    yield from database_at(request.param, tmp_path, "0001")


SCHEDULES = {  # group id: stored text → what the model reads
    1: ("", None),
    2: ('["Moved?", "Next?"]', ["Moved?", "Next?"]),
    3: ("{not json", None),
    4: ("[]", None),
}
RUNS = {  # run id: (group id, questions text) → questions
    1: (1, '["Moved?", "Next?"]', ["Moved?", "Next?"]),
    2: (2, "[[broken", DEFAULTS),
    3: (3, "", DEFAULTS),
    4: (4, '{"a": 1}', DEFAULTS),
}
PROMPTS = {  # prompt id: (run id, member, answers text) → answers
    1: (1, "U1", '["read a paper", "pilot", "none"]', ["read a paper", "pilot", "none"]),
    2: (1, "U2", None, None),
    3: (2, "U1", "not json at all", []),
    4: (2, "U2", '["ünïcode ✓", 3]', ["ünïcode ✓", "3"]),
    5: (3, "U1", '"a string"', []),
}


def _fill(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        for uid in ("U1", "U2"):
            conn.execute(
                text("INSERT INTO members (id, name, is_coordinator, profile_fetched, forgotten, created_at) "
                     "VALUES (:id, :id, false, false, false, :at)"),
                {"id": uid, "at": T0.replace(tzinfo=None)},
            )  # fmt: skip
        for gid, (questions, _) in SCHEDULES.items():
            conn.execute(
                text("INSERT INTO groups (id, handle, description, created_at) VALUES (:id, :h, '', :at)"),
                {"id": gid, "h": f"g{gid}", "at": T0.replace(tzinfo=None)},
            )
            conn.execute(
                text("INSERT INTO standup_schedules (group_id, days, local_time, tz, active, questions, "
                     "reminder_minutes, lead_warned_no_channel) VALUES (:g, 'mon', '09:30', 'UTC', true, :q, 120, false)"),
                {"g": gid, "q": questions},
            )  # fmt: skip
        for rid, (gid, questions, _) in RUNS.items():
            conn.execute(
                text("INSERT INTO standup_runs (id, group_id, due_at, claimed_at, status, questions) "
                     "VALUES (:id, :g, :at, :at, 'closed', :q)"),
                {"id": rid, "g": gid, "at": T0.replace(tzinfo=None, day=rid), "q": questions},
            )  # fmt: skip
        for pid, (rid, uid, answers, _) in PROMPTS.items():
            conn.execute(
                text("INSERT INTO standup_prompts (id, run_id, member_id, answers) VALUES (:id, :r, :m, :a)"),
                {"id": pid, "r": rid, "m": uid, "a": answers},
            )
    db.dispose()


def test_upgrade_converts_old_text_rows_and_downgrade_restores_text(old_database):
    url = old_database
    _fill(url)
    command.upgrade(alembic_config(url), "head")
    db = Database(url)
    try:
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("standup_prompts")}
        if db.backend == "postgresql":
            assert str(columns["answers"]["type"]) == "JSON"
        with db.transaction() as s:
            schedules = {x.group_id: x.questions for x in s.scalars(select(StandupSchedule))}
            assert schedules == {gid: want for gid, (_, want) in SCHEDULES.items()}
            assert questions_of(schedules[2]) == ["Moved?", "Next?"] and questions_of(schedules[3]) == DEFAULTS
            runs = {r.id: r.questions for r in s.scalars(select(StandupRun))}
            assert runs == {rid: want for rid, (_, _, want) in RUNS.items()}
            prompts = {p.id: p.answers for p in s.scalars(select(StandupPrompt))}
            assert prompts == {pid: want for pid, (_, _, _, want) in PROMPTS.items()}
            assert answers_of(prompts[2]) == []
            # Erased answers are SQL NULL, not JSON null: `IS NULL` still finds them.
            s.get(StandupPrompt, 1).answers = None
        with db.transaction() as s:
            assert s.scalar(select(StandupPrompt.id).where(StandupPrompt.id == 1, StandupPrompt.answers.is_(None)))
            s.get(StandupPrompt, 1).answers = ["back", "again", ""]
    finally:
        db.dispose()
    command.downgrade(alembic_config(url), "0001")
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT answers FROM standup_prompts WHERE id = 1")).scalar() == (
                '["back", "again", ""]'
            )
            assert conn.execute(text("SELECT questions FROM standup_schedules WHERE group_id = 1")).scalar() == ""
    finally:
        db.dispose()
