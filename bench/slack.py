"""The benches' fake Slack: the suite's FakeSlack (tests/fakeslack.py), made to count and to push back.

One fake for the whole project: this subclass only adds what a bench needs on top of it.
- It keeps counts instead of every call (a soak makes hundreds of thousands).
- `fail_rate`: that share of all Web API calls fails at random with 429 (Retry-After: 1) or 500.
- `limits`: Slack's documented rate limits (SlackLimits), enforced with 429 + Retry-After.
  They are Slack's numbers, not the bot's pacer settings: a bench that passes both the same
  constants only shows that the pacer matches its own model.
- It reports each stand-up prompt DM (the message with the answer button) through a queue, so a
  load generator can click it and answer, as a person would; `serve` runs it in a child process.
"""

from __future__ import annotations

import math
import random
import sys
import threading
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakeslack import Call, FakeSlack  # noqa: E402

ANSWER_ACTION = "standup_answer"  # handlers/ui/standups.py: the DM button's action_id
NOT_WEB_API = ("response_url", "upload")  # webhooks and file bytes: no Web API limits, never failed

# https://api.slack.com/docs/rate-limits: "per API method per app per workspace".
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIER = {
    "auth.test": 4,
    "users.info": 4,
    "conversations.open": 3,
    "chat.update": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}
DEFAULT_TIER = 3
# chat.postMessage (special tier): "one message per second per channel … short bursts >1 allowed",
# and a workspace-wide limit that Slack leaves unnumbered ("several hundred messages per minute").
POST_PER_CHANNEL_SECONDS = 1.0
POST_CHANNEL_BURST = 3
POST_WORKSPACE_PER_MINUTE = 300
POST_WORKSPACE_BURST = 30


class _Bucket:
    """A token bucket that says how long until the next token (the Retry-After)."""

    def __init__(self, per_second: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = per_second, burst, burst, time.monotonic()

    def wait(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class SlackLimits:
    """Slack's documented limits; `check` spends a token, or returns the seconds to wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._methods: dict[str, _Bucket] = {}
        self._channels: dict[str, _Bucket] = {}
        self._workspace = _Bucket(POST_WORKSPACE_PER_MINUTE / 60, POST_WORKSPACE_BURST)

    def check(self, call: Call) -> float:
        now = time.monotonic()
        with self._lock:
            if call.method == "chat.postMessage":
                channel = str(call.params.get("channel") or "")
                bucket = self._channels.setdefault(channel, _Bucket(1 / POST_PER_CHANNEL_SECONDS, POST_CHANNEL_BURST))
                buckets = [bucket, self._workspace]
            else:
                per_minute = TIER_PER_MINUTE[METHOD_TIER.get(call.method, DEFAULT_TIER)]
                # "N+ per minute" with bursts tolerated: a bucket holding one minute's worth.
                buckets = [self._methods.setdefault(call.method, _Bucket(per_minute / 60, per_minute))]
            wait = max(b.wait(now) for b in buckets)
            if wait == 0:
                for b in buckets:
                    b.tokens -= 1
            return wait


def prompt_id_of(blocks: Any) -> int | None:
    """The prompt id carried by a stand-up DM's answer button, if the message has one."""
    if not isinstance(blocks, list):
        return None
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "actions":
            continue
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == ANSWER_ACTION:
                try:
                    return int(element.get("value"))
                except (TypeError, ValueError):
                    return None
    return None


class BenchSlack(FakeSlack):
    """Answers like the suite's fake; counts, fails `fail_rate` of calls, enforces `limits`."""

    def __init__(self, fail_rate: float = 0.0, seed: int = 0, events=None, limits: SlackLimits | None = None) -> None:
        self.fail_rate = fail_rate
        self.failing = False  # failures start when the bench says so (the bot's start-up excepted)
        self.limits = limits
        self.events = events  # a queue: ("prompt", prompt_id, channel, ts)
        self._rng = random.Random(seed)
        self._counts_lock = threading.Lock()
        self.served: Counter[str] = Counter()  # method → answered ok
        self.failed: Counter[str] = Counter()  # "429" / "500" → injected failures
        self.limited: Counter[str] = Counter()  # method → 429s from Slack's limits
        self.prompt_posts: Counter[int] = Counter()  # prompt id → successful DMs (not reminders)
        self.reminders: Counter[int] = Counter()
        self.channel_posts: Counter[str] = Counter()  # channel → successful posts there
        self.accepted_posts: deque[tuple[str, float]] = deque()  # (channel, when) of each posted message
        super().__init__()

    def _record(self, call: Call) -> tuple[int, dict[str, str], dict]:
        if call.method not in NOT_WEB_API:
            if self.limits is not None:
                wait = self.limits.check(call)
                if wait > 0:
                    with self._counts_lock:
                        self.limited[call.method] += 1
                    # Slack sends whole seconds.
                    return 429, {"Retry-After": str(max(1, math.ceil(wait)))}, {"ok": False, "error": "ratelimited"}
            if self.failing and self.fail_rate:
                with self._counts_lock:
                    status = self._rng.choice((429, 500)) if self._rng.random() < self.fail_rate else 0
                    if status:
                        self.failed[str(status)] += 1
                if status == 429:
                    return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
                if status:
                    return 500, {}, {"ok": False, "error": "fatal_error"}
        answer = self._default(call)  # nothing stored: counts only
        with self._counts_lock:
            self.served[call.method] += 1
        if call.method == "chat.postMessage":
            self._note_post(call, answer)
        return 200, {}, answer

    def _note_post(self, call: Call, answer: dict) -> None:
        channel = str(call.params.get("channel") or "")
        prompt_id = prompt_id_of(call.params.get("blocks"))
        reminder = str(call.params.get("text") or "").startswith("Reminder")
        with self._counts_lock:
            self.channel_posts[channel] += 1
            self.accepted_posts.append((channel, time.monotonic()))
            if prompt_id is None:
                return
            if reminder:
                self.reminders[prompt_id] += 1
                return
            self.prompt_posts[prompt_id] += 1
            first = self.prompt_posts[prompt_id] == 1
        if first and self.events is not None:
            self.events.put(("prompt", prompt_id, channel, str(answer.get("ts") or "")))

    def stats(self) -> dict:
        with self._counts_lock:
            return {
                "served": dict(self.served),
                "failed": dict(self.failed),
                "limited": dict(self.limited),
                "prompts": len(self.prompt_posts),
                "duplicate_prompts": sum(n - 1 for n in self.prompt_posts.values() if n > 1),
                "reminders": sum(self.reminders.values()),
                "channel_posts": dict(self.channel_posts),
            }


def serve(conn, events, fail_rate: float, seed: int, users: list[str]) -> None:
    """Child-process entry: start the fake, send its base URL, then obey the parent's commands.

    In its own process, answering the bot's calls does not compete with the load generator for
    one interpreter lock (the latencies a soak measures are the bot's, not ours).
    """
    from http.server import ThreadingHTTPServer

    # The bot opens a connection per Web API call; the default listen backlog of 5 would drop
    # bursts of them (a dropped SYN costs the caller a second), which is not Slack's behaviour.
    ThreadingHTTPServer.request_queue_size = 512
    fake = BenchSlack(fail_rate, seed, events)
    for user in users:
        fake.add_user(user, user.lower(), tz="UTC")
    conn.send(fake.base)
    try:
        while True:
            try:
                command = conn.recv()
            except EOFError:  # the parent is gone
                break
            if command in ("fail-on", "fail-off"):
                fake.failing = command == "fail-on"
                conn.send(True)
            elif command == "stats":
                conn.send(fake.stats())
            elif command == "stop":
                conn.send(True)
                break
    finally:
        fake.close()
