"""The Messages tab: a person who writes to the bot is pointed to the Home tab and `/spindle help`."""

from __future__ import annotations

from tests.dbsnap import snapshot


def dm(text: str = "hello?", user: str = "U1", **extra) -> dict:
    return {"type": "message", "channel": "DU1", "channel_type": "im", "user": user, "text": text,
            "ts": "1700000001.000100", "event_ts": "1700000001.000100", **extra}  # fmt: skip


def test_a_direct_message_gets_a_pointer_to_home_and_help(slack, fake_slack, db):
    before = snapshot(db)
    r = slack.event(dm("how do I log an innovation?"), event_id="EvDm1")
    assert r.status == 200
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply["channel"] == "DU1" and reply.get("thread_ts") is None
    assert "`/spindle help`" in reply.text
    assert "<slack://app?team=T1&id=A1&tab=home|Home tab>" in reply.text
    after = snapshot(db)
    assert [row[1] for row in after.pop("processed_deliveries")] == ["event:EvDm1"]  # only the delivery claim
    before.pop("processed_deliveries")
    assert after == before  # a message changes nothing else


def test_a_message_in_a_thread_is_answered_in_that_thread(slack, fake_slack):
    slack.event(dm(thread_ts="1700000000.000001"), event_id="EvDm2")
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "1700000000.000001"


def test_a_redelivered_message_is_answered_once(slack, fake_slack):
    slack.event(dm(), event_id="EvDm3")
    slack.event(dm(), event_id="EvDm3", retry_num=1)
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_bots_edits_files_and_channels_get_no_reply(slack, fake_slack):
    ignored = [
        dm(bot_id="B2", user="UOTHERBOT"),  # another bot
        {**dm(), "subtype": "message_changed", "message": {"text": "edited"}},
        {**dm(), "subtype": "message_deleted"},
        # A file shared in the Messages tab is a register to import (tests/test_import_slack.py);
        # one without the file_share subtype, from a bot, or in a channel gets no reply.
        dm(files=[{"id": "F2", "name": "register.xlsx"}]),
        {**dm(bot_id="B2"), "subtype": "file_share", "files": [{"id": "F3", "name": "register.xlsx"}]},
        {**dm(), "subtype": "file_share", "channel": "C1", "channel_type": "channel", "files": [{"id": "F4"}]},
        {**dm(), "channel": "C1", "channel_type": "channel"},  # not the Messages tab
        {k: v for k, v in dm().items() if k != "user"},
    ]
    for i, event in enumerate(ignored):
        assert slack.event(event, event_id=f"EvIgnored{i}").status == 200
    slack.wait_idle()
    assert fake_slack.of("chat.postMessage") == []
    slack.event(dm(), event_id="EvAfter")  # and a person's message after them still is answered
    assert len(fake_slack.wait_for("chat.postMessage")) == 1


def test_a_failed_reply_is_logged_not_raised(slack, fake_slack, caplog):
    fake_slack.fail("chat.postMessage", status=200, error="channel_not_found")
    assert slack.event(dm(), event_id="EvDm4").status == 200
    slack.wait_idle()
    assert any(r.getMessage() == "messages-tab reply failed" for r in caplog.records)
