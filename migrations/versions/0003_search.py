"""full-text search: one document per innovation, kept current by the database itself

Revision ID: 0003_search
Revises: 0002_json_columns

Every innovation has a row in `search_documents` (title / summary / the rest: tags,
organisations, safeguards, notes), rebuilt by triggers whenever an innovation, its notes or its
organisations change — whatever wrote the change (the app's ORM, a Core bulk statement, the
import, psql). The engines index that table:

- PostgreSQL: a generated, weighted tsvector (title A, summary B, rest C) with a GIN index,
  under the `spindle` text search configuration: the `simple` dictionary after `unaccent`.
  No stemming: the text is mixed Dutch and English, a stemmer for one language mangles the other,
  and SQLite's FTS5 has no Dutch stemmer, so both databases match the same words.
  Punctuation becomes spaces first, so `data-ethics` and `example.com` split into words the
  way FTS5's unicode61 tokenizer splits them.
- SQLite: an FTS5 external-content table over `search_documents`, tokenized with
  `unicode61 remove_diacritics 2`, synced by triggers on `search_documents`.

The SQL lives here, not in models/, so this migration keeps meaning what it meant when written.
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_search"
down_revision = "0002_json_columns"
branch_labels = None
depends_on = None

# The document of one innovation, as a SELECT over `innovations i` (each dialect adds its WHERE).
_REST_SQLITE = """
    trim(replace(i.tags, ',', ' ') || ' ' ||
         coalesce((SELECT group_concat(name, ' ') FROM (SELECT o.name FROM innovation_organisations io
                   JOIN organisations o ON o.id = io.organisation_id WHERE io.innovation_id = i.id
                   ORDER BY o.name)), '') || ' ' ||
         i.safeguards || ' ' ||
         coalesce((SELECT group_concat(text, ' ') FROM (SELECT n.text FROM innovation_notes n
                   WHERE n.innovation_id = i.id ORDER BY n.id)), ''))
"""
_REST_PG = """
    concat_ws(' ', replace(i.tags, ',', ' '),
              (SELECT string_agg(o.name, ' ' ORDER BY o.name) FROM innovation_organisations io
               JOIN organisations o ON o.id = io.organisation_id WHERE io.innovation_id = i.id),
              i.safeguards,
              (SELECT string_agg(n.text, ' ' ORDER BY n.id) FROM innovation_notes n WHERE n.innovation_id = i.id))
"""


def _weighted(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('spindle', regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g')), '{weight}')"


PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION spindle (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION spindle ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, "
    "numhword, hword_asciipart, hword_part, hword_numpart WITH unaccent, simple",
    f"""ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS
        ({_weighted("title", "A")} || {_weighted("summary", "B")} || {_weighted("rest", "C")}) STORED""",
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
    f"""CREATE FUNCTION search_document_refresh(target integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO search_documents (innovation_id, title, summary, rest)
        SELECT i.id, i.title, i.summary, {_REST_PG} FROM innovations i WHERE i.id = target
        ON CONFLICT (innovation_id) DO UPDATE
            SET title = EXCLUDED.title, summary = EXCLUDED.summary, rest = EXCLUDED.rest
    $$""",
    """CREATE FUNCTION search_documents_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'innovations' THEN
            PERFORM search_document_refresh(NEW.id);
        ELSIF TG_TABLE_NAME = 'organisations' THEN
            PERFORM search_document_refresh(io.innovation_id)
               FROM innovation_organisations io WHERE io.organisation_id = NEW.id;
        ELSE
            IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM search_document_refresh(NEW.innovation_id); END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM search_document_refresh(OLD.innovation_id); END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_innovations AFTER INSERT OR UPDATE OF title, summary, tags, safeguards
       ON innovations FOR EACH ROW EXECUTE FUNCTION search_documents_follow()""",
    """CREATE TRIGGER search_notes AFTER INSERT OR UPDATE OR DELETE
       ON innovation_notes FOR EACH ROW EXECUTE FUNCTION search_documents_follow()""",
    """CREATE TRIGGER search_innovation_organisations AFTER INSERT OR UPDATE OR DELETE
       ON innovation_organisations FOR EACH ROW EXECUTE FUNCTION search_documents_follow()""",
    """CREATE TRIGGER search_organisations AFTER UPDATE OF name
       ON organisations FOR EACH ROW EXECUTE FUNCTION search_documents_follow()""",
    f"""INSERT INTO search_documents (innovation_id, title, summary, rest)
        SELECT i.id, i.title, i.summary, {_REST_PG} FROM innovations i""",
]
PG_DOWN = [
    "DROP TRIGGER search_organisations ON organisations",
    "DROP TRIGGER search_innovation_organisations ON innovation_organisations",
    "DROP TRIGGER search_notes ON innovation_notes",
    "DROP TRIGGER search_innovations ON innovations",
    "DROP FUNCTION search_documents_follow()",
    "DROP FUNCTION search_document_refresh(integer)",
    "ALTER TABLE search_documents DROP COLUMN document",  # it (and its index) depends on the configuration
    "DROP TEXT SEARCH CONFIGURATION spindle",
]


def _sqlite_refresh(where: str, joins: str = "") -> str:
    # An upsert, not INSERT OR REPLACE: REPLACE deletes without firing the delete trigger that
    # keeps the FTS5 index in step. (`WHERE true` tells SQLite's parser the ON CONFLICT is an upsert.)
    return f"""INSERT INTO search_documents (innovation_id, title, summary, rest)
        SELECT i.id, i.title, i.summary, {_REST_SQLITE} FROM innovations i {joins} WHERE {where}
        ON CONFLICT (innovation_id) DO UPDATE
            SET title = excluded.title, summary = excluded.summary, rest = excluded.rest;"""


SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, rest, content='search_documents',
       content_rowid='innovation_id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts (rowid, title, summary, rest) VALUES (NEW.innovation_id, NEW.title, NEW.summary, NEW.rest);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, summary, rest)
        VALUES ('delete', OLD.innovation_id, OLD.title, OLD.summary, OLD.rest);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, summary, rest)
        VALUES ('delete', OLD.innovation_id, OLD.title, OLD.summary, OLD.rest);
        INSERT INTO search_fts (rowid, title, summary, rest) VALUES (NEW.innovation_id, NEW.title, NEW.summary, NEW.rest);
    END""",
    f"CREATE TRIGGER search_innovations_insert AFTER INSERT ON innovations BEGIN {_sqlite_refresh('i.id = NEW.id')} END",
    f"""CREATE TRIGGER search_innovations_update AFTER UPDATE OF title, summary, tags, safeguards ON innovations
        BEGIN {_sqlite_refresh('i.id = NEW.id')} END""",
    # Explicit, not left to ON DELETE CASCADE: that needs PRAGMA foreign_keys on every connection.
    """CREATE TRIGGER search_innovations_delete AFTER DELETE ON innovations BEGIN
        DELETE FROM search_documents WHERE innovation_id = OLD.id;
    END""",
    f"CREATE TRIGGER search_notes_insert AFTER INSERT ON innovation_notes BEGIN {_sqlite_refresh('i.id = NEW.innovation_id')} END",
    f"""CREATE TRIGGER search_notes_update AFTER UPDATE ON innovation_notes
        BEGIN {_sqlite_refresh('i.id = OLD.innovation_id')} {_sqlite_refresh('i.id = NEW.innovation_id')} END""",
    f"CREATE TRIGGER search_notes_delete AFTER DELETE ON innovation_notes BEGIN {_sqlite_refresh('i.id = OLD.innovation_id')} END",
    f"""CREATE TRIGGER search_innovation_organisations_insert AFTER INSERT ON innovation_organisations
        BEGIN {_sqlite_refresh('i.id = NEW.innovation_id')} END""",
    f"""CREATE TRIGGER search_innovation_organisations_update AFTER UPDATE ON innovation_organisations
        BEGIN {_sqlite_refresh('i.id = OLD.innovation_id')} {_sqlite_refresh('i.id = NEW.innovation_id')} END""",
    f"""CREATE TRIGGER search_innovation_organisations_delete AFTER DELETE ON innovation_organisations
        BEGIN {_sqlite_refresh('i.id = OLD.innovation_id')} END""",
    f"""CREATE TRIGGER search_organisations_update AFTER UPDATE OF name ON organisations BEGIN
        {_sqlite_refresh("link.organisation_id = NEW.id",
                         "JOIN innovation_organisations link ON link.innovation_id = i.id")}
    END""",
    f"""INSERT INTO search_documents (innovation_id, title, summary, rest)
        SELECT i.id, i.title, i.summary, {_REST_SQLITE} FROM innovations i""",
]
SQLITE_TRIGGERS = [
    "search_organisations_update", "search_innovation_organisations_delete", "search_innovation_organisations_update",
    "search_innovation_organisations_insert", "search_notes_delete", "search_notes_update", "search_notes_insert",
    "search_innovations_delete", "search_innovations_update", "search_innovations_insert",
    "search_fts_update", "search_fts_delete", "search_fts_insert",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("innovation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("rest", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["innovation_id"], ["innovations.id"],
                                name=op.f("fk_search_documents_innovation_id_innovations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("innovation_id", name=op.f("pk_search_documents")),
    )
    bind = op.get_bind()
    statements = PG_UP if bind.dialect.name == "postgresql" else SQLITE_UP
    for statement in statements:
        if "WITH unaccent" in statement:
            # The extension may live in another schema than ours (it is per database): name it.
            schema = bind.execute(
                sa.text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                    " WHERE e.extname = 'unaccent'"
                )
            ).scalar_one()
            statement = statement.replace("WITH unaccent", f'WITH "{schema}".unaccent')
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_documents")
