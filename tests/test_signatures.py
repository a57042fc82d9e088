"""Only Slack gets in: unsigned, wrongly signed and stale requests are 401 and change nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from models.groups import Group
from models.people import Member
from models.privacy import forget_token
from tests.conftest import COORDINATOR
from tests.slackdriver import SIGNING_SECRET, sign

FORM = "application/x-www-form-urlencoded"


def _command_body(text: str, user: str = COORDINATOR) -> bytes:
    return urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C1", "user_id": user, "user_name": "x",
                      "command": "/spindle", "text": text, "api_app_id": "A1", "trigger_id": "t1",
                      "response_url": "http://127.0.0.1:9/r"}).encode()  # fmt: skip


def _bad_headers(body: bytes) -> dict[str, dict[str, str]]:
    good = sign(body)
    return {
        "unsigned": {},
        "timestamp only": {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
        "wrong secret": sign(body, secret="not-" + SIGNING_SECRET),
        "tampered signature": {**good, "X-Slack-Signature": good["X-Slack-Signature"][:-4] + "beef"},
        "not hex": {**good, "X-Slack-Signature": "v0=zz"},
        "non-ascii signature": {**good, "X-Slack-Signature": "v0=\u00e9t\u00e9"},
        "non-ascii timestamp": {**good, "X-Slack-Request-Timestamp": "\u00b2\u00b3"},
        "stale": sign(body, timestamp=int(time.time()) - 6 * 60),
        "from the future": sign(body, timestamp=int(time.time()) + 6 * 60),
        "garbage timestamp": {**good, "X-Slack-Request-Timestamp": "yesterday"},
        "signed other body": sign(body + b"&x=1"),
    }


CASES = list(_bad_headers(b"").keys())


@pytest.mark.parametrize("case", CASES)
def test_bad_command_signature_is_401_and_changes_nothing(slack, fake_slack, db, case):
    body = _command_body("group new sneaky-group")
    r = slack.post(body, FORM, _bad_headers(body)[case])
    assert r.status == 401, (case, r.status, r.body)
    slack.wait_idle()
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Group)) == 0
    assert [c for c in fake_slack.calls if c.method != "auth.test"] == []


@pytest.mark.parametrize("case", CASES)
def test_bad_interactivity_signature_is_401_and_changes_nothing(slack, fake_slack, db, case):
    slack.command("org Cordaid", user="U1")
    with db.transaction() as s:
        token = forget_token(s.get(Member, "U1"))
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
               "trigger_id": "t1", "response_url": fake_slack.response_url(),
               "actions": [{"action_id": "forget_me_confirm", "block_id": "forget_me", "value": token,
                            "type": "button", "action_ts": "1"}]}  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)}).encode()
    before = len(fake_slack.calls)
    r = slack.post(body, FORM, _bad_headers(body)[case])
    assert r.status == 401, (case, r.status)
    slack.wait_idle()
    with db.transaction() as s:
        assert s.get(Member, "U1").organisation == "Cordaid"
    assert len(fake_slack.calls) == before
    # The same payload, properly signed, does act: the refusal above was the signature's doing.
    assert slack.post(body, FORM, sign(body)).status == 200
    fake_slack.wait_for("response_url", where=lambda c: "erased" in c.text)


@pytest.mark.parametrize("case", ["unsigned", "wrong secret", "stale"])
def test_bad_event_signature_is_401(slack, fake_slack, case):
    payload = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSig",
               "event": {"type": "app_home_opened", "user": "U1", "tab": "home"}}  # fmt: skip
    body = json.dumps(payload).encode()
    assert slack.post(body, "application/json", _bad_headers(body)[case]).status == 401
    slack.wait_idle()
    assert fake_slack.of("views.publish") == []
    # A rejected delivery claims nothing: the genuine one still runs.
    assert slack.post(body, "application/json", sign(body)).status == 200
    slack.wait_idle()
    assert len(fake_slack.of("views.publish")) == 1


def test_good_signature_is_accepted(slack, db):
    body = _command_body("group new real-group")
    r = slack.post(body, FORM, sign(body))
    assert r.status == 200 and "real-group" in r.text


def test_a_command_that_says_payload_is_still_a_command(slack, db):
    """Bolt would read any form with the word `payload` in it as an interaction (bot/web.py)."""
    r = slack.command("group new payload-group the payload of our work", user=COORDINATOR)
    assert r.status == 200 and "payload-group" in r.text
    with db.transaction() as s:
        assert s.scalar(select(func.count(Group.id)).where(Group.handle == "payload-group")) == 1
