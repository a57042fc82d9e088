"""Alembic environment: the URL comes from the caller or from DATABASE_URL (with .env)."""

from alembic import context
from sqlalchemy import create_engine, pool

import models

config = context.config
target_metadata = models.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from bot.settings import database_url_from_env

    return database_url_from_env()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
