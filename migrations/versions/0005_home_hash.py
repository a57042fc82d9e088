"""home hash: the views.publish hash of the last Home tab published for each person, and the
indexes that keep the Home's queries off the innovation rows

Revision ID: 0005_home_hash
Revises: 0004_languages

Slack answers views.publish with the view's `hash`; passing it with the next publish makes Slack
refuse (hash_conflict) a Home built from older data than the one it shows. Keyed by the Slack user
id (no foreign key: someone the bot has not met has a Home too); one small row per person.
The indexes: innovations per group and stage (counted from the index), a group's most recently
updated, and the newest logged (New across the network), each without a scan of the table.
"""

from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime


revision = "0005_home_hash"
down_revision = "0004_languages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_views",
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_home_views"),
    )
    op.create_index("ix_innovations_group_stage", "innovations", ["group_id", "stage"])
    op.create_index("ix_innovations_group_updated", "innovations", ["group_id", "updated_at", "id"])
    op.create_index("ix_innovations_logged_at_id", "innovations", ["logged_at", "id"])


def downgrade() -> None:
    for name in ("ix_innovations_logged_at_id", "ix_innovations_group_updated", "ix_innovations_group_stage"):
        op.drop_index(name, table_name="innovations")
    op.drop_table("home_views")
