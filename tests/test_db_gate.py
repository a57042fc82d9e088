"""The SQLite write gate: this process's transactions take the write lock in arrival order."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from models.db import Database, FairGate


def _queued(gate: FairGate, n: int) -> None:
    deadline = time.monotonic() + 5
    while gate._next_ticket < n:  # a ticket is taken before the thread waits
        assert time.monotonic() < deadline, "threads did not queue"
        time.sleep(0.001)


def test_waiting_threads_are_served_in_arrival_order():
    gate = FairGate()
    served: list[int] = []

    def worker(i: int) -> None:
        with gate:
            served.append(i)

    gate.__enter__()  # held, so everyone who comes now must queue
    threads = []
    for i in range(8):
        t = threading.Thread(target=worker, args=(i,))
        t.start()
        _queued(gate, i + 2)  # ticket 0 is ours; wait until thread i holds ticket i + 1
        threads.append(t)
    gate.__exit__(None, None, None)
    for t in threads:
        t.join(5)
    assert served == list(range(8))


def test_the_holder_may_enter_again_without_deadlock():
    gate = FairGate()
    done = threading.Event()

    def nested() -> None:
        with gate, gate:
            pass
        with gate:  # and it was released: a later entry is served at once
            done.set()

    t = threading.Thread(target=nested)
    t.start()
    assert done.wait(5)
    t.join(5)


def test_a_failing_transaction_releases_the_gate(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'gate.db'}")
    try:
        try:
            with db.transaction():
                raise ValueError("boom")
        except ValueError:
            pass
        finished = threading.Event()

        def later() -> None:
            with db.transaction():
                finished.set()

        threading.Thread(target=later).start()
        assert finished.wait(5), "the gate was left closed after a failure"
    finally:
        db.dispose()


def test_postgresql_has_no_gate():
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected: only built
    assert db._gate is None
    db.dispose()


def _child_enters(gate: FairGate, done) -> None:
    with gate:
        done.set()


def test_a_forked_worker_starts_its_own_queue():
    """gunicorn forks its workers from a process that has used the database: a child must not
    wait for a holder that exists only in its parent (its thread id may even look like its own)."""
    import multiprocessing

    gate = FairGate()
    ctx = multiprocessing.get_context("fork")
    done = ctx.Event()
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:  # another thread of the parent is in a transaction when the fork happens
        with gate:
            holding.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert holding.wait(5)
    child = ctx.Process(target=_child_enters, args=(gate, done))
    child.start()
    try:
        assert done.wait(5), "the forked child waited for a holder that exists only in its parent"
    finally:
        release.set()
        t.join(5)
        child.join(5)
        if child.is_alive():
            child.kill()
    assert child.exitcode == 0
    with gate:  # and the parent's own queue moved on
        pass


def test_a_missing_folder_is_unavailable_not_a_crash(tmp_path):
    from models.errors import Unavailable

    db = Database(f"sqlite:///{tmp_path / 'missing' / 'spindle.db'}")
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
    except Unavailable:
        pass
    else:
        raise AssertionError("a database in a missing folder should be unavailable")
    finally:
        db.dispose()
