"""Entry points: the whole bot, the clock process, migrations."""

from __future__ import annotations

import logging
import signal
import sys
import threading

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
    from models.db import migrate

    configure_logging(settings.log_level, _secrets(settings))
    try:
        if apply_migrations:
            migrate(settings.database_url)
        return build(settings)
    except Exception as exc:  # the one line a person needs, not a traceback
        log.debug("start failed", exc_info=True)
        print(f"spindle-bot: cannot start: {_describe(exc)}", file=sys.stderr)
        raise SystemExit(1) from None


def _secrets(settings: Settings) -> list[str]:
    from sqlalchemy.engine import make_url

    password = make_url(settings.database_url).password
    return [settings.bot_token, settings.signing_secret or "", settings.app_token or "", str(password or "")]


def _describe(exc: Exception) -> str:
    from slack_bolt.error import BoltError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.logs import Redactor

    if isinstance(exc, SQLAlchemyError):
        return "the database at DATABASE_URL cannot be reached or migrated (" + type(exc).__name__ + ")"
    if isinstance(exc, BoltError):
        return "Slack did not accept SLACK_BOT_TOKEN (check the token and SLACK_API_URL): " + Redactor([])(str(exc))[:200]
    return Redactor([])(f"{type(exc).__name__}: {exc}")[:300]


def run() -> None:
    """`python -m bot`: Socket Mode or HTTP, with the scheduler in-process unless turned off."""
    settings = _settings_or_exit()
    runtime = _start(settings)
    scheduler = None
    if settings.scheduler:
        from bot.scheduler import make_scheduler

        scheduler = make_scheduler(runtime.deps, blocking=False)
        scheduler.start()
    stop = threading.Event()

    def _graceful(signum, _frame):
        log.info("stopping", extra={"signal": signum})
        stop.set()

    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(runtime.app, settings.app_token)
            handler.connect()
            log.info("running in Socket Mode")
            signal.signal(signal.SIGTERM, _graceful)
            signal.signal(signal.SIGINT, _graceful)
            stop.wait()
            handler.close()
        else:
            from waitress.server import create_server

            from bot.web import MAX_BODY_BYTES

            server = create_server(
                runtime.wsgi,
                host="0.0.0.0",  # noqa: S104  (a server: Slack must reach it)
                port=settings.port,
                threads=16,
                ident="spindle-bot",
                max_request_body_size=MAX_BODY_BYTES,  # refuse huge bodies before buffering them
            )

            def _close(signum, _frame):
                _graceful(signum, _frame)
                server.close()  # stop accepting; waitress finishes requests in flight

            signal.signal(signal.SIGTERM, _close)
            signal.signal(signal.SIGINT, _close)
            log.info("listening", extra={"port": settings.port, "path": "/slack/events"})
            try:
                server.run()
            except (OSError, ValueError):
                if not stop.is_set():
                    raise
    finally:
        if scheduler is not None:
            # wait=True lets a tick in progress finish its current message; what it did not reach,
            # the next tick (in this or another process) completes from the database.
            scheduler.shutdown(wait=True)
        runtime.executor.wait_idle(timeout=20)  # follow-ups after an ack (uploads, cards) finish
        runtime.executor.shutdown(wait=True)
        runtime.db.dispose()
        log.info("stopped")


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
    """The Procfile `release` step."""
    settings = _settings_or_exit()
    from bot.logs import configure_logging
    from models.db import migrate

    configure_logging(settings.log_level, _secrets(settings))
    try:
        migrate(settings.database_url)
    except Exception as exc:
        print(f"spindle-bot: cannot migrate: {_describe(exc)}", file=sys.stderr)
        raise SystemExit(1) from None
    print("spindle-bot: database is up to date", file=sys.stderr)
