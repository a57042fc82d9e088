"""Every failed start of the real entry point is one line that names the setting: no traceback.

Each test starts `python -m bot` (or `python -m bot migrate`) as a process, as a new user would,
and reads its exit status and stderr.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
APP_TOKEN = "xapp-1-A1-1234-refusedsecret"


@pytest.fixture
def fake(fake_slack):
    fake_slack.reset()  # these tests do not use the bot fixtures, so nothing else resets it
    yield fake_slack
    fake_slack.reset()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens here once the socket is closed


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL", "PORT", "LOG_"))
    }
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", "SPINDLE_SCHEDULER": "off"})
    env.update(settings)
    return env


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )


def _the_one_line(proc: subprocess.CompletedProcess) -> str:
    """The failure is told once, as the only plain line on stderr; log lines around it are JSON
    at INFO or below (a start that fails is not also a stack of ERROR records)."""
    out = proc.stderr
    assert proc.returncode not in (0, None), out
    assert "Traceback" not in out and "Error:" not in out.split("spindle-bot:")[0], out
    plain = [line for line in out.splitlines() if not line.startswith("{")]
    assert len(plain) == 1, out
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert not [r for r in records if r["level"] not in ("debug", "info")], out
    assert proc.stdout == ""
    return plain[0]


def _http_bot(tmp_path: Path, fake, **settings: str) -> dict[str, str]:
    settings.setdefault("PORT", str(_closed_port()))
    return _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
                **settings)  # fmt: skip


def test_slack_refuses_the_app_token(tmp_path, fake):
    fake.fail("apps.connections.open", status=200, error="invalid_auth", times=5)
    env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake.api_url)
    line = _the_one_line(_run(tmp_path, env))
    assert line.startswith("spindle-bot: cannot start: Slack refused SLACK_APP_TOKEN (invalid_auth)"), line
    assert "connections:write" in line
    assert fake.of("apps.connections.open"), "the bot never asked Slack for a connection"
    assert "refusedsecret" not in line


def test_slack_refuses_the_bot_token(tmp_path, fake):
    fake.fail("auth.test", status=200, error="invalid_auth")
    line = _the_one_line(_run(tmp_path, _http_bot(tmp_path, fake)))
    assert line.startswith("spindle-bot: cannot start: Slack refused SLACK_BOT_TOKEN (invalid_auth)"), line
    assert BOT_TOKEN not in line


def test_the_port_is_taken(tmp_path, fake):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104  (the bot binds all interfaces, so must the squatter)
        taken.listen()
        port = taken.getsockname()[1]
        line = _the_one_line(_run(tmp_path, _http_bot(tmp_path, fake, PORT=str(port))))
    assert (
        line
        == f"spindle-bot: cannot start: PORT {port} is already in use; stop what listens there or set PORT to a free port"
    )
    assert fake.of("auth.test")  # it got as far as the port: the earlier steps passed


def test_slack_cannot_be_reached(tmp_path):
    api_url = f"http://127.0.0.1:{_closed_port()}/api/"
    env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url)
    line = _the_one_line(_run(tmp_path, env))
    assert line.startswith(f"spindle-bot: cannot start: Slack could not be reached at SLACK_API_URL ({api_url})"), line
    assert "Connection refused" in line and "URLError" not in line


def test_slack_api_url_that_is_not_the_web_api(tmp_path, fake):
    api_url = f"{fake.base}/not-the-api/"  # the fake answers 404 text/plain outside /api/
    env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url)
    line = _the_one_line(_run(tmp_path, env))
    assert line == (
        f"spindle-bot: cannot start: Slack at SLACK_API_URL ({api_url}) answered HTTP 404, not like Slack's Web API;"
        " check SLACK_API_URL"
    )


def test_slack_cannot_be_reached_in_socket_mode(tmp_path):
    api_url = f"http://127.0.0.1:{_closed_port()}/api/"
    env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=api_url)
    line = _the_one_line(_run(tmp_path, env))
    assert "Slack could not be reached at SLACK_API_URL" in line, line


def test_the_database_cannot_be_reached(tmp_path, fake):
    url = f"postgresql+psycopg://spindle:hunter2-pw@127.0.0.1:{_closed_port()}/spindle"
    proc = _run(tmp_path, _http_bot(tmp_path, fake, DATABASE_URL=url))
    line = _the_one_line(proc)
    assert line.startswith(
        "spindle-bot: cannot start: the database at DATABASE_URL (postgresql+psycopg://spindle:***@127.0.0.1:"
    ), line
    assert "hunter2-pw" not in proc.stderr
    assert not fake.of("auth.test")  # the database is checked first; Slack was not bothered


def test_the_database_cannot_be_reached_by_migrate(tmp_path):
    url = f"postgres://spindle:hunter2-pw@127.0.0.1:{_closed_port()}/spindle"
    proc = _run(tmp_path, _env(tmp_path, DATABASE_URL=url), "migrate")
    line = _the_one_line(proc)
    assert line.startswith(
        "spindle-bot: cannot migrate: the database at DATABASE_URL (postgresql+psycopg://spindle:***@"
    ), line
    assert "hunter2-pw" not in proc.stderr


def test_migrate_needs_only_the_database_url(tmp_path):
    env = _env(tmp_path)  # no SLACK_* setting at all
    assert not any(k.startswith("SLACK_") for k in env)
    proc = _run(tmp_path, env, "migrate")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == "spindle-bot: database is up to date"
    engine = create_engine(f"sqlite:///{tmp_path}/bot.db")
    assert "innovations" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_database_newer_than_the_code_is_one_line(tmp_path):
    """A database migrated by a newer version (a revision this code does not have): no traceback."""
    from sqlalchemy import text

    env = _env(tmp_path)
    assert _run(tmp_path, env, "migrate").returncode == 0
    engine = create_engine(f"sqlite:///{tmp_path}/bot.db")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    line = _the_one_line(_run(tmp_path, env, "migrate"))
    assert line.startswith("spindle-bot: cannot migrate: the database at DATABASE_URL (sqlite:///"), line
    assert "9999_from_the_future" in line


def test_migrate_names_a_malformed_database_url(tmp_path):
    proc = _run(tmp_path, _env(tmp_path, DATABASE_URL="mysql://x@y/z"), "migrate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "spindle-bot: configuration error: DATABASE_URL must point at SQLite or PostgreSQL."


def test_a_start_that_works_logs_a_few_lines(tmp_path, fake):
    """A start with nothing wrong, in Socket Mode: the log at INFO is a handful of lines, none of
    them alembic's plugin set-up or Bolt's token warning."""
    from tests.fakesocket import FakeSocketMode

    ws = FakeSocketMode()
    fake.add_user("U1", "ama")
    fake.on("apps.connections.open", lambda call: {"ok": True, "url": ws.url})
    env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake.api_url,
               SPINDLE_SCHEDULER="on")  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        ws.wait_connected()
        ws.send({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        ws.send({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"command": "/spindle", "text": "group list", "user_id": "U1", "user_name": "u1",
                        "channel_id": "C1", "team_id": "T1", "trigger_id": "t1",
                        "response_url": fake.response_url(), "api_app_id": "A1"},
        })  # fmt: skip
        ws.wait_for(lambda m: m.get("envelope_id") == "env-1", timeout=15)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[1]
        ws.close()
    assert proc.returncode == 0, out
    records = [json.loads(line) for line in out.splitlines()]
    messages = [r["msg"] for r in records]
    assert "running in Socket Mode" in messages and messages[-1] == "stopped"
    # Alembic says one line per migration it runs; the rest of a start is a handful of lines.
    assert len([m for m in messages if not m.startswith("Running upgrade")]) <= 9, messages
    assert not [m for m in messages if "setup plugin" in m or "Context impl" in m or "As you gave" in m], messages
    assert not [r for r in records if r["level"] not in ("info",)], out


def test_the_real_bot_answers_a_direct_message_and_keeps_what_people_wrote_out_of_its_log(tmp_path, fake):
    """`python -m bot` over HTTP at LOG_LEVEL=INFO, scheduler on: a command, a direct message and an
    unsigned request carry a marker; the DM is answered, and the marker is nowhere in the log."""
    import signal
    import time
    import urllib.error
    import urllib.request
    import uuid
    from urllib.parse import urlencode

    from tests.slackdriver import sign

    mark = "mk" + uuid.uuid4().hex[:12]
    port = _closed_port()
    env = _http_bot(tmp_path, fake, PORT=str(port), SPINDLE_SCHEDULER="on", SPINDLE_COORDINATORS="UBOSS",
                    LOG_LEVEL="INFO")  # fmt: skip
    fake.add_user("UBOSS", "boss")
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)

    def post(body: bytes, content_type: str, signed: bool = True) -> int:
        headers = {"Content-Type": content_type, **(sign(body) if signed else {})}
        req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the bot did not come up"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        form = "application/x-www-form-urlencoded"
        command = urlencode({"command": "/spindle", "text": f"group new field-labs Field labs {mark}", "user_id": "UBOSS",
                             "channel_id": "C1", "team_id": "T1", "response_url": fake.response_url(),
                             "trigger_id": "t1"}).encode()  # fmt: skip
        assert post(command, form) == 200
        event = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvRealDm",
                 "event": {"type": "message", "channel": "DUBOSS", "channel_type": "im", "user": "UBOSS",
                           "text": f"hello {mark}", "ts": "1700000001.000400"}}  # fmt: skip
        assert post(json.dumps(event).encode(), "application/json") == 200
        assert post(f"command=%2Fspindle&text={mark}".encode(), form, signed=False) == 401
        (reply,) = fake.wait_for("chat.postMessage", where=lambda c: c.get("channel") == "DUBOSS", timeout=10)
        assert "/spindle help" in reply.text
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[1]
    assert proc.returncode == 0, out
    assert mark not in out, [line for line in out.splitlines() if mark in line]
    messages = [json.loads(line)["msg"] for line in out.splitlines()]
    assert "listening" in messages and messages[-1] == "stopped"
    assert not [m for m in messages if "setup plugin" in m or m.startswith(("Running job", "Job "))], messages
