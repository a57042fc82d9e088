"""Settings from the environment and `.env` (the real environment wins)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

from models.vocab import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///spindle.db"
SLACK_API_DEFAULT = "https://slack.com/api/"
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,30}$")


class SettingsError(Exception):
    """One setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)
    signing_secret: str | None = field(repr=False)
    app_token: str | None = field(repr=False)
    slack_api_url: str
    database_url: str = field(repr=False)
    port: int
    coordinators: tuple[str, ...]
    timezone: str
    scheduler: bool
    language: str = "en"  # SPINDLE_LANGUAGE: `en` or `nl`
    log_level: str = "INFO"
    rate_limit: int = 20  # /spindle commands per person per minute, per process; 0: no limit

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


def _environment(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    if environ is not None:
        return dict(environ)
    merged: dict[str, str] = {}
    path = env_file or ROOT / ".env"
    if path.exists():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(os.environ)  # the real environment wins over .env
    return merged


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    env = _environment(environ, env_file)

    def get(name: str) -> str:
        return env.get(name, "").strip()

    bot_token = get("SLACK_BOT_TOKEN")
    if not bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is required: the bot token (xoxb-…) from your Slack app's OAuth page.")
    if not bot_token.startswith("xox"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")

    app_token = get("SLACK_APP_TOKEN") or None
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with xapp- (or be unset for HTTP mode)."
        )

    signing_secret = get("SLACK_SIGNING_SECRET") or None
    if not app_token and not signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is required in HTTP mode: the signing secret from your Slack app's Basic Information page."
        )

    api_url = get("SLACK_API_URL") or SLACK_API_DEFAULT
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, like {SLACK_API_DEFAULT}.")
    if not api_url.endswith("/"):
        api_url += "/"

    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise SettingsError("PORT must be a number from 1 to 65535.")

    coordinators = tuple(c.strip() for c in get("SPINDLE_COORDINATORS").split(",") if c.strip())
    for user_id in coordinators:
        if not USER_ID_RE.match(user_id):
            raise SettingsError(
                f"SPINDLE_COORDINATORS must be comma-separated Slack user IDs like U012AB3CD; {user_id[:40]!r} is not one."
            )

    timezone = get("SPINDLE_TIMEZONE") or "Europe/Amsterdam"
    try:
        ZoneInfo(timezone)
    except Exception:
        raise SettingsError(
            f"SPINDLE_TIMEZONE must be an IANA time zone like Europe/Amsterdam; {timezone[:60]!r} is not one."
        ) from None

    language = (get("SPINDLE_LANGUAGE") or "en").lower()
    if language not in LANGUAGES:
        raise SettingsError("SPINDLE_LANGUAGE must be en (English) or nl (Dutch).")

    scheduler_text = (get("SPINDLE_SCHEDULER") or "on").lower()
    if scheduler_text not in ("on", "off"):
        raise SettingsError("SPINDLE_SCHEDULER must be on or off.")

    log_level = _log_level(env)

    rate_text = get("SPINDLE_RATE_LIMIT") or "20"
    if not rate_text.isdigit() or int(rate_text) > 10_000:
        raise SettingsError(
            "SPINDLE_RATE_LIMIT must be a whole number of commands per person per minute (0: no limit)."
        )

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url_from(env),
        port=int(port_text),
        coordinators=coordinators,
        timezone=timezone,
        scheduler=scheduler_text == "on",
        language=language,
        log_level=log_level,
        rate_limit=int(rate_text),
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """What the tools that touch only the database need (`python -m bot migrate`): no Slack setting."""

    database_url: str = field(repr=False)
    log_level: str = "INFO"


def load_database_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> DatabaseSettings:
    env = _environment(environ, env_file)
    return DatabaseSettings(database_url=database_url_from(env), log_level=_log_level(env))


def _log_level(env: Mapping[str, str]) -> str:
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
    return log_level


def database_url_from(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    # Heroku-style URLs name the old scheme and no driver; we use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    if not re.match(r"^[a-z0-9+]+://", url):
        raise SettingsError(
            "DATABASE_URL must be an SQLAlchemy URL like sqlite:///spindle.db or postgresql+psycopg://…"
        )
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise SettingsError("DATABASE_URL must point at SQLite or PostgreSQL.")
    return url


def database_url_from_env() -> str:
    return database_url_from(_environment(None, None))


def environment() -> dict[str, str]:
    """The environment as the bot sees it: `.env` beside the code, the real environment winning."""
    return _environment(None, None)
