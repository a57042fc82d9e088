"""The load driver on concurrent.futures: closed-loop workers for the traffic, a pool for set-up."""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from bench.soak.traffic import Traffic


def run_workers(
    traffic: Traffic,
    concurrency: int,
    seconds: float,
    max_requests: int,
    seed: int,
    stop_event: threading.Event,
    rate: float = 0.0,
) -> float:
    """Closed loop: each worker sends its next request when the last one is answered. With `rate`,
    the workers together start at most `rate` steps a second (still at most `concurrency` in flight).
    Returns the wall time of the traffic."""
    deadline = time.monotonic() + seconds
    pace = threading.Lock()
    next_slot = [time.monotonic()]

    def worker(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while not stop_event.is_set() and time.monotonic() < deadline:
            if traffic.stats.served >= max_requests:
                break
            if rate > 0:
                with pace:
                    slot = max(time.monotonic(), next_slot[0])
                    next_slot[0] = slot + 1.0 / rate
                if (pause := slot - time.monotonic()) > 0:
                    time.sleep(pause)
                if time.monotonic() >= deadline:
                    break
            try:
                traffic.step(rng)
            except Exception as exc:  # a bug in the soak itself must not hang it
                print(f"worker {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
                time.sleep(0.1)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency, thread_name_prefix="soak-worker") as pool:
        for future in [pool.submit(worker, i) for i in range(concurrency)]:
            future.result()
    return time.monotonic() - started


def run_all(tasks: Iterable[Callable[[], None]], workers: int = 8) -> None:
    """Run set-up steps `workers` at a time; the first failure stops the rest and is raised."""
    with ThreadPoolExecutor(workers, thread_name_prefix="soak-setup") as pool:
        futures = [pool.submit(task) for task in tasks]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in done:
            if future.exception() is not None:
                raise future.exception()
