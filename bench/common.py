"""What every bench shares: a scratch database, a free port, gunicorn under the Procfile settings.

A bench's database is a scratch one. With `--database-url` its schema is dropped and rebuilt on
every run (PostgreSQL: the `public` schema; SQLite: the file); without it, a SQLite file in a
temporary folder that is removed when the bench ends, whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of an already sorted list (nan when empty)."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


def backend_of(url: str) -> str:
    return url.split(":")[0].split("+")[0]


def drop_schema(url: str) -> None:
    """Empty a scratch database: every table, sequence and the Alembic version go."""
    from sqlalchemy import MetaData, create_engine, make_url, text

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal", "-writer"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if parsed.get_backend_name() == "postgresql":
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                meta = MetaData()
                meta.reflect(conn)
                meta.drop_all(conn)
    finally:
        engine.dispose()


def peak_rss_kb() -> int:
    """This process's peak resident set in kB: VmHWM, which starts afresh at exec.

    Not `ru_maxrss`: Linux carries it across fork and exec, so a child started by a bench that
    holds 80 MB reports at least 80 MB, whatever it used itself.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(module: str, *args: str) -> dict:
    """`python -m module --child …` in a fresh process: its last stdout line as JSON, peak memory in MB."""
    proc = subprocess.run(
        [sys.executable, "-m", module, "--child", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{module} child {args[0]} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["mb"] = result.pop("maxrss_kb") / 1024
    return result


@contextlib.contextmanager
def scratch_database(
    url: str = "", *, migrate: bool = True, prefix: str = "spindle-bench-"
) -> Iterator[tuple[str, Path]]:
    """(database URL, temporary folder): the schema rebuilt from nothing; the folder removed at the end."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        drop_schema(url)
        if migrate:
            from models.db import migrate as run_migrations

            run_migrations(url)
        yield url, Path(tmp)


def start_gunicorn(app: str, port: int, env: dict[str, str], log=subprocess.DEVNULL) -> subprocess.Popen:
    """`app` under bot/gunicorn_conf.py (the Procfile `web` settings), bound to loopback only."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "bot/gunicorn_conf.py", "--bind", f"127.0.0.1:{port}", app],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log is not subprocess.DEVNULL else subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{app} exited with {proc.returncode} at start") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{app} did not start")


def stop_process(proc: subprocess.Popen | None, name: str, timeout: float = 35.0) -> None:
    """SIGTERM (gunicorn and the clock finish what is in flight), then kill after `timeout`."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop within {timeout:.0f} s of SIGTERM; killed", file=sys.stderr)
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def sibling_database(url: str, tmp: Path, name: str, *, copy: bool = False) -> Iterator[str]:
    """A second scratch database beside `url`'s, removed at the end: `name`.db in `tmp` (a copy of
    the first file with `copy`), or `<database>_<name>` on the same PostgreSQL server (made from the
    first as a template with `copy`, which needs nobody connected to it)."""
    from sqlalchemy import create_engine, make_url, text

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = tmp / f"{name}.db"
        if copy:
            shutil.copy(str(parsed.database), path)
        yield f"sqlite:///{path}"
        return
    sibling = f"{parsed.database}_{name}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{sibling}"'))
            template = f' TEMPLATE "{parsed.database}"' if copy else ""
            conn.execute(text(f'CREATE DATABASE "{sibling}"{template}'))
        yield parsed.set(database=sibling).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{sibling}" WITH (FORCE)'))
        admin.dispose()
