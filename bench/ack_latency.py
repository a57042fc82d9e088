"""Ack latency of `/spindle group list` under the Procfile `web` command, against a bare Bolt app.

Both run under gunicorn with bot/gunicorn_conf.py (same workers, threads, preload), on 127.0.0.1,
talking to the test suite's fake Slack. N signed requests at concurrency C each; prints p50, p95
and throughput for both, and the throughput ratio (ours / bare) last.

    .venv/bin/python -m bench.ack_latency [--requests 2000] [--concurrency 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, sign  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str) -> None:
    from models.db import Database, migrate
    from models.groups import create_group, join_group
    from models.people import ensure_member

    migrate(url)
    db = Database(url)
    now = datetime.now(UTC)
    with db.transaction() as s:
        coordinator, _ = ensure_member(s, "UCOORD", now, "coordinator")
        coordinator.is_coordinator = True
        for i in range(12):
            create_group(s, coordinator, f"group-{i:02d}", f"Action group number {i} exploring digital ids", now)
        for u in range(30):
            member, _ = ensure_member(s, f"UM{u:04d}", now, f"member {u}")
            join_group(s, member, f"group-{u % 12:02d}", now)
    db.dispose()


def start(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "bot/gunicorn_conf.py", app],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{app} exited with {proc.returncode}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{app} did not start")


def body_for(i: int) -> bytes:
    fields = {
        "team_id": "T1", "channel_id": "C1", "user_id": f"UM{i % 30:04d}", "user_name": "member",
        "command": "/spindle", "text": "group list", "response_url": "http://127.0.0.1:9/respond",
        "trigger_id": f"t{i}",
    }  # fmt: skip
    return urlencode(fields).encode()


def load(port: int, requests: int, concurrency: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = body_for(i)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            started = time.perf_counter()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, errors


def report(name: str, latencies: list[float], wall: float, errors: int) -> float:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    throughput = len(ordered) / wall
    print(f"{name:<22} requests={len(ordered)} errors={errors} p50={p50:.1f}ms p95={p95:.1f}ms throughput={throughput:.0f}/s")
    return throughput


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    fake = FakeSlack()
    for u in range(30):  # the steady state: every member's profile is fetched once, on first contact
        fake.add_user(f"UM{u:04d}", f"member {u}")
    tmp = tempfile.mkdtemp(prefix="spindle-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    seed(url)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url, "SPINDLE_SCHEDULER": "off", "SPINDLE_COORDINATORS": "UCOORD", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    env.pop("SLACK_APP_TOKEN", None)
    print(f"database={url.split(':')[0]} requests={args.requests} concurrency={args.concurrency} cores={os.cpu_count()}")
    results = {}
    for name, app in (("bare bolt app", "bench.bare_app:application"), ("spindle (Procfile web)", "bot.wsgi:application")):
        port = free_port()
        proc = start(app, port, env)
        try:
            load(port, min(200, args.requests), args.concurrency)  # warm-up: imports, pools, caches
            results[name] = report(name, *load(port, args.requests, args.concurrency))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    fake.close()
    ratio = results["spindle (Procfile web)"] / results["bare bolt app"]
    print(f"throughput ratio (spindle / bare) = {ratio:.2f}")


if __name__ == "__main__":
    main()
