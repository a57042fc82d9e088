"""What the soak keeps: per-kind counts and latencies, and the world the traffic needs (groups,
innovation refs, prompts waiting for an answer, what was acknowledged)."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from bench.soak.client import Result
from handlers.ratelimit import RateLimiter

# The server allows 20 commands a minute per person (per web process): the client keeps a
# slightly stricter mirror with the project's own limiter, so the soak measures the system.
RATE, PER = 19, 60.0


@dataclass
class KindStats:
    sent: int = 0
    ok: int = 0
    refused: int = 0  # 200, but the answer was a refusal or an inline error
    failed: int = 0  # no response or not 200
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.kinds: dict[str, KindStats] = defaultdict(KindStats)
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.rate_limited = 0

    def add(self, kind: str, result: Result, ok: bool, why: str = "") -> None:
        with self._lock:
            k = self.kinds[kind]
            k.sent += 1
            k.latencies.append(result.latency)
            self.latencies.append(result.latency)
            self.statuses[result.status] += 1
            if result.status != 200:
                k.failed += 1
                why = why or f"HTTP {result.status or 'no response'}"
            elif ok:
                k.ok += 1
            else:
                k.refused += 1
                if "faster than I can take them" in why:
                    self.rate_limited += 1
            if not ok and len(k.samples) < 3 and why:
                k.samples.append(why[:160].replace("\n", " "))

    @property
    def served(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Group:
    index: int
    handle: str
    channel: str
    lead: str
    members: list[str]
    next_now: float = 0.0  # monotonic time of this lead's next `standup now`
    standup: bool = False  # has a schedule, and its lead sends `standup now` now and then


class World:
    """The state the traffic needs: groups, known innovation refs, prompts waiting for an answer."""

    def __init__(self, tag: str, groups: list[Group], readers: list[str], rng_seed: int) -> None:
        self.tag = tag
        self.groups = groups
        self.member_group = {m: g for g in groups for m in g.members}
        self.readers = readers
        self.limiter = RateLimiter(RATE, PER)
        self._lock = threading.Lock()
        self._reader_cursor = itertools.count()
        self._n = itertools.count(1)
        self.refs: dict[int, tuple[int, str]] = {}  # ref → (group index, last stage we set)
        self.ref_list: list[int] = []
        self.prompts: deque[tuple[int, str, str]] = deque()  # (prompt id, user, DM ts)
        self.titles_sent: set[str] = set()  # acknowledged innovations
        self.tokens_sent: set[str] = set()  # acknowledged stand-up answers
        self.doubled: set[str] = set()  # titles whose modal was submitted twice with the same view
        self.seed = rng_seed
        self.seeded = 0  # innovations 1…seeded were bulk-inserted before the traffic

    def may_send(self, user: str) -> bool:
        """Spend one of `user`'s command tokens if there is one."""
        return self.limiter.take(user) == 0.0

    def wait_turn(self, user: str, timeout: float = 90.0) -> None:
        """Set-up: block until `user` may send a command."""
        deadline = time.monotonic() + timeout
        while (wait := self.limiter.take(user)) > 0:
            if time.monotonic() + wait > deadline:
                raise SystemExit(f"set-up: {user} never got a command token")
            time.sleep(wait)

    def unique(self) -> int:
        return next(self._n)

    def add_prompt(self, prompt_id: int, channel: str, ts: str) -> None:
        if channel in self.member_group:
            with self._lock:
                self.prompts.append((prompt_id, channel, ts))

    def take_prompt(self) -> tuple[int, str, str] | None:
        with self._lock:
            return self.prompts.popleft() if self.prompts else None

    def has_prompts(self) -> bool:
        return bool(self.prompts)

    def reader(self) -> str | None:
        for _ in range(len(self.readers)):
            user = self.readers[next(self._reader_cursor) % len(self.readers)]
            if self.may_send(user):
                return user
        return None

    def member_with_token(self, rng: random.Random, group: Group | None = None) -> str | None:
        pool = group.members if group else list(self.member_group)
        for user in rng.sample(pool, min(len(pool), 6)):
            if self.may_send(user):
                return user
        return None

    def add_ref(self, ref: int, group_index: int) -> None:
        with self._lock:
            self.refs[ref] = (group_index, "exploring")
            self.ref_list.append(ref)

    def pick_ref(self, rng: random.Random) -> tuple[int, int, str] | None:
        with self._lock:
            if not self.ref_list:
                return None
            ref = rng.choice(self.ref_list[-500:])  # recent ones, as people work on what is new
            group_index, stage = self.refs[ref]
            return ref, group_index, stage

    def set_stage(self, ref: int, stage: str) -> None:
        with self._lock:
            group_index, _ = self.refs[ref]
            self.refs[ref] = (group_index, stage)

    def due_standup(self) -> Group | None:
        now = time.monotonic()
        with self._lock:
            for group in self.groups:
                if group.next_now and now >= group.next_now:
                    group.next_now = 0.0  # taken; rescheduled by whoever sends it
                    return group
        return None
