"""The register from the command line, no Slack needed.

    python -m exports --out FILE.xlsx [--group HANDLE] [--stage STAGE] [--language nl|en]
    python -m exports import FILE.xlsx [--apply] [--create-groups]

Reads DATABASE_URL (and SPINDLE_TIMEZONE, SPINDLE_LANGUAGE) from the environment or `.env`. The
workbook is written in `--language` (default SPINDLE_LANGUAGE, else English); what the CLI itself
prints stays English, for whoever runs it. The export is written
next to its final name and moved into place when complete, so a failed run leaves no half file;
a new database (even an SQLite file that does not exist yet, which is not created) gives an
empty register. Errors are one line on stderr and a non-zero exit; a progress bar shows on a
terminal only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import SettingsError, database_url_from_env, environment
from exports import importer
from exports.import_report import render
from exports.queries import Filters, check_filters, count_register, has_schema
from exports.register import write_register
from exports.words import MADE_BY_CLI, counts_line
from handlers.ui.errors import plain
from models.db import Database
from models.errors import DomainError, Unavailable
from models.vocab import LANGUAGES, STAGES

PROG = "python -m exports"


class CliError(Exception):
    pass


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write the innovation register as an .xlsx workbook. "
        f"`{PROG} import FILE.xlsx` reads one back (see `{PROG} import --help`).",
    )
    parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="where to write the workbook")
    parser.add_argument("--group", metavar="HANDLE", help="only this action group")
    parser.add_argument("--stage", metavar="STAGE", help=f"only innovations at this stage: {', '.join(STAGES)}")
    parser.add_argument(
        "--language",
        metavar="nl|en",
        help="the workbook's language: sheet names, headers, stage and risk words (default SPINDLE_LANGUAGE, else en)",
    )
    return parser


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} import",
        description="Read the Innovations sheet of a register (English or Dutch headers) and show what "
        "would change; with --apply, apply all of it in one transaction (or nothing when a row has an error).",
    )
    parser.add_argument("file", metavar="FILE.xlsx")
    parser.add_argument("--apply", action="store_true", help="apply the changes (default: a dry run)")
    parser.add_argument("--create-groups", action="store_true", help="create action groups that do not exist")
    return parser


def _timezone() -> str:
    zone = (environment().get("SPINDLE_TIMEZONE") or "").strip() or "Europe/Amsterdam"
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        raise CliError(
            f"SPINDLE_TIMEZONE must be an IANA time zone like Europe/Amsterdam; {zone[:60]!r} is not one."
        ) from None
    return zone


def _language(chosen: str | None) -> str:
    """`--language`, else SPINDLE_LANGUAGE (read as SPINDLE_TIMEZONE is), else English."""
    where = "--language" if chosen is not None else "SPINDLE_LANGUAGE"
    given = chosen if chosen is not None else environment().get("SPINDLE_LANGUAGE") or ""
    language = given.strip().lower() or "en"
    if language not in LANGUAGES:
        raise CliError(f"{where} must be en (English) or nl (Dutch); {given[:20]!r} is not one.")
    return language


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


def _sqlite_file_missing(url: str) -> bool:
    """An SQLite file that does not exist yet: connecting would create it (an empty file left behind)."""
    parsed = make_url(url)
    name = parsed.database or ""
    return parsed.get_backend_name() == "sqlite" and name not in ("", ":memory:") and not Path(name).exists()


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:
        return run_import(import_parser().parse_args(argv[1:]))
    return run_export(export_parser().parse_args(argv))


def run_export(args: argparse.Namespace) -> int:
    try:
        target = _target(args.out)
        timezone = _timezone()
        language = _language(args.language)
        url = database_url_from_env()
    except (CliError, SettingsError) as exc:
        return _fail(str(exc))
    now = datetime.now(UTC)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent or ".")
    os.close(fd)
    db = None if _sqlite_file_missing(url) else Database(url)
    try:
        if db is None:
            counts = _empty_register(partial, args, now, timezone, language)
        else:
            with db.snapshot() as session:
                if not has_schema(session):
                    counts = _empty_register(partial, args, now, timezone, language)
                else:
                    filters, group_id = check_filters(session, args.group, args.stage)
                    expected = count_register(session, filters, group_id)
                    with _progress(expected.innovations + expected.stage_changes) as bar:
                        counts = write_register(
                            session,
                            partial,
                            filters=filters,
                            group_id=group_id,
                            made_at=now,
                            made_by=MADE_BY_CLI,
                            timezone=timezone,
                            language=language,
                            progress=bar,
                        )
        os.replace(partial, target)
    except Unavailable as exc:  # the bot's wording ("try again in a minute") does not fit here
        return _fail(_database_error(exc.__cause__ or exc))
    except (DomainError, CliError) as exc:
        return _fail(_plain(exc))
    except SQLAlchemyError as exc:
        return _fail(_database_error(exc))
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}.")
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
        if db is not None:
            db.dispose()
    print(f"Wrote {target}: {counts_line(counts)}.")
    return 0


def _empty_register(partial: str, args: argparse.Namespace, now: datetime, timezone: str, language: str):
    """A new database: no groups, so a --group cannot match; otherwise an empty register."""
    if args.group:
        raise CliError(f"there is no action group {args.group[:40]}: the database is new and has none yet.")
    stage = (args.stage or "").strip().lower() or None
    if stage is not None and stage not in STAGES:
        raise CliError(f"{stage[:40]} is not a stage. Stages: {', '.join(STAGES)}.")
    filters = Filters(None, stage)
    return write_register(
        None,
        partial,
        filters=filters,
        group_id=None,
        made_at=now,
        made_by=MADE_BY_CLI,
        timezone=timezone,
        language=language,
    )


def run_import(args: argparse.Namespace) -> int:
    try:
        timezone = _timezone()
        url = database_url_from_env()
        data = _read_file(args.file)
    except (CliError, SettingsError) as exc:
        return _fail(str(exc))
    if _sqlite_file_missing(url):
        return _fail("the database is new and has no register yet: run `python -m bot migrate` first.")
    db = Database(url)
    try:
        with db.snapshot() as session:
            if not has_schema(session):
                return _fail("the database has no register yet: run `python -m bot migrate` first.")
        if args.apply:
            report = importer.apply(
                db, data, None, datetime.now(UTC), create_groups=args.create_groups, timezone=timezone
            )
        else:
            report = importer.preview(db, data, create_groups=args.create_groups, timezone=timezone)
    except Unavailable as exc:
        return _fail(_database_error(exc.__cause__ or exc))
    except SQLAlchemyError as exc:
        return _fail(_database_error(exc))
    finally:
        db.dispose()
    if report.errors and not report.sheet:  # the file as a whole was refused
        return _fail(f"cannot import {args.file}: {report.errors[0].text}")
    print(render(report, args.file, dry_run=not args.apply))
    return 0 if report.ok else 1


def _read_file(path: str) -> bytes:
    file = Path(path).expanduser()
    if file.is_dir():
        raise CliError(f"cannot read {path}: it is a folder.")
    try:
        size = file.stat().st_size
        if size > importer.R.MAX_BYTES:
            raise CliError(
                f"{path} is {size / 1024 / 1024:.1f} MB; {importer.R.MAX_BYTES // 1024 // 1024} MB is the most."
            )
        return file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}.") from None


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


def _plain(exc: Exception) -> str:
    """A domain error's sentence, as the catalogue writes it, without Slack's markup."""
    return plain(exc) if isinstance(exc, DomainError) else str(exc)


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
