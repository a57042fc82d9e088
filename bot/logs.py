"""Structured (JSON-lines) logging that never prints a token or a secret, and at INFO no noise and
no text that people wrote (SPEC *Privacy*)."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

TOKEN_RE = re.compile(r"\b(xox[abposre]-|xapp-)[A-Za-z0-9-]+")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

Match = Callable[[logging.LogRecord], bool]


def _always(_record: logging.LogRecord) -> bool:
    return True


# Library lines that are noise at every start or tick, or that carry what people wrote. They are
# not dropped but demoted to DEBUG, so LOG_LEVEL=DEBUG still shows them. (logger, up to level, match)
DEMOTED: tuple[tuple[str, int, Match], ...] = (
    # seven "setup plugin …" lines at every start
    ("alembic.runtime.plugins", logging.INFO, _always),
    # "Context impl SQLiteImpl.", "Will assume …" at every start; "Running upgrade …" stays
    ("alembic.runtime.migration", logging.INFO, lambda r: not str(r.msg).startswith("Running ")),
    # "Running job …" and "Job … executed successfully" at every 30-second tick
    ("apscheduler.executors", logging.INFO, _always),
    ("apscheduler.scheduler", logging.INFO, lambda r: str(r.msg).startswith("Adding job tentatively")),
    # Bolt reads SLACK_BOT_TOKEN from the environment itself, then warns that our client wins
    ("slack_bolt", logging.WARNING, lambda r: str(r.msg).startswith("As you gave `client`")),
    # the raw body of a request whose signature does not verify
    ("slack_bolt.RequestVerification", logging.INFO, _always),
    # our own replies (which may quote what a person typed) when an ack is not 200; the Socket
    # Mode client logs through the app's logger ("slack_bolt") or its own
    ("slack_bolt", logging.INFO, lambda r: str(r.msg).startswith("Unsuccessful Bolt execution")),
    ("slack_sdk.socket_mode", logging.INFO, lambda r: str(r.msg).startswith("Unsuccessful Bolt execution")),
)


class Redactor:
    """Masks Slack tokens by shape and every configured secret by value."""

    def __init__(self, secrets: list[str]):
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def __call__(self, text: str) -> str:
        text = TOKEN_RE.sub(lambda m: m.group(1) + "***", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor):
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def _demote(record: logging.LogRecord) -> None:
    record.levelno, record.levelname = logging.DEBUG, "DEBUG"


class DemoteFilter(logging.Filter):
    """On the handler: the DEMOTED library lines become DEBUG records, kept only at LOG_LEVEL=DEBUG.

    The handler's own level is checked before its filters, so this filter drops what it demotes
    below that level itself."""

    def __init__(self, level: int, rules=DEMOTED):
        super().__init__()
        self.level = level
        self.rules = rules

    def filter(self, record: logging.LogRecord) -> bool:
        for name, up_to, match in self.rules:
            if (
                (record.name == name or record.name.startswith(name + "."))
                and record.levelno <= up_to
                and match(record)
            ):
                _demote(record)
                return self.level <= logging.DEBUG
        return True


class _DemoteAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.CRITICAL:
            _demote(record)
        return True


@contextmanager
def quiet(*logger_names: str) -> Iterator[None]:
    """While a start checks Slack, the SDK's own error lines (one per retry) become DEBUG: a failed
    start is told once, in the line bot/startup.py prints. Loggers' filters see only their own
    records, so name the exact loggers; the handler's level then drops the demoted lines."""
    loggers = [logging.getLogger(name) for name in logger_names]
    demote = _DemoteAll()
    for logger in loggers:
        logger.addFilter(demote)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(demote)


def configure_logging(level: str, secrets: list[str], stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(Redactor(secrets)))
    handler.setLevel(level)  # records demoted to DEBUG after the root's level check stop here
    handler.addFilter(DemoteFilter(handler.level))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # SQL statements at DEBUG would flood the log; ask for them explicitly if needed.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
