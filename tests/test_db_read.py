"""Reads do not queue behind a writer (SQLite's write lock, PostgreSQL's MVCC), and a read cannot write."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from models.groups import Group
from models.people import Member


def test_a_read_is_served_while_a_writer_holds_the_lock(db, clock):
    holding = threading.Event()
    release = threading.Event()

    def writer():
        with db.transaction() as session:
            session.add(Member(id="UWRITER", name="w", created_at=clock.now()))
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        done = threading.Event()
        seen: list[int] = []

        def reader():
            with db.read() as session:
                seen.append(len(session.scalars(select(Group)).all()))
            done.set()

        threading.Thread(target=reader).start()
        # The reader finishes while the writer still holds the lock (it would wait 15 s if it queued).
        assert done.wait(5)
        assert seen == [0]
    finally:
        release.set()
        thread.join(10)


def test_a_read_transaction_refuses_to_write(db, clock):
    with pytest.raises(RuntimeError, match="read-only"):
        with db.read() as session:
            session.add(Member(id="UREADER", name="r", created_at=clock.now()))
    with db.read() as session:
        assert session.get(Member, "UREADER") is None
