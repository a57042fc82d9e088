"""phrase search on PostgreSQL: each document's adjacent word pairs, indexed

Revision ID: 0006_search_pairs
Revises: 0005_home_hash

PostgreSQL's GIN index on `search_documents.document` knows which words a document has, not where:
a phrase (`'open' <-> 'data'`) was checked by reading every row with all its words from the heap
(16,000 rows for "a for" at 100,000 innovations, 814 of them with the phrase), and the planner,
guessing the phrase as often as the words together, walked the id index over the whole table.
`search_pairs` holds each document's adjacent lexeme pairs (`open data`), taken from the
document's own positions, so they are adjacent exactly when `<->` says so, with a GIN index: a
phrase reads only the rows that have all its pairs (models/search.py, _PG_PAIRS), and the pairs'
statistics give the planner the right count. A table of its own, not a column of
search_documents: the rows the other searches read stay as narrow as they were.

A trigger on search_documents keeps it current, so it follows every change that table follows
(log, edit, note, organisation, forget-me, import); a deleted document's pairs go by cascade.
SQLite needs none of it: FTS5 keeps positions in its index.
"""

from alembic import op


revision = "0006_search_pairs"
down_revision = "0005_home_hash"
branch_labels = None
depends_on = None

PG_UP = [
    # Pairs (a at p, b at p + 1) from the tsvector's positions: the same adjacency `<->` checks.
    """CREATE FUNCTION spindle_pairs(doc tsvector) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
        FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(doc)) AS a
        JOIN (SELECT lexeme, unnest(positions) AS pos FROM unnest(doc)) AS b ON b.pos = a.pos + 1
    $$""",
    # A query's phrases to their pairs, tokenized as the documents are (0003_search._weighted).
    """CREATE FUNCTION spindle_phrase_pairs(phrases text[]) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(pair), '{}') FROM unnest(phrases) AS phrase,
            unnest(spindle_pairs(to_tsvector('spindle', regexp_replace(phrase, '[^[:alnum:]]+', ' ', 'g')))) AS pair
    $$""",
    """CREATE TABLE search_pairs (
        innovation_id integer NOT NULL CONSTRAINT pk_search_pairs PRIMARY KEY
            CONSTRAINT fk_search_pairs_innovation_id_search_documents
            REFERENCES search_documents (innovation_id) ON DELETE CASCADE,
        pairs text[] NOT NULL
    )""",
    "CREATE INDEX ix_search_pairs_pairs ON search_pairs USING gin (pairs)",
    """CREATE FUNCTION search_pairs_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_pairs (innovation_id, pairs) VALUES (NEW.innovation_id, spindle_pairs(NEW.document))
        ON CONFLICT (innovation_id) DO UPDATE SET pairs = EXCLUDED.pairs;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_pairs_insert AFTER INSERT ON search_documents
       FOR EACH ROW EXECUTE FUNCTION search_pairs_follow()""",
    # The refresh rewrites a document on every change of its innovation: skip unchanged words.
    """CREATE TRIGGER search_pairs_update AFTER UPDATE ON search_documents
       FOR EACH ROW WHEN (OLD.document IS DISTINCT FROM NEW.document) EXECUTE FUNCTION search_pairs_follow()""",
    "INSERT INTO search_pairs (innovation_id, pairs) SELECT innovation_id, spindle_pairs(document) FROM search_documents",
]
PG_DOWN = [
    "DROP TRIGGER search_pairs_update ON search_documents",
    "DROP TRIGGER search_pairs_insert ON search_documents",
    "DROP FUNCTION search_pairs_follow()",
    "DROP TABLE search_pairs",
    "DROP FUNCTION spindle_phrase_pairs(text[])",
    "DROP FUNCTION spindle_pairs(tsvector)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
