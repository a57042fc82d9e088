"""Stand-up fan-out under Slack's rate limits: 20 groups x 10 members due in the same minute.

A fake Slack on 127.0.0.1 enforces, for chat.postMessage, 1 message a second per channel and a
workspace budget of 300 a minute (a token bucket of 5 a second with a burst of 5, and never more
than 300 in any 60 s), answering 429 with Retry-After beyond. The bot's real tick, pacer and
WebClient (with its RateLimitErrorRetryHandler) deliver the stand-up; the database is SQLite in a
temporary folder unless --database-url is given (it must be a scratch database: it is migrated).

Prints prompts delivered, duplicates, lost, elapsed time and, last, the ratio of elapsed time to
the minimum the limits allow.

    .venv/bin/python -m bench.standup_fanout [--groups 20] [--members 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.app import build  # noqa: E402
from bot.scheduler import standup_tick  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.slack_messenger import Pacer  # noqa: E402
from models.clock import FakeClock  # noqa: E402
from models.db import migrate  # noqa: E402
from models.groups import Group, Membership  # noqa: E402
from models.people import Member  # noqa: E402
from models.standups import StandupRun, StandupSchedule  # noqa: E402
from tests.fakeslack import Call, FakeSlack  # noqa: E402
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET  # noqa: E402

DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Mon 30 Nov 2026, 09:30 in Amsterdam
PER_CHANNEL_SECONDS = 1.0
PER_MINUTE = 300
BURST = 5  # the workspace bucket holds one second's worth
DEADLINE_SECONDS = 300  # the bench stops by itself, whatever happens


class RateLimitedSlack(FakeSlack):
    """The suite's fake Slack, with Slack's posting limits on chat.postMessage."""

    def __init__(self) -> None:
        self._limits = threading.Lock()
        self._tokens = float(BURST)
        self._refilled = time.monotonic()
        self._window: deque[float] = deque()
        self._channel_last: dict[str, float] = {}
        self.accepted: list[tuple[str, float]] = []
        self.rejected = 0
        super().__init__()

    def _record(self, call: Call):
        if call.method != "chat.postMessage":
            return super()._record(call)
        channel = str(call.params.get("channel"))
        with self._limits:
            now = time.monotonic()
            self._tokens = min(BURST, self._tokens + (now - self._refilled) * PER_MINUTE / 60)
            self._refilled = now
            while self._window and now - self._window[0] >= 60:
                self._window.popleft()
            wait = 0.0
            since = now - self._channel_last.get(channel, -math.inf)
            if since < PER_CHANNEL_SECONDS:
                wait = PER_CHANNEL_SECONDS - since
            if self._tokens < 1:
                wait = max(wait, (1 - self._tokens) * 60 / PER_MINUTE)
            if len(self._window) >= PER_MINUTE:
                wait = max(wait, 60 - (now - self._window[0]))
            if wait <= 0:
                self._tokens -= 1
                self._window.append(now)
                self._channel_last[channel] = now
                self.accepted.append((channel, now))
        if wait > 0:
            self.rejected += 1
            call.params["_failed"] = True
            with self._lock:
                self.calls.append(call)
            # Slack sends whole seconds.
            return 429, {"Retry-After": str(max(1, math.ceil(wait)))}, {"ok": False, "error": "ratelimited"}
        return super()._record(call)


def seed(db, groups: int, members: int) -> list[str]:
    """`groups` groups of `members` distinct members, each with a channel and a 09:30 schedule."""
    everyone: list[str] = []
    created = DUE - timedelta(days=1)
    with db.transaction() as s:
        for g in range(groups):
            group = Group(handle=f"group-{g:02d}", description="", channel_id=f"C{g:03d}", created_at=created)
            s.add(group)
            s.flush()
            for m in range(members):
                uid = f"U{g:02d}{m:03d}"
                s.add(Member(id=uid, name=f"member {uid}", created_at=created))
                s.flush()
                s.add(Membership(group_id=group.id, member_id=uid, joined_at=created + timedelta(seconds=m)))
                everyone.append(uid)
            group.lead_id = f"U{g:02d}000"
            s.add(
                StandupSchedule(
                    group_id=group.id, days="mon,tue,wed,thu,fri", local_time="09:30", tz="Europe/Amsterdam",
                    active=True, questions="", reminder_minutes=120, effective_from=created,
                    lead_warned_no_channel=False,
                )
            )  # fmt: skip
    return everyone


def minimum_seconds(accepted: list[tuple[str, float]]) -> float:
    """The least time the limits allow for these messages: the workspace budget or the busiest channel."""
    n = len(accepted)
    workspace = max(0, n - BURST) * 60 / PER_MINUTE
    per_channel = Counter(ch for ch, _ in accepted)
    busiest = (max(per_channel.values()) - 1) * PER_CHANNEL_SECONDS if per_channel else 0.0
    return max(workspace, busiest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    fake = RateLimitedSlack()
    tmp = tempfile.TemporaryDirectory(prefix="spindle-bench-")
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    migrate(url)
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": url, "SPINDLE_TIMEZONE": "Europe/Amsterdam", "SPINDLE_SCHEDULER": "off",
        }
    )  # fmt: skip
    clock = FakeClock(DUE + timedelta(seconds=10))
    runtime = build(settings, clock=clock)
    deps = runtime.deps
    deps.paced_messenger.pacer = Pacer(per_channel_seconds=PER_CHANNEL_SECONDS, per_minute=PER_MINUTE)
    expected = seed(runtime.db, args.groups, args.members)
    fake.reset()

    started = time.monotonic()
    ticks = 0
    try:
        while time.monotonic() - started < DEADLINE_SECONDS and ticks < 50:
            standup_tick(deps, clock.now())
            ticks += 1
            with runtime.db.transaction() as s:
                statuses = Counter(s.scalars(select(StandupRun.status)))
            if statuses.get("open", 0) >= args.groups:
                break
            clock.advance(timedelta(seconds=30))  # the scheduler's next tick, 30 s later
        elapsed = time.monotonic() - started
    finally:
        runtime.executor.shutdown(wait=False)
        runtime.db.dispose()
        fake.close()
        tmp.cleanup()

    per_member = Counter(ch for ch, _ in fake.accepted if ch.startswith("U"))
    channel_posts = Counter(ch for ch, _ in fake.accepted if ch.startswith("C"))
    duplicates = sum(n - 1 for n in per_member.values() if n > 1) + sum(n - 1 for n in channel_posts.values() if n > 1)
    lost = len(set(expected) - set(per_member)) + (args.groups - len(channel_posts))
    minimum = minimum_seconds(fake.accepted)
    print(f"groups x members:      {args.groups} x {args.members} ({len(expected)} members)")
    print(f"limits:                {PER_CHANNEL_SECONDS:g}/s per channel, {PER_MINUTE}/min workspace (burst {BURST})")
    print(f"ticks:                 {ticks}")
    print(f"channel posts:         {sum(channel_posts.values())} of {args.groups}")
    print(f"prompts delivered:     {len(per_member)} of {len(expected)}")
    print(f"duplicates:            {duplicates}")
    print(f"lost:                  {lost}")
    print(f"429 answers:           {fake.rejected}")
    print(f"messages accepted:     {len(fake.accepted)}")
    print(f"minimum time allowed:  {minimum:.1f} s")
    print(f"elapsed:               {elapsed:.1f} s")
    print(f"ratio elapsed/minimum: {elapsed / minimum if minimum else float('nan'):.3f}")
    return 0 if duplicates == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
