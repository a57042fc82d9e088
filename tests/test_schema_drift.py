"""The models' metadata and the migrated schema agree (the search engine's own objects aside)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from models import metadata
from models.search import search_documents

ENGINE_OBJECTS = search_documents.info["engine_objects"]


def _include(engine_name: str):
    extra = set(ENGINE_OBJECTS.get(engine_name, []))

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and name and any(name == e or name.startswith(f"{e}_") for e in extra):
            return False  # the FTS5 table and its shadow tables
        if type_ == "column" and name in extra and obj.table.name == "search_documents":
            return False  # PostgreSQL's generated tsvector
        if type_ == "index" and name == "ix_search_documents_document":
            return False  # its GIN index
        return True

    return include


def test_metadata_matches_the_migrations(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_object": _include(engine.dialect.name)})
            diff = compare_metadata(ctx, metadata)
    finally:
        engine.dispose()
    assert diff == []
