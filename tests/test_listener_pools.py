"""Paced Slack work after an ack runs in a pool of its own, so it never holds up the next ack."""

from __future__ import annotations

import contextvars
import threading

from bot.app import ListenerExecutor


def test_paced_work_does_not_take_the_listeners_threads():
    executor = ListenerExecutor(max_workers=2, paced_workers=2)
    release = threading.Event()
    try:
        # Two listeners ack and leave paced work behind that waits (as for the pacer) until released.
        for _ in range(2):
            executor.submit(executor.paced, release.wait).result(timeout=2)
        # A new request's listener still starts at once: Bolt waits for its ack in this pool.
        assert executor.submit(lambda: "acked").result(timeout=1) == "acked"
        assert not executor.wait_idle(0.1)  # the paced work is still counted as in flight
        release.set()
        assert executor.wait_idle(2)
    finally:
        release.set()
        executor.shutdown(wait=True)


def test_a_failure_in_paced_work_is_logged_and_the_pool_goes_on(caplog):
    executor = ListenerExecutor(max_workers=1, paced_workers=1)
    done = threading.Event()
    try:
        executor.paced(lambda: 1 / 0)
        executor.paced(done.set)
        assert executor.wait_idle(2) and done.is_set()
        assert "paced work after an ack failed" in caplog.text
    finally:
        executor.shutdown(wait=True)


def test_paced_work_sees_the_submitting_threads_context():
    who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")
    seen: list[str] = []
    executor = ListenerExecutor(max_workers=1, paced_workers=1)
    try:
        who.set("U1")
        executor.paced(lambda: seen.append(who.get()))
        assert executor.wait_idle(2)
        assert seen == ["U1"]
    finally:
        executor.shutdown(wait=True)
