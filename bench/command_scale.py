"""`/spindle` commands at 1,000 and at 100,000 innovations: p50/p95, their ratio, SQL statements.

    .venv/bin/python -m bench.command_scale [--database-url URL] [--small 1000] [--large 100000]
                                            [--requests 100] [--rounds 3]

Issue 11's goal: `list`, `show` and `group info` at 100,000 innovations within 10% of the same at
1,000 (p50), in at most 6 SQL statements each. A scratch database (`--database-url`: its schema
is dropped and rebuilt; otherwise SQLite in a temporary folder, removed at the end) is migrated
and seeded with bulk inserts (bench/seeddata.py): 200 groups, 2,000 members (each in two groups),
50 organisations, `--small` innovations with three stage changes each and a note on every other
one. The bot is built in this process (bot.app.build, the suite's fake Slack on loopback, the
rate limit off) and signed `/spindle` requests go straight into its WSGI app; every reply is
checked to be the real answer (HTTP 200, the innovation, group or list asked for), not an error.

The two sizes are two databases side by side (SQLite: two files; PostgreSQL: the scratch database
holds the large register and a second one, `<name>_small`, created and dropped here, the small),
each with its own bot, and they are measured in the same rounds, request by request: list on the
small, list on the large, list GROUP on the small, …, the order flipped every other request, so
the machine's load meets both sizes alike. `--rounds` rounds of `--requests` requests per command;
`show` walks a spread of refs from the oldest to the newest. A command's p50 and p95 are the
medians over the rounds. The statements one request sends (transaction control excluded) are
counted with the suite's own counter (tests/test_statement_counts.counting), the most any request
of the command sent. PostgreSQL: VACUUM ANALYZE after each load, as autovacuum would leave it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from bench.common import backend_of, percentile, scratch_database, sibling_database
from bench.seeddata import SEEDED_AT, advance_sequences, bulk_insert, seed_innovations, seed_people, settle
from tests.test_statement_counts import counting  # the same count the suite enforces

GROUPS, MEMBERS, ORGANISATIONS = 200, 2000, 50
SECRET = "bench-secret"  # noqa: S105 - the fake Slack's, signs loopback requests only
GOAL, BUDGET = 1.10, 6
GOAL_COMMANDS = ("list", "list GROUP", "show INN-n", "group info GROUP")


def handle(g: int) -> str:
    return f"group-{g:03d}"


def seed_people_once(db) -> list[str]:
    members = [f"UC{i:05d}" for i in range(MEMBERS)]
    groups = [(handle(g), f"C{g:05d}", members[g]) for g in range(GROUPS)]
    memberships = [(g, m) for i, m in enumerate(members) for g in {i % GROUPS + 1, (i * 7 + 3) % GROUPS + 1}]
    seed_people(db, members, groups, memberships, ORGANISATIONS)
    return members


def seed_up_to(db, members: list[str], first: int, last: int) -> None:
    """Innovations first…last, three stage changes each, a note on every other one."""
    from models.innovations import InnovationNote

    seed_innovations(db, first, last, GROUPS, members, ORGANISATIONS, changes=3, unique_texts=False)
    notes = [
        {
            "innovation_id": i,
            "author_id": members[(i + 3) % len(members)],
            "text": f"Note on step {i % 5}.",
            "at": SEEDED_AT + timedelta(minutes=7 * i, days=5),
        }
        for i in range(first, last + 1, 2)
    ]
    for start in range(0, len(notes), 5000):
        with db.transaction() as s:
            bulk_insert(s, InnovationNote.__table__, notes[start : start + 5000])
    advance_sequences(db)
    settle(db)


class App:
    """The bot in this process: signed slash commands into its WSGI app, the reply checked."""

    def __init__(self, url: str) -> None:
        from bot.app import build
        from bot.settings import load_settings
        from tests.fakeslack import FakeSlack

        self.fake = FakeSlack()
        env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": self.fake.api_url,
               "DATABASE_URL": url, "SPINDLE_SCHEDULER": "off", "SPINDLE_RATE_LIMIT": "0", "LOG_LEVEL": "ERROR"}  # fmt: skip
        self.runtime = build(load_settings(env))
        self.n = 0

    def command(self, user: str, text: str) -> str:
        self.n += 1
        body = urlencode({"command": "/spindle", "text": text, "user_id": user, "user_name": "m", "channel_id": "C1",
                          "team_id": "T1", "trigger_id": f"t{self.n}",
                          "response_url": self.fake.response_url()}).encode()  # fmt: skip
        ts = str(int(time.time()))
        signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
                   "wsgi.input": io.BytesIO(body), "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts,
                   "HTTP_X_SLACK_SIGNATURE": signature, "SERVER_NAME": "bench", "SERVER_PORT": "0",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http"}  # fmt: skip
        status: list[str] = []
        out = b"".join(self.runtime.wsgi(environ, lambda s, h, *_: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{text!r}: HTTP {status[0]} {out[:300]!r}")
        return out.decode()

    def close(self) -> None:
        self.runtime.executor.wait_idle(10)
        self.runtime.db.dispose()
        self.fake.close()


WORK: list[float] = []  # ms of each request's handler (handlers.commands.run_command), both bots


def time_the_handler() -> Callable[[], None]:
    """Wrap the command handler (the listener looks the name up on every request) to time what the
    ack waits for; returns the undo."""
    import handlers.commands

    run_command = handlers.commands.run_command

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return run_command(*args, **kwargs)
        finally:
            WORK.append((time.perf_counter() - start) * 1000)

    handlers.commands.run_command = timed
    return lambda: setattr(handlers.commands, "run_command", run_command)


def commands(size: int) -> dict[str, Callable[[int], tuple[str, str]]]:
    """Per command: request i → (its text, a string only the real answer holds)."""
    refs = [1 + (size - 1) * k // 19 for k in range(20)]  # INN-1 … the newest, evenly apart

    def group(i: int) -> str:
        return handle(i * 37 % GROUPS)

    return {
        "list": lambda i: ("list", "INN-"),
        "list GROUP": lambda i: (f"list {group(i)}", group(i)),
        "show INN-n": lambda i: (f"show INN-{refs[i % 20]}", f"INN-{refs[i % 20]}"),
        "group info GROUP": lambda i: (f"group info {group(i)}", group(i)),
        "group list": lambda i: ("group list", handle(0)),
    }


def measure(apps: dict[int, App], members: list[str], requests: int, rounds: int) -> dict[int, dict[str, dict]]:
    """Per size, command and clock (request, work): p50 and p95 in ms, medians over the rounds; and
    the most statements one request sent. The sizes take turns request by request."""
    todo = {size: commands(size) for size in apps}
    names = list(next(iter(todo.values())))
    per_round = {size: {n: {"request": [], "work": []} for n in names} for size in apps}
    statements = {size: dict.fromkeys(names, 0) for size in apps}
    for size, app in apps.items():  # warm the caches and the pool, and check the answers' shape
        for make in todo[size].values():
            for i in range(10):
                text, expect = make(i)
                reply = app.command(members[i], text)
                if expect not in reply or "wrong on my side" in reply:
                    raise SystemExit(f"{text!r} did not answer as expected ({expect!r}): {reply[:400]}")
    sizes = list(apps)
    for _round in range(rounds):
        times = {size: {n: {"request": [], "work": []} for n in names} for size in apps}
        for i in range(requests):
            for name in names:
                for size in sizes if i % 2 else sizes[::-1]:
                    text, expect = todo[size][name](i)
                    with counting(apps[size].runtime.db.engine) as seen:
                        start = time.perf_counter()
                        reply = apps[size].command(members[(i * 13 + 1) % len(members)], text)
                        times[size][name]["request"].append((time.perf_counter() - start) * 1000)
                    times[size][name]["work"].append(WORK[-1])
                    if expect not in reply:
                        raise SystemExit(f"{text!r} did not answer as expected ({expect!r}): {reply[:400]}")
                    statements[size][name] = max(statements[size][name], len(seen))
        for size in apps:
            for name, clocks in times[size].items():
                for clock, values in clocks.items():
                    ordered = sorted(values)
                    per_round[size][name][clock].append((percentile(ordered, 0.5), percentile(ordered, 0.95)))
    out: dict[int, dict[str, dict]] = {}
    for size in apps:
        out[size] = {}
        for name, clocks in per_round[size].items():
            out[size][name] = {"statements": statements[size][name]}
            for clock, rounds_ in clocks.items():
                out[size][name][clock] = {
                    "p50": statistics.median(r[0] for r in rounds_),
                    "p95": statistics.median(r[1] for r in rounds_),
                    "p50s": [r[0] for r in rounds_],
                }
    return out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="per command, per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from models.db import Database, migrate

    with (
        scratch_database(args.database_url, prefix="spindle-bench-scale-") as (url, tmp),
        sibling_database(url, tmp, "small") as small_url,
    ):
        migrate(small_url)
        urls = {args.small: small_url, args.large: url}
        members: list[str] = []
        for size, at in urls.items():
            db = Database(at)
            started = time.perf_counter()
            members = seed_people_once(db)
            seed_up_to(db, members, 1, size)
            db.dispose()
            print(f"{backend_of(url)}: {GROUPS} groups, {MEMBERS:,} members, {size:,} innovations "
                  f"seeded in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        apps = {size: App(at) for size, at in urls.items()}
        undo = time_the_handler()
        try:
            started_load = load()
            results = measure(apps, members, args.requests, args.rounds)
        finally:
            undo()
            for app in apps.values():
                app.close()
    small, large = results[args.small], results[args.large]
    print(f"load average (1, 5, 15 min) at the start and the end: {started_load} | {load()}")
    print(f"ms, median of {args.rounds} rounds x {args.requests} requests per command. work: the handler "
          "(handlers.commands.run_command: database, rendering); request: the whole signed request into "
          "the WSGI app, which adds Bolt's wait for the ack (it polls every 10 ms)")  # fmt: skip
    s, lg = f"{args.small // 1000}k", f"{args.large // 1000}k"
    print(f"{'':18} {'work ' + s:>17} {'work ' + lg:>17} {'work':>6} {'request p50':>15} {'request':>8} "
          f"{'statements':>10}")  # fmt: skip
    print(f"{'command':18} {'p50':>8} {'p95':>8} {'p50':>8} {'p95':>8} {'ratio':>6} {s:>7} {lg:>7} {'ratio':>8} "
          f"{s:>4} {lg:>5}  goal: work p50 ratio <= {GOAL:.2f}, <= {BUDGET} statements")  # fmt: skip
    missed = []
    for name in small:
        a, b = small[name], large[name]
        ratio = b["work"]["p50"] / a["work"]["p50"]
        request_ratio = b["request"]["p50"] / a["request"]["p50"]
        holds = ratio <= GOAL and max(a["statements"], b["statements"]) <= BUDGET
        verdict = ("holds" if holds else "MISSED") if name in GOAL_COMMANDS else "(not a goal)"
        if name in GOAL_COMMANDS and not holds:
            missed.append(name)
        print(f"{name:18} {a['work']['p50']:8.2f} {a['work']['p95']:8.2f} {b['work']['p50']:8.2f} "
              f"{b['work']['p95']:8.2f} {ratio:6.2f} {a['request']['p50']:7.2f} {b['request']['p50']:7.2f} "
              f"{request_ratio:8.2f} {a['statements']:>4} {b['statements']:>5}  {verdict}")  # fmt: skip
    for name in small:
        rounds_ = " | ".join(
            f"{size // 1000}k " + ", ".join(f"{p:.2f}" for p in results[size][name]["work"]["p50s"]) for size in results
        )
        print(f"  work p50 per round, {name}: {rounds_}")
    print("goal met for every command" if not missed else f"goal missed: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
