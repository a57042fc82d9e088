"""A per-person limit on `/spindle` commands: a token bucket in memory, one per process.

It protects the database from a runaway script or a stuck key, not from a determined attacker
(several `web` processes each keep their own buckets). The clock is injected, so tests can
drive it without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from i18n import n_

DEFAULT_RATE = 20  # commands …
DEFAULT_PER = 60.0  # … per this many seconds, per person
MAX_TRACKED = 10_000  # buckets kept before idle full ones are dropped


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, rate: int = DEFAULT_RATE, per: float = DEFAULT_PER, clock: Callable[[], float] = time.monotonic):
        if rate < 1 or per <= 0:
            raise ValueError("rate must be at least 1 and per positive")
        self.capacity = float(rate)
        self.refill = rate / per  # tokens per second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 if `key` may go ahead (one token spent); otherwise the seconds until it may."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_TRACKED:
                    self._drop_full(now)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            else:
                elapsed = max(0.0, now - bucket.at)  # a clock that steps back never mints tokens
                bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.refill)
                bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.refill

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _drop_full(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.refill >= self.capacity]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_TRACKED:  # all busy: forget the oldest rather than grow without bound
            for key in sorted(self._buckets, key=lambda k: self._buckets[k].at)[: MAX_TRACKED // 10]:
                del self._buckets[key]


def refusal(wait_seconds: float) -> str:
    seconds = max(1, int(wait_seconds + 0.999))
    return n_(
        "You are sending commands faster than I can take them. "
        "Please wait {seconds} second and try again; nothing was changed.",
        "You are sending commands faster than I can take them. "
        "Please wait {seconds} seconds and try again; nothing was changed.",
        seconds,
    ).format(seconds=seconds)
