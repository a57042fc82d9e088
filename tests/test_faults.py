"""Database down: commands answer "temporarily unavailable" within Slack's 3 s, /healthz says 503,
nothing is half-written, and the bot recovers by itself when the database is back."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import build
from bot.settings import load_settings
from models.db import migrate
from models.errors import Unavailable
from models.groups import Membership
from models.people import seed_coordinators
from tests.conftest import COORDINATOR, bot_env
from tests.slackdriver import SlackDriver

SLACK_DEADLINE = 3.0
UNAVAILABLE = "temporarily unavailable"


class TcpProxy:
    """A loopback TCP proxy we can cut (close everything, refuse or stall new connections) and restore."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = 0
        self.mode = "up"  # up | refuse | stall
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._listen()

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True, name="db-proxy").start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(client)
                if self.mode == "stall":  # a server that accepts and never answers
                    continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _drop_all(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self, mode: str = "refuse") -> None:
        """The database went away: every open connection dies; new ones are refused (or stall)."""
        self.mode = mode
        if mode == "refuse" and self._listener is not None:
            self._close_listener()
        self._drop_all()

    def restore(self) -> None:
        self._drop_all()  # stalled half-connections go; clients reconnect
        self.mode = "up"
        if self._listener is None:
            self._listen()

    def _close_listener(self) -> None:
        # shutdown() first: close() alone does not wake a thread blocked in accept() on Linux.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._listener = None

    def close(self) -> None:
        if self._listener is not None:
            self._close_listener()
        self._drop_all()


def _serve(runtime):
    from waitress.server import create_server

    server = create_server(runtime.wsgi, host="127.0.0.1", port=0, threads=8, ident="spindle-faults")
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def _timed(fn, *args, **kwargs):
    started = time.monotonic()
    result = fn(*args, **kwargs)
    return result, time.monotonic() - started


def _assert_unavailable(driver: SlackDriver, user: str, text: str) -> None:
    resp, took = _timed(driver.command, text, user=user)
    assert resp.status == 200, resp.body
    assert UNAVAILABLE in resp.text
    assert took < SLACK_DEADLINE, f"{text!r} took {took:.2f}s"
    health, took = _timed(driver.get, "/healthz")
    assert health.status == 503 and health.json["database"] == "down"
    assert took < SLACK_DEADLINE


@pytest.fixture
def proxied(runtime, migrated_url, fake_slack, clock):
    """A second bot whose DATABASE_URL reaches the suite's PostgreSQL through a TcpProxy."""
    url = make_url(migrated_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip(
            "PostgreSQL only: a network outage needs a database reached over TCP; SQLite is a file in the "
            "process (see test_sqlite_database_unreachable_then_recovers). Set SPINDLE_TEST_DATABASE_URL."
        )
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    rt = build(load_settings(bot_env(fake_slack, proxied_url)), clock=clock)
    server, base = _serve(rt)
    yield proxy, SlackDriver(base, fake_slack, rt.executor.wait_idle), rt
    rt.executor.wait_idle(10)
    server.close()
    proxy.close()
    rt.db.dispose()


def _members_of(db) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Membership))


@pytest.mark.parametrize("mode", ["refuse", "stall"])
def test_postgresql_outage_is_friendly_and_recovers(proxied, db, mode):
    proxy, bot, _ = proxied
    assert "data-ethics" in bot.command("group new data-ethics", user=COORDINATOR).text
    assert bot.get("/healthz").status == 200

    proxy.cut(mode)
    _assert_unavailable(bot, "U1", "group join data-ethics")
    _assert_unavailable(bot, "U2", "org Cordaid")
    # Interactivity and events are acknowledged too, never a 5xx.
    assert bot.block_action("U1", "forget_me_confirm", "123").status == 200
    assert bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvDown").status == 200
    assert _members_of(db) == 0  # nothing half-written (read through the suite's direct connection)

    proxy.restore()
    deadline = time.monotonic() + 10
    while bot.get("/healthz").status != 200:  # recovers by itself: no restart, no dispose
        assert time.monotonic() < deadline, "the bot did not recover"
        time.sleep(0.1)
    r = bot.command("group join data-ethics", user="U1")
    assert "Welcome" in r.text, r.text
    assert _members_of(db) == 1


def test_sqlite_database_unreachable_then_recovers(fake_slack, clock, tmp_path: Path):
    """SQLite cannot vanish under a process that holds it open; it is unavailable when it cannot be opened."""
    folder = tmp_path / "volume"
    url = f"sqlite:///{folder / 'spindle.db'}"
    rt = build(load_settings(bot_env(fake_slack, url, SPINDLE_COORDINATORS="")), clock=clock)
    server, base = _serve(rt)
    bot = SlackDriver(base, fake_slack, rt.executor.wait_idle)
    try:
        _assert_unavailable(bot, COORDINATOR, "group new data-ethics")
        assert bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvGone").status == 200

        os.makedirs(folder)  # the volume is back
        migrate(url)
        with rt.db.transaction() as s:
            seed_coordinators(s, [COORDINATOR], clock.now())
        assert bot.get("/healthz").status == 200
        assert "data-ethics" in bot.command("group new data-ethics", user=COORDINATOR).text
    finally:
        rt.executor.wait_idle(10)
        server.close()
        rt.db.dispose()


def test_healthz_is_200_when_the_database_answers(slack):
    r = slack.get("/healthz")
    assert r.status == 200 and r.json == {"status": "ok", "database": "ok"}


@pytest.fixture
def fragile(fake_slack, clock, tmp_path: Path):
    """A bot (on its own SQLite file) with listeners that fail before their ack."""
    url = f"sqlite:///{tmp_path / 'fragile.db'}"
    migrate(url)
    rt = build(load_settings(bot_env(fake_slack, url)), clock=clock)

    def unavailable():
        raise Unavailable()

    rt.app.view("fragile_view")(lambda ack: unavailable())
    rt.app.action("fragile_button")(lambda ack: 1 / 0)
    rt.app.shortcut("fragile_shortcut")(lambda ack: unavailable())
    server, base = _serve(rt)
    yield SlackDriver(base, fake_slack, rt.executor.wait_idle)
    rt.executor.wait_idle(10)
    server.close()
    rt.db.dispose()


def test_a_listener_failing_before_its_ack_never_answers_5xx(fragile):
    r = fragile.view_submission("U1", "fragile_view", {"b": {"a": {"type": "plain_text_input", "value": "x"}}})
    assert r.status == 200
    assert r.json["response_action"] == "push"  # the form stays underneath, nothing typed is lost
    assert UNAVAILABLE in json.dumps(r.json["view"]) and r.json["view"]["type"] == "modal"
    assert fragile.block_action("U1", "fragile_button", "v").status == 200
    r = fragile.message_shortcut("U1", "fragile_shortcut", {"ts": "1.2", "text": "hi"})
    assert r.status == 200
