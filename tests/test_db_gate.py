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


def test_a_gate_on_the_same_file_waits_for_the_other_holder(tmp_path):
    """Two gates on one lock file stand for two processes (flock locks belong to an open file,
    so two opens conflict even in one process): the second enters only after the first leaves."""
    path = str(tmp_path / "spindle.db-writer")
    first, second = FairGate(path), FairGate(path)
    entered = threading.Event()

    def other_process() -> None:
        with second:
            entered.set()

    with first:
        t = threading.Thread(target=other_process)
        t.start()
        assert not entered.wait(0.3), "the second gate entered while the first held the file lock"
    assert entered.wait(5), "the second gate never entered after the first left"
    t.join(5)


def test_a_database_file_gets_a_writer_lock_beside_it(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'spindle.db'}")
    try:
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
        assert (tmp_path / "spindle.db-writer").exists()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, under WAL
    finally:
        db.dispose()


def test_postgresql_has_no_gate():
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected: only built
    assert db._gate is None
    db.dispose()


# Run in a clean child process: the fork happens there while its only thread holds the gate, so no
# other thread exists at fork time (os.fork in a multi-threaded process may deadlock, and Python
# 3.12+ warns about it). The forked grandchild then enters the gate from its main thread (whose
# id is the holder's) and from a new thread (which would queue behind the parent's holder).
FORK_FROM_A_CLEAN_CHILD = """
import os, sys, threading, warnings
warnings.simplefilter("error")  # a fork warning fails the child
from models.db import FairGate

gate = FairGate()
gate.__enter__()  # the parent holds the gate when gunicorn forks
assert threading.active_count() == 1
pid = os.fork()
if pid == 0:
    code = 1
    try:
        with gate:
            fresh = gate._depth == 1  # a queue of its own, not a re-entry of the parent's hold
        done = threading.Event()
        def enter():
            with gate:
                done.set()
        threading.Thread(target=enter, daemon=True).start()
        code = 0 if fresh and done.wait(5) else 3
    finally:
        os._exit(code)
_, status = os.waitpid(pid, 0)
gate.__exit__(None, None, None)
with gate:  # and the parent's own queue moved on
    pass
sys.exit(os.waitstatus_to_exitcode(status))
"""


# The parent holds the gate, with its file lock, when it forks: the child's own entry must wait for
# the parent's release (a child that kept the parent's descriptor would share its lock instead).
FORK_WITH_A_LOCK_FILE = """
import os, sys, threading, time
from models.db import FairGate

gate = FairGate(sys.argv[1])
gate.__enter__()
ready_r, ready_w = os.pipe()
pid = os.fork()
if pid == 0:
    code = 1
    try:
        os.close(ready_r)
        entered = threading.Event()
        def enter():
            with gate:
                entered.set()
        threading.Thread(target=enter, daemon=True).start()
        early = entered.wait(0.3)
        os.write(ready_w, b"x")  # the parent may release now
        code = 0 if not early and entered.wait(5) else 3
    finally:
        os._exit(code)
os.close(ready_w)
os.read(ready_r, 1)
gate.__exit__(None, None, None)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_forked_worker_waits_for_the_parents_file_lock(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", FORK_WITH_A_LOCK_FILE, str(tmp_path / "spindle.db-writer")],
        cwd=root, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"


def test_a_forked_worker_starts_its_own_queue():
    """gunicorn forks its workers from a process that has used the database: a child must not
    wait for a holder that exists only in its parent (its thread id may even look like its own)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-c", FORK_FROM_A_CLEAN_CHILD],
        cwd=root, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "DeprecationWarning" not in proc.stderr and "fork" not in proc.stderr, proc.stderr


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
