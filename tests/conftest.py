"""The suite's fixtures: one fake Slack, one bot on a real HTTP port, a clean database per test.

The database is SQLite in a temporary folder, or PostgreSQL when SPINDLE_TEST_DATABASE_URL is
set (CI runs the suite both ways). Each run starts from an empty schema built by the migrations.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.app import Runtime, build
from bot.settings import load_settings
from models import metadata
from models.clock import FakeClock
from models.db import Database, migrate
from tests.fakeslack import FakeSlack
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, SlackDriver

COORDINATOR = "UCOORD"
START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("SPINDLE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'spindle-test.db'}"
    db = Database(url)
    with db.engine.begin() as conn:  # a clean schema for every run
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_url(database_url) -> str:
    migrate(database_url)
    return database_url


@pytest.fixture(scope="session")
def fake_slack():
    fake = FakeSlack()
    yield fake
    fake.close()


def bot_env(fake: FakeSlack, url: str, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url,
        "SPINDLE_COORDINATORS": COORDINATOR,
        "SPINDLE_TIMEZONE": "Europe/Amsterdam",
        "SPINDLE_SCHEDULER": "off",
        # The suite's clock stands still, so one shared limiter would carry commands across tests;
        # tests of the limit install their own (tests/test_abuse.py).
        "SPINDLE_RATE_LIMIT": "0",
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(scope="session")
def runtime(migrated_url, fake_slack, clock) -> Runtime:
    settings = load_settings(bot_env(fake_slack, migrated_url))
    return build(settings, clock=clock)


@pytest.fixture(scope="session")
def app_url(runtime):
    from waitress.server import create_server

    server = create_server(runtime.wsgi, host="127.0.0.1", port=0, threads=16, ident="spindle-test")
    thread = threading.Thread(target=server.run, name="bot-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def db(runtime) -> Database:
    return runtime.db


def wipe(db: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def _clean(request):
    """Tests that use the bot start from an empty database, a quiet fake Slack and the same clock."""
    if not {"slack", "runtime", "db", "app_url"} & set(request.fixturenames):
        yield
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    fake: FakeSlack = request.getfixturevalue("fake_slack")
    clock: FakeClock = request.getfixturevalue("clock")
    runtime.executor.wait_idle(10)
    wipe(runtime.db)
    fake.reset()
    clock.set(START)
    from models.people import seed_coordinators

    with runtime.db.transaction() as session:
        seed_coordinators(session, [COORDINATOR], clock.now())
    yield
    runtime.executor.wait_idle(10)


@pytest.fixture
def slack(app_url, fake_slack, runtime) -> SlackDriver:
    return SlackDriver(app_url, fake_slack, runtime.executor.wait_idle)
