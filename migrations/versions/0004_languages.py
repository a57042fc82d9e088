"""languages: a member's own choice and Slack locale, a group's language for its channel posts

Revision ID: 0004_languages
Revises: 0003_search

All three are empty until someone chooses (or Slack tells us a locale); empty means "the default":
for a member, Dutch when the Slack locale is nl-*, else SPINDLE_LANGUAGE; for a group,
SPINDLE_LANGUAGE. Codes are `en` or `nl`.
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_languages"
down_revision = "0003_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(16), nullable=True))
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("locale")
        batch.drop_column("language")
