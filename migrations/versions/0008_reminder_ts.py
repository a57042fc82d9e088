"""the stand-up reminder's message: where it is, so an answer can update it as it does the prompt

Revision ID: 0008_reminder_ts
Revises: 0007_weighted_pair_hashes

A reminder is a direct message of its own with an `Answer` button. Without its ts, answering
updated only the first prompt to "answered", and the reminder kept offering `Answer`.
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_reminder_ts"
down_revision = "0007_weighted_pair_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standup_prompts") as batch:
        batch.add_column(sa.Column("reminder_ts", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standup_prompts") as batch:
        batch.drop_column("reminder_ts")
