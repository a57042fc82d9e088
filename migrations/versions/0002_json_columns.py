"""JSON columns: stand-up questions and answers through SQLAlchemy's JSON type

Revision ID: 0002_json_columns
Revises: 0001
Create Date: 2026-12-01

`standup_runs.questions`, `standup_schedules.questions` and `standup_prompts.answers` held JSON
as text, parsed by hand. Existing rows are normalised first, the way the code read them (so
nothing changes for a reader), then the columns become JSON:

- a run's questions: the stored list, or the default questions when unreadable;
- a schedule's questions: the stored list, or NULL (the defaults) when empty or unreadable;
  the column becomes nullable;
- a prompt's answers: NULL stays NULL (never answered, or erased); a list is kept, its items as
  text; anything else (unreadable) becomes an empty list.

PostgreSQL changes the column type (`USING col::json`); SQLite keeps its TEXT affinity, the batch
re-creates the tables with the JSON type declared.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002_json_columns"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here: the defaults as they were when this migration was written (models/vocab.py).
DEFAULT_QUESTIONS = [
    "What did you explore since the last stand-up?",
    "What will you explore next?",
    "Anything blocking you, or help you need?",
]


def _parse(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _questions(text: str | None) -> list[str] | None:
    value = _parse(text)
    if isinstance(value, list) and value and all(isinstance(q, str) for q in value):
        return value
    return None


def _answers(text: str | None) -> list[str] | None:
    if text is None:
        return None
    value = _parse(text)
    return [str(a) for a in value] if isinstance(value, list) else []


def _normalise(table: str, key: str, column: str, fix) -> None:
    """Rewrite each row's text as the JSON the new type reads (or NULL)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()
    for row_id, text in rows:
        value = fix(text)
        new = None if value is None else json.dumps(value)
        if new != text:
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE {key} = :id"), {"value": new, "id": row_id}
            )


def upgrade() -> None:
    with op.batch_alter_table("standup_schedules") as batch_op:
        batch_op.alter_column("questions", existing_type=sa.Text(), nullable=True)
    _normalise("standup_schedules", "group_id", "questions", _questions)
    _normalise("standup_runs", "id", "questions", lambda text: _questions(text) or DEFAULT_QUESTIONS)
    _normalise("standup_prompts", "id", "answers", _answers)
    for table, column, nullable in (
        ("standup_schedules", "questions", True),
        ("standup_runs", "questions", False),
        ("standup_prompts", "answers", True),
    ):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=nullable,
                postgresql_using=f"{column}::json",
            )  # fmt: skip


def downgrade() -> None:
    for table, column, nullable in (
        ("standup_schedules", "questions", True),
        ("standup_runs", "questions", False),
        ("standup_prompts", "answers", True),
    ):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=nullable,
                postgresql_using=f"{column}::text",
            )  # fmt: skip
    op.execute("UPDATE standup_schedules SET questions = '' WHERE questions IS NULL")
    with op.batch_alter_table("standup_schedules") as batch_op:
        batch_op.alter_column("questions", existing_type=sa.Text(), nullable=False)
