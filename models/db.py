"""Engine, sessions and the one-transaction-per-request rule."""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.errors import Unavailable

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent
READ_ONLY = "spindle_read_only"  # an execution option: this transaction only reads


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            # Threads share the file; each waits up to 15 s for the write lock instead of failing.
            connect_args={"check_same_thread": False, "timeout": 15},
            # No pre-ping: a connection to a file does not drop, and the ping is a statement per checkout.
            pool_pre_ping=False,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling is off; the "begin" listener below does it.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            if parsed.database and parsed.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
                # SQLite's advice for WAL: a commit no longer waits for fsync while it holds the one
                # write lock (0.5 ms of a 2.6 ms log here). Still never corrupt; a power cut (not a
                # crash of the bot) may lose the last commits. PostgreSQL is the production store.
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # A writer takes the write lock at BEGIN, so two writers queue instead of failing on
            # lock upgrade; a reader begins deferred and, under WAL, never waits for a writer.
            # Straight to the driver: transaction control needs none of SQLAlchemy's execution path.
            begin = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
            conn.connection.driver_connection.execute(begin)  # type: ignore[union-attr]

        return engine
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        # Fail fast when the server is down, so a command can say so within Slack's 3 s.
        connect_args["connect_timeout"] = 2
        # A network partition drops packets without a reset: fail a pooled connection's unanswered
        # write (the pre-ping) after 1.5 s, not TCP's ~15 minutes; keepalives find idle dead ones.
        connect_args.update(
            tcp_user_timeout=1500, keepalives=1, keepalives_idle=30, keepalives_interval=5, keepalives_count=3
        )
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection that died while the database restarted is replaced
        # At most 15 connections a process: four web workers and the clock stay well under
        # PostgreSQL's default max_connections (100).
        pool_size=10,
        max_overflow=5,
        pool_timeout=5,
        connect_args=connect_args,
    )


class FairGate:
    """A first-come, first-served lock that the thread holding it may take again.

    SQLite has one writer at a time, and its busy handler polls with growing sleeps (1, 2, 5 ...
    100 ms), so a thread that just arrived often beats one that has waited for seconds, and the
    lock stands idle while every waiter sleeps. This process's threads queue here in arrival
    order; with `lock_path`, the holder then takes an exclusive `flock` on that file, which the
    kernel hands to the next process the moment it is released. SQLite's own lock stays the one
    that keeps the data safe: a writer without the gate (a migration) still waits for it as before.
    (bench.soak, SQLite, 3 web workers: the processes' waits in the busy handler went from 35 s
    a minute each to under 1 s; 116 -> 130 requests a second, p95 542 -> 407 ms.)
    """

    def __init__(self, lock_path: str | None = None) -> None:
        self._lock_path = lock_path
        self._lock_fd: int | None = None
        self._start_queue()
        # A forked child (a gunicorn worker) starts with a copy of the parent's queue, holder
        # included, and its thread id may be the child's own: it starts a queue of its own, right
        # after the fork while it has one thread (not on first use, where two threads could race).
        os.register_at_fork(after_in_child=partial(_restart_in_child, weakref.ref(self)))

    def _start_queue(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._owner: int | None = None
        self._depth = 0
        if self._lock_fd is not None:  # a forked child: the parent's descriptor shares the parent's lock
            os.close(self._lock_fd)
            self._lock_fd = None

    def _file_lock(self) -> int | None:
        if self._lock_path is not None and self._lock_fd is None:
            try:
                self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:  # no such folder, read-only: SQLite's own lock (and its error) decides
                return None
        return self._lock_fd

    def __enter__(self) -> FairGate:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return self
            ticket = self._next_ticket
            self._next_ticket += 1
            self._cond.wait_for(lambda: self._serving == ticket)
            self._owner, self._depth = me, 1
        try:
            if (fd := self._file_lock()) is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._depth == 1 and self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        finally:  # the queue moves on whatever happened to the file
            self._release()

    def _release(self) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._cond.notify_all()


def _restart_in_child(gate: weakref.ref[FairGate]) -> None:
    if (alive := gate()) is not None:
        alive._start_queue()


class Database:
    """The project's handle on its database: sessions, transactions and health."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        # Every SQLite write transaction takes the write lock (BEGIN IMMEDIATE): queue for it fairly,
        # and, for a file, hand it between the processes that share it (web workers, the clock).
        self._gate: FairGate | None = None
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            self._gate = FairGate(f"{database}-writer" if database and database != ":memory:" else None)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        Database connectivity errors become `Unavailable`, which handlers turn into a
        friendly "temporarily unavailable" reply.
        """
        with self._gate or nullcontext():
            with self._unit(self._sessions) as session:
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (a list, a Home tab, a search).

        On SQLite it neither takes nor queues for the write lock: under WAL it reads the last
        commit while a writer works. A read that tries to write is a bug, and fails.
        """
        with self._unit(self._read_sessions, read_only=True) as session:
            yield session

    @contextmanager
    def _unit(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
        session = sessions()
        try:
            yield session
            if read_only and (session.new or session.dirty or session.deleted):
                raise RuntimeError("a read-only transaction tried to write")
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            if _is_connectivity(exc):
                raise Unavailable() from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only unit of work that sees one consistent snapshot across many queries (the
        register), and blocks no writer.

        PostgreSQL: REPEATABLE READ, READ ONLY. SQLite (WAL): a deferred transaction, so the
        snapshot starts at the first read and the write lock is never taken. Nothing is committed.
        """
        options: dict[str, Any] = {READ_ONLY: True}
        if self.backend == "postgresql":
            options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with self.engine.connect().execution_options(**options) as conn, Session(bind=conn) as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _is_connectivity(exc: DBAPIError) -> bool:
    if getattr(exc, "connection_invalidated", False):
        return True
    if isinstance(exc, OperationalError):
        msg = str(exc.orig).lower() if exc.orig is not None else ""
        # SQLite "database is locked" is contention, not an outage; everything else operational is.
        return "locked" not in msg
    return False


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only the migrating entry points pay for importing alembic

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
