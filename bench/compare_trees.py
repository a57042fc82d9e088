"""Server CPU per `/spindle` command, this tree beside an earlier revision, measured in one run.

For the redesign's "no worse" check: both trees run the same workload in fresh child processes,
rounds alternating (baseline, current, baseline, …) so load on the machine hits both alike. A
child builds the bot from its own tree (its own migrations, on its own scratch SQLite file or
PostgreSQL schema), seeds groups, members and innovations with plain SQL the two schemas share,
then sends N signed requests straight into its WSGI app (no network, no fake latency) and reports
the process CPU seconds per request (the suite's fake Slack answers users.info and the like on
loopback, in the same process). The rate limit is off, and every reply is checked.

    .venv/bin/python -m bench.compare_trees [--baseline d4eff22] [--requests 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import drop_schema

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("group list", "group info group-03", "list", "show INN-7")

CHILD = r"""
import hashlib, hmac, io, json, sys, time
from datetime import UTC, datetime
from urllib.parse import urlencode

url, requests = sys.argv[1], int(sys.argv[2])
commands = json.loads(sys.argv[3])
from sqlalchemy import text
from bot.app import build
from bot.settings import load_settings
from models.db import migrate
from tests.fakeslack import FakeSlack  # the suite's fake Slack Web API on loopback, in both trees

fake = FakeSlack()
migrate(url)
settings = load_settings({
    "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": fake.api_url,
    "DATABASE_URL": url, "SPINDLE_SCHEDULER": "off", "SPINDLE_RATE_LIMIT": "0", "LOG_LEVEL": "ERROR",
})
runtime = build(settings)
now = datetime(2026, 11, 26, 10, tzinfo=UTC)
with runtime.db.engine.begin() as conn:
    for m in range(200):
        conn.execute(text("INSERT INTO members (id, name, is_coordinator, profile_fetched, forgotten, created_at) "
                          "VALUES (:id, :n, false, true, false, :t)"), {"id": f"U{m:05d}", "n": f"M{m}", "t": now})
    for g in range(20):
        conn.execute(text("INSERT INTO groups (id, handle, description, created_by, created_at) VALUES (:i, :h, '', 'U00000', :t)"),
                     {"i": g + 1, "h": f"group-{g:02d}", "t": now})
        for m in range(10):
            conn.execute(text("INSERT INTO memberships (group_id, member_id, joined_at) VALUES (:g, :m, :t)"),
                         {"g": g + 1, "m": f"U{g * 10 + m:05d}", "t": now})
    for i in range(1000):
        conn.execute(text("INSERT INTO innovations (id, group_id, title, stage, summary, sdgs, tags, privacy_risk, "
                          "civic_space_risk, manipulation_risk, safeguards, logged_by, logged_at, updated_at) VALUES "
                          "(:i, :g, :t, 'exploring', 'A summary', '', '', 'low', 'low', 'low', '', 'U00000', :n, :n)"),
                     {"i": i + 1, "g": i % 20 + 1, "t": f"Innovation {i}", "n": now})
        conn.execute(text("INSERT INTO stage_changes (innovation_id, to_stage, by_id, at, note) VALUES (:i, 'exploring', 'U00000', :n, '')"),
                     {"i": i + 1, "n": now})
if runtime.db.backend == "postgresql":
    with runtime.db.engine.begin() as conn:
        conn.execute(text("SELECT setval('innovations_id_seq', 2000)"))

def call(body: bytes):
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(b"bench-secret", f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "QUERY_STRING": "",
               "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts, "HTTP_X_SLACK_SIGNATURE": sig, "SERVER_NAME": "bench",
               "SERVER_PORT": "0", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http"}
    status = []
    out = b"".join(runtime.wsgi(environ, lambda s, h, *_: status.append(s)))
    return status[0], out

def body(i: int, command: str) -> bytes:
    return urlencode({"command": "/spindle", "text": command, "user_id": f"U{i % 200:05d}", "user_name": "m",
                      "channel_id": "C1", "team_id": "T1", "trigger_id": f"t{i}",
                      "response_url": fake.response_url()}).encode()

for i in range(50):  # warm up
    call(body(i, commands[i % len(commands)]))
result = {}
for command in commands:
    cpu0 = time.process_time()
    for i in range(requests):
        status, out = call(body(i, command))
        assert status.startswith("200") and b"wrong on my side" not in out and b"faster" not in out, out[:200]
    result[command] = (time.process_time() - cpu0) / requests * 1000
runtime.executor.wait_idle(10)
fake.close()
print(json.dumps(result))
"""


def run_child(tree: Path, url: str, requests: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(requests), json.dumps(COMMANDS)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise SystemExit(f"child in {tree} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def scratch(base_url: str, tmp: str, name: str) -> str:
    """A fresh database per child: a SQLite file of its own, or the scratch PostgreSQL emptied."""
    if not base_url:
        return f"sqlite:///{tmp}/{name}.db"
    drop_schema(base_url)
    return base_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="d4eff22", help="the earlier revision (a commit of this repository)")
    parser.add_argument("--requests", type=int, default=1000, help="per command, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="", help="a SCRATCH PostgreSQL database: its schema is dropped")
    args = parser.parse_args()
    samples: dict[str, dict[str, list[float]]] = {"baseline": {}, "current": {}}
    with tempfile.TemporaryDirectory(prefix="spindle-compare-") as tmp:
        base_tree = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base_tree), args.baseline], check=True
        )
        try:
            for round_ in range(args.rounds):
                for label, tree in (("baseline", base_tree), ("current", ROOT)):
                    url = scratch(args.database_url, tmp, f"{label}-{round_}")
                    for command, ms in run_child(tree, url, args.requests).items():
                        samples[label].setdefault(command, []).append(ms)
                print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_tree)], check=False)
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"server CPU per command (ms, median of {args.rounds} rounds x {args.requests}), {backend}:")
    print(f"{'command':28} {'baseline':>9} {'current':>9} {'current/baseline':>17}")
    ratios = []
    for command in COMMANDS:
        before = statistics.median(samples["baseline"][command])
        after = statistics.median(samples["current"][command])
        ratios.append(after / before)
        print(f"{command:28} {before:9.3f} {after:9.3f} {after / before:17.2f}")
    print(f"ratio current/baseline, geometric mean over the commands: {statistics.geometric_mean(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
