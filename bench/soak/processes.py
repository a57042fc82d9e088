"""Process control: the Procfile `release`, `web` and `clock` processes, and the fake Slack's child process."""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import multiprocessing
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import ROOT, stop_process


def release(env: dict[str, str]) -> None:
    """The Procfile `release` step: migrations, as a deploy runs them."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise SystemExit(f"release step failed: {done.stderr.strip()[-500:]}")


def web_argv(port: int) -> list[str]:
    """The Procfile `web` command, bound to loopback only (a command-line --bind wins over the config)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "bot/gunicorn_conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "bot.wsgi:application",
    ]


CLOCK_ARGV = [sys.executable, "-m", "bot", "clock"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the soak dies without cleaning up (kill -9, a crash)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # closed when the process is stopped
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
        start_new_session=True,
    )
    proc.log_file = log  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen | None, name: str) -> None:
    """SIGTERM, so in-flight requests and a tick in progress finish; then the log is closed."""
    if proc is None:
        return
    stop_process(proc, name)
    with contextlib.suppress(Exception):
        proc.log_file.close()  # type: ignore[attr-defined]


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"web exited with {proc.returncode} at start (see its log)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("web did not answer /healthz in time")


class SlackProcess:
    """The fake Slack in a child process (bench/slack.py), and a thread collecting its prompts."""

    def __init__(self, fail_rate: float, seed: int, users: list[str], on_prompt) -> None:
        from bench import slack as bench_slack

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.events = ctx.Queue()
        self.proc = ctx.Process(
            target=bench_slack.serve, args=(child, self.events, fail_rate, seed, users), name="fake-slack", daemon=True
        )
        self.proc.start()
        if not self.conn.poll(30):
            raise SystemExit("the fake Slack did not start")
        self.base = self.conn.recv()
        self.api_url = f"{self.base}/api/"
        self._on_prompt = on_prompt
        self._lock = threading.Lock()
        self._closed = False
        self._drain = threading.Thread(target=self._collect, name="prompts", daemon=True)
        self._drain.start()

    def _collect(self) -> None:
        while not self._closed:
            try:
                event = self.events.get(timeout=0.5)
            except Exception:  # queue.Empty, or the child is gone
                event = None
            if event and event[0] == "prompt":
                self._on_prompt(*event[1:])

    def ask(self, command: str):
        with self._lock:
            self.conn.send(command)
            if not self.conn.poll(10):
                raise RuntimeError(f"the fake Slack did not answer {command!r}")
            return self.conn.recv()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):
            self.ask("stop")
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.terminate()
