"""`python -m exports --out FILE.xlsx [--group HANDLE] [--stage STAGE]`: the register, no Slack needed.

Reads DATABASE_URL (and SPINDLE_TIMEZONE) from the environment or `.env`. The file is written
next to its final name and moved into place when complete, so a failed run leaves no half file.
Errors are one line on stderr and a non-zero exit; a progress bar shows on a terminal only.
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from bot.settings import SettingsError, _environment, database_url_from_env
from exports.workbook import check_filters, count_register, counts_line, reading, write_register
from handlers.ui.errors import plain
from models.db import Database
from models.errors import DomainError, Unavailable
from models.vocab import STAGES

PROG = "python -m exports"


class CliError(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description="Write the innovation register as an .xlsx workbook.")
    parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="where to write the workbook")
    parser.add_argument("--group", metavar="HANDLE", help="only this action group")
    parser.add_argument("--stage", metavar="STAGE", help=f"only innovations at this stage: {', '.join(STAGES)}")
    return parser.parse_args(argv)


def _timezone() -> str:
    zone = (_environment(None, None).get("SPINDLE_TIMEZONE") or "").strip() or "Europe/Amsterdam"
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        raise CliError(
            f"SPINDLE_TIMEZONE must be an IANA time zone like Europe/Amsterdam; {zone[:60]!r} is not one."
        ) from None
    return zone


def _target(out: str) -> Path:
    path = Path(out).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise CliError(f"--out must name an .xlsx file; {out!r} does not end in .xlsx.")
    if path.is_dir():
        raise CliError(f"cannot write {out}: it is a folder.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"cannot write {out}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"cannot write {out}: permission denied.")
    return path


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        target = _target(args.out)
        timezone = _timezone()
        url = database_url_from_env()
    except (CliError, SettingsError) as exc:
        return _fail(str(exc))

    db = Database(url)
    now = datetime.now(UTC)
    made_by = f"{getpass.getuser()}@{socket.gethostname()} ({PROG})"
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent or ".")
    os.close(fd)
    try:
        with reading(db) as session:
            filters, group_id = check_filters(session, args.group, args.stage)
            expected = count_register(session, filters, group_id)
            with _progress(expected.innovations + expected.stage_changes) as bar:
                counts = write_register(
                    session, partial, filters=filters, group_id=group_id, made_at=now, made_by=made_by,
                    timezone=timezone, progress=bar,
                )  # fmt: skip
        os.replace(partial, target)
    except Unavailable as exc:  # the bot's wording ("try again in a minute") does not fit here
        return _fail(_database_error(exc.__cause__ or exc))
    except DomainError as exc:
        return _fail(plain(exc))
    except SQLAlchemyError as exc:
        return _fail(_database_error(exc))
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}.")
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
        db.dispose()
    print(f"Wrote {target}: {counts_line(counts)}.")
    return 0


class _progress:
    """A tqdm bar over the register's rows on a terminal; nothing when stderr is a file or a pipe."""

    def __init__(self, total: int):
        self.total = total
        self.bar = None

    def __enter__(self):
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit=" rows", desc="Register", file=sys.stderr)
        return self

    def __call__(self, n: int) -> None:
        # Rows added while writing (after the count) only keep the bar at 100%.
        if self.bar is not None and self.bar.n < self.total:
            self.bar.update(min(n, self.total - self.bar.n))

    def __exit__(self, *_exc):
        if self.bar is not None:
            self.bar.close()


def _database_error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
    return f"cannot read the register from the database ({detail}); is DATABASE_URL right and migrated?"


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
