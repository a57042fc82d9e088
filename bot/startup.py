"""Why a start failed, in one line that names the setting to fix: never a traceback.

Each step of a start (the database, Slack with the bot token, the port or the Socket Mode
connection) turns its failure into a StartError whose message is that line; the runners print it
and exit non-zero. The full exception is still logged at DEBUG.
"""

from __future__ import annotations

import errno
import logging
import re
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
ERROR_CODE_RE = re.compile(r"[a-z0-9_]{1,60}")

# Slack's answers that mean "this token is not accepted", as opposed to "Slack is having trouble".
REFUSED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "missing_scope",
    "no_permission",
    "team_access_not_granted",
}
# The loggers that log every failed attempt of a start's first call to Slack at ERROR: the Web API
# client's (auth.test), and for Socket Mode the socket client's, which logs through the app's
# logger ("slack_bolt") or its own. Only the attempt's own lines are quietened, only while it runs.
WEB_API_LOGGERS = ("slack_sdk.web.base_client",)
SOCKET_MODE_LOGGERS = (
    *WEB_API_LOGGERS,
    "slack_bolt",
    "slack_sdk.socket_mode.client",
    "slack_sdk.socket_mode.builtin.client",
)


class StartError(Exception):
    """The start cannot go on; str() is the one line a person reads."""


def exit_with(prefix: str, exc: StartError) -> NoReturn:
    log.debug("start failed", exc_info=exc.__cause__ or exc)
    print(f"spindle-bot: {prefix}: {exc}", file=sys.stderr)
    raise SystemExit(1) from None


def masked_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable URL)"


def database_step(url: str, step: Callable[[], T]) -> T:
    """Runs step(); a database that cannot be reached or migrated names DATABASE_URL, password masked."""
    from alembic.util.exc import CommandError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.logs import Redactor
    from models.errors import Unavailable

    try:
        return step()
    except (SQLAlchemyError, Unavailable, CommandError) as exc:  # CommandError: a revision this code lacks
        orig = getattr(exc, "orig", None) or exc.__cause__ or exc
        reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        password = make_url(url).password if "://" in url else None
        reason = Redactor([str(password)] if password else [])(reason)[:200]
        raise StartError(
            f"the database at DATABASE_URL ({masked_url(url)}) cannot be reached or migrated: {reason}"
        ) from exc


def _slack_cause(exc: BaseException) -> BaseException:
    """Bolt wraps a refused auth.test in a BoltError; the SDK's own error is in the chain."""
    from slack_sdk.errors import SlackApiError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (SlackApiError, OSError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def slack_step(setting: str, api_url: str, step: Callable[[], T], loggers: tuple[str, ...] = WEB_API_LOGGERS) -> T:
    """Runs step() (the first call to Slack with the token named by `setting`), quietly: its
    failure is told once, naming SLACK_API_URL when Slack is not there and `setting` when it says no."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.logs import Redactor, quiet

    try:
        with quiet(*loggers):
            return step()
    except (BoltError, SlackClientError, OSError, ValueError) as exc:
        cause = _slack_cause(exc)
        if isinstance(cause, SlackApiError):
            data = cause.response.data if isinstance(cause.response.data, dict) else {}
            error = str(data.get("error") or "")
            if error in REFUSED:
                raise StartError(f"Slack refused {setting} ({error}); {_where(setting)}") from exc
            # an error code from Slack, or (a wrong URL) some web page that is not the Web API
            said = (
                error
                if ERROR_CODE_RE.fullmatch(error)
                else f"HTTP {cause.response.status_code}, not like Slack's Web API"
            )
            raise StartError(f"Slack at SLACK_API_URL ({api_url}) answered {said}; check SLACK_API_URL") from exc
        reason = Redactor([])(str(getattr(cause, "reason", None) or cause) or type(cause).__name__)[:160]
        raise StartError(f"Slack could not be reached at SLACK_API_URL ({api_url}): {reason}") from exc


def _where(setting: str) -> str:
    if setting == "SLACK_APP_TOKEN":
        return "use an app-level token (xapp-…) with the connections:write scope, from Basic Information → App-Level Tokens"
    return "use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app"


def listen_step(port: int, step: Callable[[], T]) -> T:
    """Runs step() (binding the HTTP port); a taken or forbidden port names PORT."""
    try:
        return step()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartError(
                f"PORT {port} is already in use; stop what listens there or set PORT to a free port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise StartError(f"PORT {port} may not be used by this user; set PORT to a port above 1023") from exc
        raise StartError(f"cannot listen on PORT {port}: {exc.strerror or exc}") from exc
