"""Settings: defaults, .env, and one clear line for a missing or malformed setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
BASE = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cr3t-signing"}


def test_defaults():
    s = load_settings(BASE)
    assert s.database_url == "sqlite:///spindle.db"
    assert (s.port, s.timezone, s.scheduler, s.socket_mode, s.coordinators) == (
        3000,
        "Europe/Amsterdam",
        True,
        False,
        (),
    )
    assert s.slack_api_url == "https://slack.com/api/"
    assert "xoxb" not in repr(s) and "s3cr3t" not in repr(s)


def test_values_and_normalisation():
    s = load_settings({
        **BASE, "SLACK_APP_TOKEN": "xapp-1-A-xyz", "PORT": "8080", "SPINDLE_COORDINATORS": " U01ABC , U02DEF ",
        "SPINDLE_TIMEZONE": "Africa/Nairobi", "SPINDLE_SCHEDULER": "OFF", "SLACK_API_URL": "http://127.0.0.1:9/api",
        "DATABASE_URL": "postgres://u:p@h/db",
    })  # fmt: skip
    assert s.socket_mode and s.port == 8080 and s.coordinators == ("U01ABC", "U02DEF")
    assert s.timezone == "Africa/Nairobi" and s.scheduler is False
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.database_url == "postgresql+psycopg://u:p@h/db"


def test_socket_mode_needs_no_signing_secret():
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).socket_mode


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "abc"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**BASE, "SLACK_APP_TOKEN": "xoxb-nope"}, "SLACK_APP_TOKEN"),
        ({**BASE, "PORT": "80a"}, "PORT"),
        ({**BASE, "PORT": "70000"}, "PORT"),
        ({**BASE, "SPINDLE_COORDINATORS": "ama,U123"}, "SPINDLE_COORDINATORS"),
        ({**BASE, "SPINDLE_TIMEZONE": "Europe/Atlantis"}, "SPINDLE_TIMEZONE"),
        ({**BASE, "SPINDLE_SCHEDULER": "maybe"}, "SPINDLE_SCHEDULER"),
        ({**BASE, "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({**BASE, "DATABASE_URL": "spindle.db"}, "DATABASE_URL"),
        ({**BASE, "SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({**BASE, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_settings_name_the_setting(env, name):
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert str(err.value).startswith(name)


def test_dotenv_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=file-secret\nPORT=4000\n")
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PORT", "5000")
    s = load_settings(env_file=env_file)
    assert s.bot_token == "xoxb-from-file" and s.port == 5000


@pytest.mark.parametrize(
    ("entry", "setting", "bad"),
    [
        (["-m", "bot"], "PORT", "not-a-port"),
        (["-m", "bot", "clock"], "PORT", "not-a-port"),
        # migrations read DATABASE_URL (and LOG_LEVEL) only: no Slack setting, no PORT
        (["-m", "bot", "migrate"], "DATABASE_URL", "mysql://x@y/z"),
        (["-m", "bot", "migrate"], "LOG_LEVEL", "LOUD"),
        # the register needs no Slack settings, but it does read the coordinators' time zone
        (["-m", "exports", "--out", "x.xlsx"], "SPINDLE_TIMEZONE", "Mars/Olympus_Mons"),
    ],
)
def test_entry_points_stop_with_one_line_and_no_traceback(tmp_path, entry, setting, bad):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL", "PORT"))}
    env["SLACK_BOT_TOKEN"] = "xoxb-1"
    env["SLACK_SIGNING_SECRET"] = "secret-value"
    env[setting] = bad
    proc = subprocess.run([sys.executable, *entry], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert setting in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_token_from_a_fresh_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SPINDLE_", "DATABASE_URL"))}
    proc = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "SLACK_BOT_TOKEN is required" in proc.stderr
