"""Ack latency and server CPU per request of `/spindle group list`, beside bare Bolt and a trivial WSGI app.

Four apps in the same run, each under gunicorn with bot/gunicorn_conf.py (the
Procfile `web` settings: same workers, threads, preload) on 127.0.0.1:
- trivial WSGI (bench/trivial_app.py): a static ack, no framework — gunicorn's own cost;
- bare Bolt (bench/bare_app.py): signature check, Bolt's dispatch and a static ack;
- Bolt + database (bench/bare_db_app.py): bare Bolt doing the command's two reads with SQLAlchemy
  Core on the same database: the framework and the database together, without the bot's layers;
- Spindle Bot (`bot.wsgi:application`): the real command, database and all.
They take turns, `--rounds` times (trivial, bare, Bolt + database, Spindle, trivial, …), so load
from elsewhere on the machine hits them alike; each ratio is taken within a round, and the median
of the rounds is reported. Each turn is a warm-up, then N signed requests at concurrency C. The per-person limit is off
(SPINDLE_RATE_LIMIT=0), so every reply does the command's work: the bench checks every reply
and fails (exit 1) if any is a refusal, an error or not the group list. Server CPU is read from
/proc: user + system time of the gunicorn tree during the measured requests, divided by them.
The database is a scratch one (`--database-url`: its schema is dropped and rebuilt; otherwise
SQLite in a temporary folder, removed at the end).

    .venv/bin/python -m bench.ack_latency [--requests 3000] [--concurrency 10] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import procstat
from bench.common import backend_of, free_port, percentile, scratch_database, start_gunicorn, stop_process
from bench.seeddata import advance_sequences, seed_people
from tests.fakeslack import FakeSlack
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, sign

GROUPS = [f"group-{i:02d}" for i in range(12)]
APPS = (
    ("trivial wsgi", "bench.trivial_app:application", "Action groups"),
    ("bare bolt", "bench.bare_app:application", "Action groups"),
    ("bolt + db", "bench.bare_db_app:application", f"Action groups: {GROUPS[0]}"),
    ("spindle", "bot.wsgi:application", GROUPS[0]),
)


def seed(url: str, users: list[str]) -> None:
    from models.db import Database

    db = Database(url)
    groups = [(handle, None, None) for handle in GROUPS]
    seed_people(db, ["UCOORD", *users], groups, [(i % len(GROUPS) + 1, u) for i, u in enumerate(users)], 0, ["UCOORD"])
    advance_sequences(db)
    db.dispose()


def body_for(i: int, users: list[str]) -> bytes:
    fields = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": users[i % len(users)],
        "user_name": "member",
        "command": "/spindle",
        "text": "group list",
        "response_url": "http://127.0.0.1:9/respond",
        "trigger_id": f"t{i}",
    }
    return urlencode(fields).encode()


@dataclass
class Load:
    latencies: list[float]
    wall: float
    errors: int  # no response or not 200
    wrong: int  # 200, but not the expected reply (a refusal, an error message)
    sample: str = ""


def load(port: int, requests: int, concurrency: int, users: list[str], expect: str) -> Load:
    """Closed loop: `concurrency` clients on keep-alive connections, each sending its next request when answered."""
    share = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]

    def client(index: int, count: int) -> Load:
        out = Load([], 0.0, 0, 0)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for n in range(count):
            body = body_for(index + n * concurrency, users)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            started = time.perf_counter()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                resp = conn.getresponse()
                reply = resp.read().decode(errors="replace")
                status = resp.status
            except (OSError, http.client.HTTPException):
                status, reply = 0, ""
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            out.latencies.append(time.perf_counter() - started)
            if status != 200:
                out.errors += 1
            elif expect not in reply:
                out.wrong += 1
                out.sample = out.sample or reply[:200]
        conn.close()
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        parts = list(pool.map(client, range(concurrency), share))
    wall = time.perf_counter() - started
    return Load(
        [x for p in parts for x in p.latencies],
        wall,
        sum(p.errors for p in parts),
        sum(p.wrong for p in parts),
        next((p.sample for p in parts if p.sample), ""),
    )


def measure(name: str, app: str, expect: str, env: dict[str, str], args, users: list[str]) -> dict:
    port = free_port()
    proc = start_gunicorn(app, port, env)
    try:
        load(port, min(300, args.requests), args.concurrency, users, expect)  # warm-up: imports, pools, caches
        before = procstat.cpu_snapshot({"server": proc.pid})
        result = load(port, args.requests, args.concurrency, users, expect)
        cpu = procstat.cpu_delta(before, procstat.cpu_snapshot({"server": proc.pid}))
    finally:
        stop_process(proc, name)
    ordered = sorted(result.latencies)
    out = {
        "p50": statistics.median(ordered) * 1000,
        "p95": percentile(ordered, 0.95) * 1000,
        "throughput": len(ordered) / result.wall,
        "cpu_ms": cpu.get("server", float("nan")) * 1000 / len(ordered),
        "errors": result.errors,
        "wrong": result.wrong,
    }
    print(
        f"{name:<13} requests={len(ordered)} errors={result.errors} refused-or-wrong={result.wrong} "
        f"p50={out['p50']:.1f}ms p95={out['p95']:.1f}ms throughput={out['throughput']:.0f}/s "
        f"server-cpu={out['cpu_ms']:.2f}ms/request",
        flush=True,
    )
    if result.sample:
        print(f"    e.g. {result.sample!r}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--users", type=int, default=30, help="people the requests come from")
    parser.add_argument("--rounds", type=int, default=3, help="turns each app takes, alternating")
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    args = parser.parse_args()

    users = [f"UM{u:04d}" for u in range(args.users)]
    fake = FakeSlack()
    rounds: list[dict[str, dict]] = []
    try:
        with scratch_database(args.database_url) as (url, _tmp):
            seed(url, users)
            env = {
                **os.environ,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": url,
                "SPINDLE_SCHEDULER": "off",
                "SPINDLE_COORDINATORS": "UCOORD",
                "LOG_LEVEL": "WARNING",
                "SPINDLE_RATE_LIMIT": "0",
            }
            env.pop("SLACK_APP_TOKEN", None)
            print(
                f"database={backend_of(url)} requests={args.requests} concurrency={args.concurrency} "
                f"users={args.users} rate-limit=off cores={os.cpu_count()}",
                flush=True,
            )
            for n in range(args.rounds):
                print(f"round {n + 1} of {args.rounds}", flush=True)
                rounds.append({name: measure(name, app, expect, env, args, users) for name, app, expect in APPS})
    finally:
        fake.close()

    def ratio(key: str, a: str, b: str) -> float:
        """The median over the rounds of a/b, each taken within its round."""
        return statistics.median(r[a][key] / r[b][key] for r in rounds)

    print(f"medians of {len(rounds)} rounds (each ratio within a round):")
    print(
        f"server cpu per request: spindle / bare = {ratio('cpu_ms', 'spindle', 'bare bolt'):.2f} (target ≤ 1.5), "
        f"spindle / bolt+db = {ratio('cpu_ms', 'spindle', 'bolt + db'):.2f}, "
        f"bolt+db / bare = {ratio('cpu_ms', 'bolt + db', 'bare bolt'):.2f}, "
        f"bare / trivial = {ratio('cpu_ms', 'bare bolt', 'trivial wsgi'):.2f}"
    )
    print(
        f"p50 spindle / bare = {ratio('p50', 'spindle', 'bare bolt'):.2f}; "
        f"p95 spindle / bare = {ratio('p95', 'spindle', 'bare bolt'):.2f} (target ≤ 1.2), "
        f"p95 spindle / bolt+db = {ratio('p95', 'spindle', 'bolt + db'):.2f}"
    )
    print(f"throughput ratio (spindle / bare) = {ratio('throughput', 'spindle', 'bare bolt'):.2f}")
    bad = sum(r["errors"] + r["wrong"] for turn in rounds for r in turn.values())
    if bad:
        print(f"FAILED: {bad} replies were errors, refusals or not the expected answer", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
