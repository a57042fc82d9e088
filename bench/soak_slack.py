"""The soak benchmark's fake Slack: the suite's FakeSlack in a child process, failing a share of calls.

It runs in its own process so that answering the bot's Web API calls does not compete with the
load generator for one interpreter lock (the latencies the soak measures are the bot's, not ours).
It keeps counts rather than every call (a soak makes hundreds of thousands), and reports each
stand-up prompt DM (the message with the answer button) to the parent through a queue, so the
load generator can click it and answer, as a person would.
"""

from __future__ import annotations

import random
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakeslack import Call, FakeSlack  # noqa: E402

ANSWER_ACTION = "standup_answer"  # handlers/ui/standups.py: the DM button's action_id
NOT_FAILED = ("response_url", "upload")  # not Web API methods: webhooks and file bytes


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


class FaultySlack(FakeSlack):
    """Answers like the suite's fake, but fails `fail_rate` of all Web API calls with 429 or 500."""

    def __init__(self, fail_rate: float, seed: int, events=None) -> None:
        self.fail_rate = fail_rate
        self.failing = False
        self.events = events  # multiprocessing queue: ("prompt", prompt_id, user, channel, ts)
        self._rng = random.Random(seed)
        self._counts_lock = threading.Lock()
        self.served: Counter[str] = Counter()  # method → answered ok
        self.failed: Counter[str] = Counter()  # "429" / "500" → injected failures
        self.prompt_posts: Counter[int] = Counter()  # prompt id → successful DMs (not reminders)
        self.reminders: Counter[int] = Counter()
        self.channel_posts: Counter[str] = Counter()  # channel → successful posts there
        super().__init__()

    def _record(self, call: Call) -> tuple[int, dict[str, str], dict]:
        if self.failing and call.method not in NOT_FAILED:
            with self._counts_lock:
                fail = self._rng.random() < self.fail_rate
                status = self._rng.choice((429, 500)) if fail else 0
                if fail:
                    self.failed[str(status)] += 1
            if fail:
                if status == 429:
                    return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
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
                "prompts": len(self.prompt_posts),
                "duplicate_prompts": sum(n - 1 for n in self.prompt_posts.values() if n > 1),
                "reminders": sum(self.reminders.values()),
                "channel_posts": dict(self.channel_posts),
            }


def serve(conn, events, fail_rate: float, seed: int, users: list[str]) -> None:
    """Child-process entry: start the fake, send its base URL, then obey the parent's commands."""
    from http.server import ThreadingHTTPServer

    # The bot opens a connection per Web API call; the default listen backlog of 5 would drop
    # bursts of them (a dropped SYN costs the caller a second), which is not Slack's behaviour.
    ThreadingHTTPServer.request_queue_size = 512
    fake = FaultySlack(fail_rate, seed, events)
    for user in users:
        fake.add_user(user, user.lower(), tz="UTC")
    conn.send(fake.base)
    try:
        while True:
            try:
                command = conn.recv()
            except EOFError:  # the parent is gone
                break
            if command == "fail-on":
                fake.failing = True
                conn.send(True)
            elif command == "fail-off":
                fake.failing = False
                conn.send(True)
            elif command == "stats":
                conn.send(fake.stats())
            elif command == "stop":
                conn.send(True)
                break
    finally:
        fake.close()
