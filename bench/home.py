"""The Home tab at scale: `app_home_opened` → `views.publish`, beside `group list` in the same run.

    .venv/bin/python -m bench.home [--database-url URL] [--innovations 100000] [--rounds 100]

A scratch database (`--database-url`: its schema is dropped and rebuilt; otherwise SQLite in a
temporary folder) is migrated and seeded with bulk inserts (bench/seeddata.py): 200 groups,
2,000 members, 100,000 innovations; the person measured is in 20 of the groups (each with a
stand-up schedule, two with an open stand-up they have not answered), and so is a coordinator
(whose Home adds the lead pickers). The bot runs in this process behind a real HTTP server
(waitress, as the suite runs it) against the bench fake Slack (bench/slack.py), which checks
views.publish's hash as Slack does.

Rounds alternate, so both kinds of work meet the same machine: per round
- `home build`: services.home.home_of + the Block Kit (what a publish builds), for the member and
  the coordinator: time, and the SQL statements it sends (transaction control excluded);
- `home event`: a signed `app_home_opened` into POST /slack/events until the bot is idle again
  (the delivery claim, the reader's language, the build, views.publish to the fake, the stored hash);
- `group list build` / `group list command`: the same two for `/spindle group list`.
Goal (issue 12): a Home's p95 build under 100 ms, and at most 10 statements, not growing with the data.
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time

from bench.common import backend_of, percentile, scratch_database
from bench.seeddata import SEEDED_AT, advance_sequences, seed_innovations, seed_people, settle
from bench.slack import BenchSlack
from tests.test_statement_counts import counting  # the same count the suite enforces

GROUPS, MEMBERS, MINE = 200, 2000, 20
USER, COORDINATOR = "UHOME", "UCOORDHOME"


def seed(url: str, innovations: int) -> None:
    from models.db import Database
    from models.standups import RunStatus, StandupPrompt, StandupRun, StandupSchedule

    db = Database(url)
    members = [f"UB{i:05d}" for i in range(MEMBERS)]
    groups = [(f"group-{g:03d}-" + "x" * 20, f"C{g:05d}", members[g]) for g in range(GROUPS)]
    mine = list(range(1, GROUPS + 1, GROUPS // MINE))  # group ids 1, 11, 21, …: 20 groups
    memberships = [(g, m) for i, m in enumerate(members) for g in {i % GROUPS + 1, (i * 7) % GROUPS + 1}]
    memberships += [(g, who) for g in mine for who in (USER, COORDINATOR)]
    seed_people(db, [USER, COORDINATOR, *members], groups, memberships, 50, coordinators=[COORDINATOR])
    seed_innovations(db, 1, innovations, GROUPS, members, 50, changes=1, unique_texts=False)
    advance_sequences(db)
    with db.transaction() as s:
        for g in mine:
            s.add(
                StandupSchedule(group_id=g, days="mon,wed,fri", local_time="09:30", tz="Europe/Amsterdam", active=True)
            )
        for g in mine[:2]:
            run = StandupRun(group_id=g, due_at=SEEDED_AT, claimed_at=SEEDED_AT, status=RunStatus.OPEN)
            s.add(run)
            s.flush()
            s.add(StandupPrompt(run_id=run.id, member_id=USER, sent_at=SEEDED_AT))
    settle(db)
    db.dispose()


def run(url: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    from waitress.server import create_server

    from bot.app import build
    from bot.settings import load_settings
    from handlers.ui import groups as groups_ui
    from handlers.ui.home import home_view
    from services import groups, home
    from services.actor import Actor
    from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, SlackDriver

    fake = BenchSlack()
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": url, "SPINDLE_SCHEDULER": "off", "SPINDLE_RATE_LIMIT": "0",
           "SPINDLE_TIMEZONE": "Europe/Amsterdam", "SPINDLE_COORDINATORS": COORDINATOR}  # fmt: skip
    runtime = build(load_settings(env))
    server = create_server(runtime.wsgi, host="127.0.0.1", port=0, threads=8, ident="bench-home")
    threading.Thread(target=server.run, name="bench-http", daemon=True).start()
    slack = SlackDriver(f"http://127.0.0.1:{server.effective_port}", fake, runtime.executor.wait_idle)
    uow, engine = runtime.deps.uow, runtime.db.engine
    times: dict[str, list[float]] = {k: [] for k in ("home build", "home build (coordinator)", "home event",
                                                     "group list build", "group list command")}  # fmt: skip
    statements: dict[str, int] = {}
    ids, run_id = itertools.count(1), int(time.time())  # event ids new on every run (--reuse)

    def timed(name: str, work) -> None:
        with counting(engine) as seen:
            start = time.perf_counter()
            work()
            times[name].append((time.perf_counter() - start) * 1000)
        statements[name] = max(statements.get(name, 0), len(seen))

    def event() -> None:
        slack.event({"type": "app_home_opened", "user": USER, "tab": "home"}, event_id=f"EvBench{run_id}-{next(ids)}")

    def command() -> None:
        r = slack.command("group list", user=USER)
        assert r.status == 200 and "group-000" in r.text, r.text[:200]

    try:
        for n in range(rounds + 5):  # the first 5 warm the caches and the pool; not kept
            timed("home build", lambda: home_view(home.home_of(uow, USER)))
            timed("home build (coordinator)", lambda: home_view(home.home_of(uow, COORDINATOR)))
            timed("home event", event)
            timed("group list build", lambda: groups_ui.list_blocks(groups.list_groups(uow, Actor(USER)).rows))
            timed("group list command", command)
            if n == 4:  # warmed up (a first publish may heal a stale hash: read twice)
                for kept in times.values():
                    kept.clear()
                statements.clear()
        view = home_view(home.home_of(uow, COORDINATOR))
        published = fake.stats()["served"].get("views.publish", 0)
        assert published >= rounds and len(view["blocks"]) <= 100, (published, len(view["blocks"]))
    finally:
        server.close()
        runtime.db.dispose()
        fake.close()
    return times, statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--innovations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--reuse", action="store_true", help="with --database-url: measure what an earlier run of this bench seeded"
    )
    args = parser.parse_args()
    if args.reuse and args.database_url:
        times, statements = run(args.database_url, args.rounds)
        print(f"{backend_of(args.database_url)}: the database an earlier run seeded")
    else:
        with scratch_database(args.database_url, prefix="spindle-bench-home-") as (url, _tmp):
            started = time.perf_counter()
            seed(url, args.innovations)
            print(f"{backend_of(url)}: {GROUPS} groups, {MEMBERS:,} members, {args.innovations:,} innovations, "
                  f"the member in {MINE} groups; seeded in {time.perf_counter() - started:.0f} s")  # fmt: skip
            times, statements = run(url, args.rounds)
    print(f"{'':28} {'p50 ms':>8} {'p95 ms':>8} {'statements':>11}")
    for name, values in times.items():
        ordered = sorted(values)
        p50, p95 = percentile(ordered, 0.5), percentile(ordered, 0.95)
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {statements[name]:>11}")
    home95 = percentile(sorted(times["home build"]), 0.95)
    list95 = percentile(sorted(times["group list build"]), 0.95)
    print(f"home build p95 / group list build p95: {home95 / list95:.1f}x; goal: home p95 < 100 ms, <= 10 statements")


if __name__ == "__main__":
    main()
