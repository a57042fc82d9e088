"""Tokens and secrets never reach the logs, even at DEBUG through errors, 429s and failures."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import configure_logging
from tests.conftest import COORDINATOR
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET

SECRETS = (BOT_TOKEN, SIGNING_SECRET, BOT_TOKEN.split("-", 1)[1], SIGNING_SECRET[-16:])


class RawHandler(logging.Handler):
    """Everything a record carries, unredacted: finds a secret at its source, not just in the output."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.getMessage(), repr(vars(record))]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        self.texts.append("\n".join(parts))


@pytest.fixture
def debug_logs():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("sqlalchemy.engine").level)
    stream = io.StringIO()
    configure_logging("DEBUG", [BOT_TOKEN, SIGNING_SECRET], stream=stream)  # as bot/runners.py does
    raw = RawHandler()
    root.addHandler(raw)
    try:
        yield stream, raw
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("sqlalchemy.engine").setLevel(saved[2])


def test_no_secret_in_debug_logs(debug_logs, slack, fake_slack):
    stream, raw = debug_logs
    fake_slack.add_user("U1", "ama")
    slack.command("help", user="U1")
    slack.command("group new data-ethics Data ethics", user=COORDINATOR)
    slack.command("group new", user=COORDINATOR)  # usage error
    slack.command("group archive data-ethics", user="U1")  # refused
    fake_slack.fail("users.info", status=429, retry_after=1)  # retried after Retry-After
    slack.command("org Cordaid", user="U1")
    fake_slack.fail("users.info", status=500, times=5)  # gives up: logged, not fatal
    slack.command("group list", user="U2")
    slack.command("group list", user="U3")  # users.info: user_not_found
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvLog")
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvLog", retry_num=1)
    slack.post(b"text=help", "application/x-www-form-urlencoded")  # unsigned: 401
    slack.post(b"text=help", "application/x-www-form-urlencoded",
               {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + "0" * 64})  # fmt: skip
    asked = slack.command("forget-me", user="U1")
    token = next(e["value"] for b in asked.json["blocks"] for e in b.get("elements", []) if e.get("value"))
    slack.block_action("U1", "forget_me_confirm", token)
    assert len(fake_slack.of("users.info")) >= 3

    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) > 20 and any(line["level"] == "debug" for line in lines)
    assert any("users.info" in line.get("msg", "") + line.get("error", "") + str(line) for line in lines)
    for secret in SECRETS:
        assert secret not in output, f"a secret reached the log output: {secret[:6]}…"
        leaked = [t[:300] for t in raw.texts if secret in t]
        assert not leaked, f"a secret reached a log record (before redaction): {leaked[:2]}"


def test_the_scenario_logs_the_web_api_traffic_where_a_token_could_leak(debug_logs, slack, fake_slack):
    stream, _ = debug_logs
    slack.command("group list", user="U1")
    sdk = [json.loads(line) for line in stream.getvalue().splitlines() if '"slack_sdk' in line]
    assert any("users.info" in line["msg"] for line in sdk)  # requests are logged: the check above has teeth


def test_redactor_masks_tokens_by_shape_and_secrets_by_value():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("DEBUG", [SIGNING_SECRET], stream=stream)
        logging.getLogger("leaky").warning(
            "token %s secret %s", "xoxb-123-456-abcdef", SIGNING_SECRET, extra={"auth": "Bearer xapp-1-A1-2-zz"}
        )
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    out = stream.getvalue()
    assert "xoxb-***" in out and "xapp-***" in out
    assert "abcdef" not in out and SIGNING_SECRET not in out and "zz" not in out
