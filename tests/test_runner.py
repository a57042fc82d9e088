"""`python -m bot` as a real process: migrates, serves /slack/events and /healthz, stops on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, sign

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the bot did not come up")


def test_python_m_bot_serves_http_and_stops_cleanly(tmp_path, fake_slack):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", "PORT": str(port), "SPINDLE_COORDINATORS": "UBOSS",
        "SPINDLE_SCHEDULER": "on", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO",
    })  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_up(port, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.read() == b'{"status": "ok", "database": "ok"}'
        body = urlencode({"command": "/spindle", "text": "group new field-labs Field labs", "user_id": "UBOSS",
                          "channel_id": "C1", "team_id": "T1", "response_url": fake_slack.response_url(),
                          "trigger_id": "t1"}).encode()  # fmt: skip
        req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})  # fmt: skip
        with urllib.request.urlopen(req, timeout=5) as r:
            assert b"field-labs" in r.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[1]
    assert proc.returncode == 0, out
    assert BOT_TOKEN not in out and SIGNING_SECRET not in out
    assert '"msg": "listening"' in out and '"msg": "stopped"' in out


def test_python_m_bot_in_socket_mode_answers_a_command(tmp_path, fake_slack):
    """With SLACK_APP_TOKEN the bot opens a Socket Mode connection (through SLACK_API_URL) and acks
    envelopes over it; no HTTP port, no signing secret needed."""
    from tests.fakesocket import FakeSocketMode

    app_token = "xapp-1-A1-1234-socketsecret"
    ws = FakeSocketMode()
    fake_slack.on("apps.connections.open", lambda call: {"ok": True, "url": ws.url})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL", "PORT"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": app_token, "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", "SPINDLE_COORDINATORS": "UBOSS",
        "SPINDLE_SCHEDULER": "off", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "DEBUG",
    })  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        ws.wait_connected()
        (opened,) = fake_slack.of("apps.connections.open")
        assert opened.headers.get("authorization") == f"Bearer {app_token}"
        ws.send({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        ws.send({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"command": "/spindle", "text": "group new field-labs Field labs", "user_id": "UBOSS",
                        "user_name": "boss", "channel_id": "C1", "team_id": "T1", "trigger_id": "t1",
                        "response_url": fake_slack.response_url(), "api_app_id": "A1"},
        })  # fmt: skip
        ack = ws.wait_for(lambda m: m.get("envelope_id") == "env-1", timeout=15)
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "field-labs" in json.dumps(ack["payload"])
        ws.send({
            "envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"command": "/spindle", "text": "group list", "user_id": "U2", "user_name": "u2",
                        "channel_id": "C1", "team_id": "T1", "trigger_id": "t2",
                        "response_url": fake_slack.response_url(), "api_app_id": "A1"},
        })  # fmt: skip
        listed = ws.wait_for(lambda m: m.get("envelope_id") == "env-2", timeout=15)
        assert "field-labs" in json.dumps(listed["payload"])  # the first command's group was stored
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[1]
        ws.close()
    assert proc.returncode == 0, out
    assert "socketsecret" not in out and BOT_TOKEN not in out
    assert "running in Socket Mode" in out


def test_sigterm_lets_work_after_the_ack_finish(tmp_path, fake_slack):
    """A card still being posted when SIGTERM arrives is posted, and its ts saved, before the exit."""
    port = _free_port()
    db_url = f"sqlite:///{tmp_path}/bot.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": db_url, "PORT": str(port), "SPINDLE_COORDINATORS": "UBOSS", "SPINDLE_SCHEDULER": "off",
        "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)

    def command(text: str, user: str = "UBOSS", channel: str = "C1") -> bytes:
        body = urlencode({"command": "/spindle", "text": text, "user_id": user, "channel_id": channel,
                          "team_id": "T1", "response_url": fake_slack.response_url(), "trigger_id": "t1"}).encode()  # fmt: skip
        req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})  # fmt: skip
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.read()

    posting = threading.Event()

    def slow_post(call):
        posting.set()
        time.sleep(2)  # Slack is slow right now: the card is still on its way when SIGTERM comes
        return {"ok": True, "channel": call["channel"], "ts": "1700000000.000042"}

    try:
        _wait_until_up(port, proc)
        command("group new field-labs")
        command("group channel field-labs", channel="CLABS")
        fake_slack.on("chat.postMessage", slow_post)
        assert b"Logged *INN-1*" in command("log field-labs Solar micro-grants")
        assert posting.wait(5)
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT card_channel, card_ts FROM innovations")).one() == (
            "CLABS",
            "1700000000.000042",
        )
    engine.dispose()
