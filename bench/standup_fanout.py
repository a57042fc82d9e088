"""Stand-up fan-out under Slack's documented rate limits: 20 groups x 10 members due in the same minute.

The benches' fake Slack (bench/slack.py) enforces Slack's published limits on its own: for
chat.postMessage one message a second per channel with short bursts (a bucket of 3) and a
workspace-wide budget of 300 a minute (a bucket of 30), the method tiers for everything else;
beyond them it answers 429 with Retry-After. Those are Slack's numbers, not the bot's: the bot runs
with its default pacer and WebClient retry handler, configured by nothing here. The bot's real
tick delivers the stand-up on a scratch database (`--database-url`: its schema is dropped and
rebuilt; otherwise SQLite in a temporary folder, removed at the end).

Prints prompts delivered, duplicates, lost, the 429s Slack answered, elapsed time and, last, the
ratio of elapsed time to the least time those limits allow for the messages sent.

    .venv/bin/python -m bench.standup_fanout [--groups 20] [--members 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench.common import backend_of, scratch_database
from bench.seeddata import advance_sequences, seed_people
from bench.slack import (
    POST_CHANNEL_BURST,
    POST_PER_CHANNEL_SECONDS,
    POST_WORKSPACE_BURST,
    POST_WORKSPACE_PER_MINUTE,
    BenchSlack,
    SlackLimits,
)
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET

DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Mon 30 Nov 2026, 09:30 in Amsterdam
DEADLINE_SECONDS = 300  # the bench stops by itself, whatever happens


def seed(runtime, groups: int, members: int) -> list[str]:
    """`groups` groups of `members` distinct members, each with a channel and a weekday 09:30 schedule."""
    from models.people import Member
    from models.standups import set_schedule

    everyone = [f"U{g:02d}{m:03d}" for g in range(groups) for m in range(members)]
    rows = [(f"group-{g:02d}", f"C{g:03d}", f"U{g:02d}000") for g in range(groups)]
    memberships = [(g + 1, f"U{g:02d}{m:03d}") for g in range(groups) for m in range(members)]
    seed_people(runtime.db, everyone, rows, memberships, organisations=0)
    advance_sequences(runtime.db)
    with runtime.db.transaction() as s:
        for handle, _channel, lead in rows:  # the domain's own call, as `/spindle standup HANDLE set` makes it
            weekdays = ("mon", "tue", "wed", "thu", "fri")
            set_schedule(s, s.get(Member, lead), handle, weekdays, "09:30", "Europe/Amsterdam", DUE - timedelta(days=1))
    return everyone


def minimum_seconds(accepted: list[tuple[str, float]]) -> float:
    """The least time these limits allow for these messages: the workspace budget or the busiest channel."""
    workspace = max(0, len(accepted) - POST_WORKSPACE_BURST) * 60 / POST_WORKSPACE_PER_MINUTE
    per_channel = Counter(ch for ch, _ in accepted)
    busiest = max(per_channel.values(), default=0)
    return max(workspace, max(0, busiest - POST_CHANNEL_BURST) * POST_PER_CHANNEL_SECONDS)


def deliver(runtime, clock, groups: int) -> tuple[int, float]:
    """The scheduler's ticks, 30 s apart on the injected clock, until every run is open."""
    from sqlalchemy import func, select

    from bot.scheduler import standup_tick
    from models.standups import StandupRun

    started = time.monotonic()
    ticks = 0
    while time.monotonic() - started < DEADLINE_SECONDS and ticks < 50:
        standup_tick(runtime.deps, clock.now())
        ticks += 1
        with runtime.db.transaction() as s:
            opened = s.scalar(select(func.count()).select_from(StandupRun).where(StandupRun.status == "open"))
        if opened >= groups:
            break
        clock.advance(timedelta(seconds=30))
    return ticks, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    from bot.app import build
    from bot.settings import load_settings
    from models.clock import FakeClock

    fake = BenchSlack(limits=SlackLimits())
    runtime = None
    try:
        with scratch_database(args.database_url) as (url, _tmp):
            settings = load_settings(
                {
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.api_url,
                    "DATABASE_URL": url,
                    "SPINDLE_TIMEZONE": "Europe/Amsterdam",
                    "SPINDLE_SCHEDULER": "off",
                }
            )
            clock = FakeClock(DUE + timedelta(seconds=10))
            runtime = build(settings, clock=clock)
            expected = seed(runtime, args.groups, args.members)
            before = fake.stats()
            ticks, elapsed = deliver(runtime, clock, args.groups)
            runtime.executor.shutdown(wait=True)
            runtime.db.dispose()
            runtime = None
    finally:
        if runtime is not None:
            runtime.executor.shutdown(wait=False)
            runtime.db.dispose()
        fake.close()

    accepted = list(fake.accepted_posts)
    per_member = Counter(ch for ch, _ in accepted if ch.startswith("U"))
    channel_posts = Counter(ch for ch, _ in accepted if ch.startswith("C"))
    duplicates = sum(n - 1 for n in per_member.values() if n > 1) + sum(n - 1 for n in channel_posts.values() if n > 1)
    lost = len(set(expected) - set(per_member)) + (args.groups - len(channel_posts))
    limited = Counter(fake.stats()["limited"]) - Counter(before["limited"])
    minimum = minimum_seconds(accepted)
    print(f"database:              {backend_of(url)}")
    print(f"groups x members:      {args.groups} x {args.members} ({len(expected)} members)")
    print(
        f"slack's limits:        chat.postMessage {POST_PER_CHANNEL_SECONDS:g}/s per channel (burst "
        f"{POST_CHANNEL_BURST}), {POST_WORKSPACE_PER_MINUTE}/min workspace (burst {POST_WORKSPACE_BURST}); "
        "other methods by tier"
    )
    print(f"ticks:                 {ticks}")
    print(f"channel posts:         {sum(channel_posts.values())} of {args.groups}")
    print(f"prompts delivered:     {len(per_member)} of {len(expected)}")
    print(f"duplicates:            {duplicates}")
    print(f"lost:                  {lost}")
    print(f"429 answers:           {sum(limited.values())} {dict(limited)}")
    print(f"messages accepted:     {len(accepted)}")
    print(f"minimum time allowed:  {minimum:.1f} s")
    print(f"elapsed:               {elapsed:.1f} s")
    print(f"ratio elapsed/minimum: {elapsed / minimum if minimum else float('nan'):.3f}")
    return 0 if duplicates == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
