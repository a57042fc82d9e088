"""A form Slack will not open right now (`views.open` is Tier 4, and a trigger_id lives 3 s).

A 429 or a 5xx is not waited out (the trigger would be dead by then): the person reads "Slack is
busy right now" with what to click or type again, nothing is recorded, and the next try opens the
form. Every button, command and shortcut that shows a form takes this one path (handlers/modals.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.slack_messenger import Pacer
from models.innovations import Innovation
from models.standups import StandupPrompt
from tests.conftest import COORDINATOR


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield


@pytest.fixture
def group(slack, fake_slack):
    for uid in ("U1", "U2"):
        fake_slack.add_user(uid)
    assert "created" in slack.command("group new data-ethics Ethics", user=COORDINATOR).text
    for uid in ("U1", "U2"):
        assert "Welcome" in slack.command("group join data-ethics", user=uid).text
    assert "now leads" in slack.command("group lead data-ethics <@U1>", user=COORDINATOR).text
    return "data-ethics"


def answer_button(slack, fake_slack) -> str:
    slack.command("standup data-ethics now", user="U1")
    dm = next(c for c in fake_slack.wait_for("chat.postMessage") if c["channel"] == "U2")
    return dm["blocks"][1]["elements"][0]["value"]


def busy_lines(fake_slack) -> list[str]:
    return [c.text for c in fake_slack.of("response_url") if "Slack is busy" in c.text]


@pytest.mark.parametrize("status", [429, 503])
def test_answer_click_when_slack_is_busy_says_click_again_and_records_nothing(slack, fake_slack, db, group, status):
    value = answer_button(slack, fake_slack)
    fake_slack.fail("views.open", status=status, retry_after=1)
    slack.block_action("U2", "standup_answer", value, channel="DU2")
    assert busy_lines(fake_slack) == ["Slack is busy right now — click Answer again in a moment."]
    assert len(fake_slack.of("views.open")) == 1  # not retried with a trigger_id about to expire
    with db.read() as s:
        prompt = s.scalar(select(StandupPrompt).where(StandupPrompt.member_id == "U2"))
        assert prompt.answered_at is None and prompt.answers is None

    slack.block_action("U2", "standup_answer", value, channel="DU2")
    opened = fake_slack.wait_for("views.open", 2)[-1]
    assert not opened["_failed"] and opened["view"]["callback_id"] == "standup_answer"
    assert len(busy_lines(fake_slack)) == 1


def test_a_refused_form_says_so_without_blaming_load(slack, fake_slack, group):
    value = answer_button(slack, fake_slack)
    fake_slack.fail("views.open", status=200, error="expired_trigger_id")
    slack.block_action("U2", "standup_answer", value, channel="DU2")
    (line,) = [c.text for c in fake_slack.of("response_url")]
    assert "did not let me open the form in time" in line and "click Answer again" in line


@pytest.mark.parametrize(
    "text, again",
    [
        ("log", "/spindle log"),
        ("edit INN-1", "/spindle edit INN-1"),
        ("standup data-ethics questions", "/spindle standup data-ethics questions"),
    ],
)
def test_commands_that_open_a_form_say_type_it_again(slack, fake_slack, db, group, text, again):
    assert "Logged" in slack.command("log data-ethics Consent chatbot", user="U1").text
    fake_slack.fail("views.open", status=429, retry_after=1)
    r = slack.command(text, user="U1")
    assert r.status == 200 and "Opening" in r.text
    assert busy_lines(fake_slack) == [f"Slack is busy right now — type `{again}` again in a moment."]
    assert len(fake_slack.of("views.open")) == 1
    with db.read() as s:
        assert len(s.scalars(select(Innovation)).all()) == 1


def test_log_as_innovation_shortcut_when_slack_is_busy(slack, fake_slack, db, group):
    fake_slack.fail("views.open", status=429, retry_after=1)
    slack.message_shortcut("U1", "log_as_innovation", {"ts": "1700000000.000100", "text": "An idea"})
    assert busy_lines(fake_slack) == ["Slack is busy right now — use the shortcut again in a moment."]
    assert len(fake_slack.of("views.open")) == 1 and not fake_slack.of("chat.getPermalink")
    with db.read() as s:
        assert s.scalars(select(Innovation)).all() == []
