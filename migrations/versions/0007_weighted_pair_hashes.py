"""phrase search on PostgreSQL: word pairs within one field, stored as 4-byte hashes

Revision ID: 0007_weighted_pair_hashes
Revises: 0006_search_pairs

0006's pairs ran across fields (a title's last word and its summary's first made a pair, which no
phrase may match: models/search.py asks each phrase within one weight), so a phrase's candidates
held rows without it, and each pair was a text of some 17 bytes: 242 MB for 100,000 innovations,
more than the documents. Now each pair is `weight a b` for two adjacent positions of the same
weight, hashed to an integer (the first 32 bits of its MD5: stable across PostgreSQL versions,
unlike hashtext). A collision only adds a candidate, which the phrase check on `document` drops.
SQLite needs none of it: FTS5 keeps positions in its index.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0007_weighted_pair_hashes"
down_revision = "0006_search_pairs"
branch_labels = None
depends_on = None

_PAIRS = """CREATE FUNCTION spindle_pairs(doc tsvector) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT spindle_pair_hash(a.weight || ' ' || a.lexeme || ' ' || b.lexeme)), '{}')
    FROM (SELECT lexeme, pos, weight FROM unnest(doc), unnest(positions, weights) AS p(pos, weight)) AS a
    JOIN (SELECT lexeme, pos, weight FROM unnest(doc), unnest(positions, weights) AS p(pos, weight)) AS b
        ON b.pos = a.pos + 1 AND b.weight = a.weight
$$"""

_INDEX = "CREATE INDEX ix_search_pairs_pairs ON search_pairs USING gin (pairs)"
_FILL = "INSERT INTO search_pairs (innovation_id, pairs) SELECT innovation_id, spindle_pairs(document) FROM search_documents"

PG_UP = [
    "DROP INDEX ix_search_pairs_pairs",
    "TRUNCATE search_pairs",
    "ALTER TABLE search_pairs ALTER COLUMN pairs TYPE integer[] USING '{}'",
    "DROP FUNCTION spindle_phrase_pairs(text[])",
    "DROP FUNCTION spindle_pairs(tsvector)",
    """CREATE FUNCTION spindle_pair_hash(pair text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ('x' || left(md5(pair), 8))::bit(32)::integer
    $$""",
    _PAIRS,
    # A phrase's pairs as they would be in a field of that weight, tokenized as the documents are.
    """CREATE FUNCTION spindle_phrase_pairs(phrase text, weight "char") RETURNS integer[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT spindle_pairs(setweight(to_tsvector('spindle', regexp_replace(phrase, '[^[:alnum:]]+', ' ', 'g')), weight))
    $$""",
    _FILL,
    _INDEX,
]


def _previous():
    """0006's own statements, to go back to exactly what it made."""
    path = Path(__file__).with_name("0006_search_pairs.py")
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    previous = _previous()
    op.execute("DROP INDEX ix_search_pairs_pairs")
    op.execute("TRUNCATE search_pairs")
    op.execute("ALTER TABLE search_pairs ALTER COLUMN pairs TYPE text[] USING '{}'")
    op.execute('DROP FUNCTION spindle_phrase_pairs(text, "char")')
    op.execute("DROP FUNCTION spindle_pairs(tsvector)")
    op.execute("DROP FUNCTION spindle_pair_hash(text)")
    # 0006's functions, then its pairs (the same fill, with its own function), then the index.
    for statement in (s for s in previous.PG_UP if s.startswith("CREATE FUNCTION spindle_")):
        op.execute(statement)
    op.execute(_FILL)
    op.execute(_INDEX)
