"""The soak's main: set up, drive the traffic, wait for the after-ack work, count, report."""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

from bench import procstat
from bench.common import backend_of, drop_schema, free_port, scratch_database
from bench.soak import processes, seed
from bench.soak.client import Bot
from bench.soak.driver import run_workers
from bench.soak.report import report
from bench.soak.store import Store
from bench.soak.traffic import Traffic
from bench.soak.world import Stats
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=(__package__ or "soak"))
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the traffic phase")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--innovations", type=int, default=100_000, help="bulk-inserted before the traffic")
    parser.add_argument("--standup-groups", type=int, default=12, help="groups with a schedule due in the run")
    parser.add_argument("--fail-rate", type=float, default=0.05, help="share of Web API calls that fail")
    parser.add_argument("--standup-every", type=float, default=30.0, help="seconds between a lead's `standup now`")
    parser.add_argument("--quiet", type=float, default=10.0, help="least seconds to wait after the traffic")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--double-share",
        type=float,
        default=0.03,
        help="share of modal submissions sent twice at once with the same view",
    )
    parser.add_argument("--rate", type=float, default=0.0, help="cap on steps a second (default: none, closed loop)")
    parser.add_argument("--p95-target", type=float, default=0.0, help="ms (default: 200 PostgreSQL, 300 SQLite)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--logs", default="", help="a folder to copy the processes' logs to when a target is missed")
    args = parser.parse_args()
    if args.concurrency < 1 or args.groups < 1 or args.members < args.groups or args.seconds <= 0:
        parser.error("need concurrency >= 1, groups >= 1, members >= groups and seconds > 0")
    args.standup_groups = min(args.standup_groups, args.groups)
    return args


def main() -> int:
    args = parse_args()

    def _terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # also when started in the background (SIGINT ignored)
    rng_seed = args.seed or random.SystemRandom().randrange(1, 1_000_000)
    exit_code = 1
    with scratch_database(args.database_url, migrate=False, prefix="spindle-soak-") as (url, workdir):
        try:
            exit_code = soak(args, url, workdir, rng_seed)
        except KeyboardInterrupt as exc:
            print(f"soak interrupted ({exc or 'Ctrl-C'}); stopping the processes", file=sys.stderr)
            exit_code = 130
        if args.logs and exit_code not in (0, 130):  # kept for the post-mortem only when asked
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            for name in ("web.log", "clock.log"):
                if (workdir / name).exists():
                    kept = Path(args.logs) / f"spindle-soak-{rng_seed}-{name}"
                    kept.write_bytes((workdir / name).read_bytes())
                    print(f"{name} kept at {kept}", file=sys.stderr)
    return exit_code


def soak(args, url: str, workdir: Path, rng_seed: int) -> int:
    from bot import gunicorn_conf
    from bot.scheduler import TICK_SECONDS

    backend = backend_of(url)
    args.p95_target = args.p95_target or (200.0 if backend == "postgresql" else 300.0)
    world = seed.make_world(f"soak{rng_seed:06d}", args.groups, args.members, args.standup_groups, rng_seed)
    stats = Stats()
    stop_event = threading.Event()
    slack = web = clock = store = None
    try:
        users = [seed.COORDINATOR, *world.member_group]
        slack = processes.SlackProcess(args.fail_rate, rng_seed, users, world.add_prompt)
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": url,
            "SPINDLE_COORDINATORS": seed.COORDINATOR,
            "SPINDLE_TIMEZONE": "Europe/Amsterdam",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("SLACK_APP_TOKEN", None)
        drop_schema(url)
        processes.release(env)
        t0 = time.monotonic()
        seed.seed_database(url, world, args.innovations)
        seeded = time.monotonic() - t0

        port = free_port()
        web = processes.spawn(processes.web_argv(port), {**env, "SPINDLE_SCHEDULER": "off"}, workdir / "web.log")
        clock = processes.spawn(processes.CLOCK_ARGV, env, workdir / "clock.log")
        processes.wait_healthy(port, web)
        time.sleep(1.0)
        if clock.poll() is not None:
            raise SystemExit(f"clock exited with {clock.returncode}: {(workdir / 'clock.log').read_text()[-500:]}")
        slack.ask("fail-on")  # from here on, every Web API call may fail (auth.test at start excepted)

        bot = Bot(port, slack.base)
        workers = f"{gunicorn_conf.workers}x{gunicorn_conf.threads}"  # the web process reads the same environment
        print(
            f"soak: database={backend} seconds={args.seconds:g} concurrency={args.concurrency} "
            f"rate={'max' if not args.rate else f'{args.rate:g}/s'} fail-rate={args.fail_rate:.0%} "
            f"cores={os.cpu_count()} web=gunicorn gthread {workers} seed={rng_seed}",
            flush=True,
        )
        start_at, dues = seed.plan_dues(seed.now_utc(), args.seconds, TICK_SECONDS, args.standup_groups)
        seed.set_schedules(bot, world, dues)
        due_set = sorted({f"{d:%H:%M}" for d in dues})
        print(
            f"set-up: {args.groups} groups, {args.members} members, {args.innovations} innovations seeded in "
            f"{seeded:.1f} s; {args.standup_groups} daily stand-ups due at {', '.join(due_set)} UTC; "
            f"traffic from {start_at:%H:%M:%S} UTC",
            flush=True,
        )
        time.sleep(max(0.0, (start_at - seed.now_utc()).total_seconds()))

        start = time.monotonic()
        standup_groups = [g for g in world.groups if g.standup]
        for i, g in enumerate(standup_groups):  # leads' `standup now`, staggered over one period
            g.next_now = start + 2.0 + i * args.standup_every / len(standup_groups)
        traffic = Traffic(bot, world, stats, args.standup_every, args.double_share)
        roots = {"web": web.pid, "clock": clock.pid, "fake slack": slack.proc.pid, "soak client": os.getpid()}
        cpu_before = procstat.cpu_snapshot(roots, postgres=backend == "postgresql")
        with procstat.MemorySampler({"web": web.pid, "clock": clock.pid}) as memory:
            wall = run_workers(
                traffic, args.concurrency, args.seconds, args.max_requests, rng_seed, stop_event, args.rate
            )
            cpu = procstat.cpu_delta(cpu_before, procstat.cpu_snapshot(roots, postgres=backend == "postgresql"))
        # The processes are children of the client: its own share is its tree minus theirs.
        cpu["soak client"] = cpu.get("soak client", 0.0) - sum(cpu.get(k, 0.0) for k in ("web", "clock", "fake slack"))

        store = Store(url, world.tag)
        quiet = wait_quiet(store, set(due_set), args.standup_groups, args.quiet)
        return report(
            args,
            stats,
            wall,
            quiet,
            world,
            store.titles(),
            store.tokens(),
            store.runs(set(due_set)),
            slack.ask("stats"),
            workdir,
            cpu,
            memory.peak,
            args.standup_groups,
        )
    finally:
        stop_event.set()
        processes.stop(web, "web")
        processes.stop(clock, "clock")
        if slack is not None:
            slack.close()
        if store is not None:
            store.dispose()


def wait_quiet(store: Store, due_set: set[str], scheduled: int, least: float) -> float:
    """After the traffic: wait `least` seconds, then until the stored counts are still for 3 s and
    every scheduled run has started (at most 60 s more). Returns the seconds waited."""
    started = time.monotonic()
    time.sleep(least)
    last, stable_since = None, time.monotonic()
    while time.monotonic() - started < least + 60:
        runs = store.runs(due_set)
        counts = (sum(store.titles().values()), sum(store.tokens().values()), runs.get("prompts_sent"))
        if counts != last:
            last, stable_since = counts, time.monotonic()
        elif time.monotonic() - stable_since >= 3 and runs.get("scheduled", 0) >= scheduled:
            break
        time.sleep(1)
    return time.monotonic() - started
