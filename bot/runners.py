"""Entry points: the whole bot, the clock process, migrations."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"spindle-bot: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _start(settings: Settings, *, apply_migrations: bool = True):
    from bot.app import build
    from bot.logs import configure_logging
    from bot.startup import StartError, database_step, exit_with, slack_step
    from models.db import Database, migrate

    configure_logging(settings.log_level, _secrets(settings))
    try:
        if apply_migrations:
            database_step(settings.database_url, lambda: migrate(settings.database_url))
        db = database_step(settings.database_url, lambda: Database(settings.database_url))
        # build() calls auth.test (Bolt checks the token), then seeds the coordinators.
        return slack_step(
            "SLACK_BOT_TOKEN",
            settings.slack_api_url,
            lambda: database_step(settings.database_url, lambda: build(settings, db=db)),
        )
    except StartError as exc:
        exit_with("cannot start", exc)


def _secrets(settings) -> list[str]:
    from sqlalchemy.engine import make_url

    password = make_url(settings.database_url).password
    tokens = [getattr(settings, name, None) or "" for name in ("bot_token", "signing_secret", "app_token")]
    return [*tokens, str(password or "")]


def run() -> None:
    """`python -m bot`: Socket Mode or HTTP, with the scheduler in-process unless turned off."""
    from bot.startup import StartError, exit_with

    settings = _settings_or_exit()
    runtime = _start(settings)
    try:
        serve = _socket_mode(runtime) if settings.socket_mode else _http(runtime)
    except StartError as exc:
        runtime.db.dispose()
        exit_with("cannot start", exc)
    scheduler = None
    if settings.scheduler:  # only once Slack can reach us: a start that fails sends nothing
        from bot.scheduler import make_scheduler

        scheduler = make_scheduler(runtime.deps, blocking=False)
        scheduler.start()
    try:
        serve()
    finally:
        if scheduler is not None:
            # wait=True lets a tick in progress finish its current message; what it did not reach,
            # the next tick (in this or another process) completes from the database.
            scheduler.shutdown(wait=True)
        runtime.executor.wait_idle(timeout=20)  # follow-ups after an ack (uploads, cards) finish
        runtime.executor.shutdown(wait=True)
        runtime.db.dispose()
        log.info("stopped")


def _socket_mode(runtime) -> Callable[[], None]:
    """Connects (or raises StartError); returns the loop that runs until SIGTERM."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.startup import SOCKET_MODE_LOGGERS, slack_step

    settings = runtime.settings
    handler = SocketModeHandler(runtime.app, settings.app_token)
    stop = threading.Event()

    def _graceful(signum, _frame):
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, _graceful)  # from here on a SIGTERM is a clean stop
    signal.signal(signal.SIGINT, _graceful)
    slack_step("SLACK_APP_TOKEN", settings.slack_api_url, handler.connect, SOCKET_MODE_LOGGERS)
    log.info("running in Socket Mode")

    def serve() -> None:
        stop.wait()
        handler.close()

    return serve


def _http(runtime) -> Callable[[], None]:
    """Binds PORT (or raises StartError); returns the loop that serves until SIGTERM."""
    from waitress.server import create_server

    from bot.startup import listen_step
    from bot.web import MAX_BODY_BYTES

    port = runtime.settings.port
    server = listen_step(
        port,
        lambda: create_server(
            runtime.wsgi,
            host="0.0.0.0",  # noqa: S104  (a server: Slack must reach it)
            port=port,
            threads=16,
            ident="spindle-bot",
            max_request_body_size=MAX_BODY_BYTES,  # refuse huge bodies before buffering them
        ),
    )
    stop = threading.Event()

    def _close(signum, _frame):
        log.info("stopping", extra={"signal": signum})
        stop.set()
        server.close()  # stop accepting; waitress finishes requests in flight

    signal.signal(signal.SIGTERM, _close)
    signal.signal(signal.SIGINT, _close)

    def serve() -> None:
        log.info("listening", extra={"port": port, "path": "/slack/events"})
        try:
            server.run()
        except (OSError, ValueError):
            if not stop.is_set():
                raise

    return serve


def clock() -> None:
    """The Procfile `clock` process: the scheduler alone."""
    settings = _settings_or_exit()
    runtime = _start(settings)
    from bot.scheduler import make_scheduler

    scheduler = make_scheduler(runtime.deps, blocking=True)

    def _graceful(signum, _frame):
        log.info("clock stopping", extra={"signal": signum})
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _graceful)
    signal.signal(signal.SIGINT, _graceful)
    log.info("clock running")
    scheduler.start()


def migrate_only() -> None:
    """The Procfile `release` step. It needs DATABASE_URL only: no Slack setting."""
    from bot.logs import configure_logging
    from bot.settings import load_database_settings
    from bot.startup import StartError, database_step, exit_with
    from models.db import migrate

    try:
        settings = load_database_settings()
    except SettingsError as exc:
        print(f"spindle-bot: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level, _secrets(settings))
    try:
        database_step(settings.database_url, lambda: migrate(settings.database_url))
    except StartError as exc:
        exit_with("cannot migrate", exc)
    print("spindle-bot: database is up to date", file=sys.stderr)
