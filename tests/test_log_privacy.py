"""At INFO and above the log carries no text that people wrote, and no noise (SPEC *Privacy*).

Commands, a modal, a message shortcut, a direct message and unsigned requests each carry a unique
marker; no record at INFO or above may contain it. The log is configured at DEBUG, as bot/runners.py
does with LOG_LEVEL=DEBUG, so the test also sees that the marker did reach the log (at DEBUG):
the check has teeth. tests/test_first_run.py reads a real start's log at INFO.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid

import pytest

from bot.logs import configure_logging
from tests.conftest import COORDINATOR
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def log_stream():
    """configure_logging as the runners call it, writing to a buffer; the previous set-up restored."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("sqlalchemy.engine").level)
    streams: list[io.StringIO] = []

    def configure(level: str) -> io.StringIO:
        stream = io.StringIO()
        configure_logging(level, [BOT_TOKEN, SIGNING_SECRET], stream=stream)
        streams.append(stream)
        return stream

    try:
        yield configure
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("sqlalchemy.engine").setLevel(saved[2])


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def form(group: str, title: str, summary: str) -> dict:
    def text(value: str) -> dict:
        return {"value": {"type": "plain_text_input", "value": value}}

    def select(value: str) -> dict:
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    return {
        "group": select(group), "title": text(title), "kind": select("instrument"), "stage": select("idea"),
        "summary": text(summary), "link": text("https://example.org/x"), "organisations": text("Hivos"),
        "sdgs": {"value": {"type": "multi_static_select", "selected_options": []}}, "tags": text("privacy"),
        "privacy_risk": select("high"), "civic_space_risk": select("low"), "manipulation_risk": select("low"),
        "safeguards": text("Minimise data"), "stage_note": text(""),
    }  # fmt: skip


def test_no_text_people_wrote_reaches_the_log_at_info(log_stream, slack, fake_slack):
    mark = "mk" + uuid.uuid4().hex[:12]
    stream = log_stream("DEBUG")
    fake_slack.add_user("U1", "ama")
    fake_slack.add_user(COORDINATOR, "coord")

    slack.command(f"group new data-ethics Data ethics {mark}", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    slack.command("group channel data-ethics", user=COORDINATOR, channel="CETHICS")
    slack.command(f"org Hivos {mark}", user="U1")
    slack.command(f"log data-ethics Solar {mark}", user="U1")
    slack.command(f"note INN-1 {mark} a note", user="U1")
    slack.command(f"stage INN-1 piloting {mark} a stage note", user="U1")
    slack.command(f"{mark} is not a command", user="U1")  # unknown: the reply quotes it
    slack.command(f"group join {mark}", user="U1")  # no such group
    slack.command(f"show {mark}", user="U1")
    slack.command(f"standup data-ethics set {mark} 09:30", user=COORDINATOR)
    fake_slack.fail("chat.postMessage", status=200, error="channel_not_found")  # the card fails: logged
    slack.command(f"log data-ethics Wind {mark}", user="U1")

    # the form, once valid and once refused (a title far too long)
    slack.view_submission("U1", "innovation_modal", form("data-ethics", f"Chatbot {mark}", f"About {mark}"))
    slack.view_submission("U1", "innovation_modal", form("data-ethics", f"{mark} " * 40, f"About {mark}"))
    slack.message_shortcut("U1", "log_as_innovation", {"ts": "1700000000.000300", "text": f"Idea {mark}", "user": "U1"})
    slack.event({"type": "message", "channel": "DU1", "channel_type": "im", "user": "U1", "text": f"hi {mark}",
                 "ts": "1700000001.000300"}, event_id="EvPrivacyDm")  # fmt: skip

    unsigned = f"command=%2Fspindle&text={mark}&user_id=U1".encode()
    assert slack.post(unsigned, "application/x-www-form-urlencoded").status == 401
    forged = {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + "0" * 64}
    assert slack.post(unsigned, "application/x-www-form-urlencoded", forged).status == 401
    slack.wait_idle()

    logged = records(stream)
    shown = [r for r in logged if r["level"] != "debug"]
    leaked = [r for r in shown if mark in json.dumps(r, ensure_ascii=False)]
    assert not leaked, f"text people wrote reached the log at INFO or above: {leaked[:3]}"
    assert shown, "nothing was logged at INFO or above: the check would pass on an empty log"
    hidden = [r for r in logged if r["level"] == "debug" and mark in json.dumps(r, ensure_ascii=False)]
    assert any(r["logger"] == "slack_bolt.RequestVerification" for r in hidden)  # demoted, not lost
    assert len({r["logger"] for r in hidden}) >= 2


def test_at_info_the_demoted_lines_are_not_written(log_stream):
    stream = log_stream("INFO")
    logging.getLogger("slack_bolt.RequestVerification").info("Invalid request signature detected (body: secret words)")
    logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.schemas")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002, search")
    logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
    logging.getLogger("apscheduler.executors.default").error("Job tick raised")
    logging.getLogger("bot").info("listening")
    assert [(r["logger"], r["msg"]) for r in records(stream)] == [
        ("alembic.runtime.migration", "Running upgrade 0001 -> 0002, search"),
        ("apscheduler.executors.default", "Job tick raised"),  # an error stays an error
        ("bot", "listening"),
    ]


def test_a_tick_with_nothing_to_do_logs_nothing_at_info(log_stream, runtime):
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from bot.scheduler import make_scheduler

    stream = log_stream("DEBUG")
    ticked = threading.Event()
    scheduler = make_scheduler(runtime.deps, blocking=False)
    scheduler.add_listener(lambda _event: ticked.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()  # the first tick runs at once
    try:
        assert ticked.wait(10), "the first tick did not run"
    finally:
        scheduler.shutdown(wait=True)
    logged = records(stream)
    assert any(r["logger"].startswith("apscheduler.executors") and r["level"] == "debug" for r in logged)
    during_tick = [r for r in logged if r["level"] != "debug" and not r["logger"].startswith("apscheduler.scheduler")]
    assert during_tick == [], during_tick
