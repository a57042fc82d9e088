"""`python -m exports --out FILE.xlsx [--group HANDLE] [--stage STAGE]`, run as a real process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.test_export_workbook import FORMULA_TITLE, seed_register

ROOT = Path(__file__).resolve().parent.parent


def run_cli(url: str, *args: str, cwd: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """The CLI as a process, with no Slack setting at all (issue 10: it needs none)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_"))}
    environ.update({"DATABASE_URL": url, "SPINDLE_TIMEZONE": "Europe/Amsterdam", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "exports", *args], cwd=cwd or ROOT, env=environ, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_cli_writes_the_register(db, tmp_path):
    ids = seed_register(db)
    out = tmp_path / "register.xlsx"
    proc = run_cli(db.url, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        f"Wrote {out}: 3 innovations in 2 groups: 1 idea, 1 exploring, 1 piloting · 4 stage changes."
    )
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]
    inn = list(wb["Innovations"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in inn] == [f"INN-{ids[k]}" for k in ("first", "second", "third")]
    assert inn[0][1] == FORMULA_TITLE
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Made by"] == "command line"  # not user@host (issue 15)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_cli_filters(db, tmp_path):
    ids = seed_register(db)
    out = tmp_path / "ethics.xlsx"
    proc = run_cli(db.url, "--out", str(out), "--group", "data-ethics", "--stage", "PILOTING")
    assert proc.returncode == 0, proc.stderr
    assert "1 innovation in 1 group" in proc.stdout
    wb = openpyxl.load_workbook(out)
    assert [r[0] for r in wb["Innovations"].iter_rows(min_row=2, values_only=True)] == [f"INN-{ids['first']}"]


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_cli_errors_are_one_clear_line(db, tmp_path):
    seed_register(db)
    out = tmp_path / "x.xlsx"
    assert "There is no action group nosuch" in one_line_error(run_cli(db.url, "--out", str(out), "--group", "nosuch"))
    line = one_line_error(run_cli(db.url, "--out", str(out), "--stage", "finished"))
    assert "finished" in line and "not a stage" in line and "piloting" in line
    line = one_line_error(run_cli(db.url, "--out", str(tmp_path / "missing" / "x.xlsx")))
    assert "cannot write" in line and "does not exist" in line
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root may write anywhere; the check only means something otherwise
            assert "permission denied" in one_line_error(run_cli(db.url, "--out", str(locked / "x.xlsx")))
    finally:
        locked.chmod(0o700)
    (tmp_path / "dir.xlsx").mkdir()
    assert "is a folder" in one_line_error(run_cli(db.url, "--out", str(tmp_path / "dir.xlsx")))
    assert ".xlsx" in one_line_error(run_cli(db.url, "--out", str(tmp_path / "x.csv")))
    assert "DATABASE_URL" in one_line_error(run_cli("mysql://nope", "--out", str(out)))
    assert "SPINDLE_TIMEZONE" in one_line_error(run_cli(db.url, "--out", str(out), SPINDLE_TIMEZONE="Mars/Base"))
    assert not out.exists()


def test_cli_on_a_new_database_writes_an_empty_register(tmp_path):
    """Issue 10: a database without tables, or an SQLite file that does not exist (and is not made)."""
    for name in ("empty.db", "missing.db"):
        if name == "empty.db":
            sqlite3.connect(tmp_path / name).close()
        out = tmp_path / f"{name}.xlsx"
        proc = run_cli(f"sqlite:///{tmp_path / name}", "--out", str(out), cwd=str(tmp_path))
        assert proc.returncode == 0, proc.stderr
        assert "0 innovations in 0 groups" in proc.stdout and proc.stderr == ""
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == ["Summary", "Innovations", "Stage history", "Action groups", "Stand-ups", "Risks"]
        assert wb["Innovations"].max_row <= 2
    assert not (tmp_path / "missing.db").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "empty.db.xlsx", "missing.db.xlsx"]
    # The README's default URL, from a fresh folder: no spindle.db is left behind.
    proc = run_cli("sqlite:///spindle.db", "--out", str(tmp_path / "default.xlsx"), cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "spindle.db").exists()
    line = one_line_error(run_cli(f"sqlite:///{tmp_path / 'missing.db'}", "--out", str(out), "--group", "x"))
    assert "no action group x" in line
