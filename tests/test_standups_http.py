"""Stand-ups end to end, through signed HTTP requests: commands, button → modal → thread reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.scheduler import standup_tick
from handlers.slack_messenger import Pacer
from models.standups import StandupPrompt, StandupRun, StandupSchedule
from tests.conftest import COORDINATOR
from tests.slackdriver import find_control


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield


def setup_group(slack, fake_slack, members=("U1", "U2", "U3"), channel="C100"):
    fake_slack.add_user("U1", "ama", tz="Africa/Nairobi")
    for uid in members:
        if uid != "U1":
            fake_slack.add_user(uid, uid.lower())
    assert "created" in slack.command("group new data-ethics Ethics", user=COORDINATOR).text
    for uid in members:
        assert "Welcome" in slack.command("group join data-ethics", user=uid).text
    assert "now leads" in slack.command("group lead data-ethics <@U1>", user=COORDINATOR).text
    if channel:
        assert "linked" in slack.command("group channel data-ethics", user="U1", channel=channel).text


def answer_values(*answers: str) -> dict:
    return {f"q{i}": {"answer": {"type": "plain_text_input", "value": a}} for i, a in enumerate(answers)}


def dm_to(fake_slack, user: str):
    return [c for c in fake_slack.of("chat.postMessage", channel=user) if c["text"].startswith("Time for")]


def test_set_shows_next_three_due_times_in_both_zones(slack, fake_slack, db):
    setup_group(slack, fake_slack)
    r = slack.command("standup data-ethics set mon,wed,fri 09:30", user="U1")
    assert "Stand-up for `data-ethics` set" in r.text
    # Thu 26 Nov 2026 10:00 UTC: next are Fri, Mon, Wed 09:30 Amsterdam = 11:30 Nairobi.
    assert "Fri 27 Nov 09:30  ·  Mon 30 Nov 09:30  ·  Wed 2 Dec 09:30" in r.text  # Babel: i18n.day
    assert "Your time (Africa/Nairobi): Fri 27 Nov 11:30" in r.text
    info = slack.command("group info data-ethics", user="U1")
    assert "Mon, Wed, Fri at 09:30 (Europe/Amsterdam)" in info.text
    assert "Your time (Africa/Nairobi)" in info.text
    r = slack.command("standup data-ethics set weekdays 14:00 America/New_York", user=COORDINATOR)
    assert "weekdays at 14:00 (America/New_York)" in r.text
    with db.transaction() as s:
        schedule = s.scalar(select(StandupSchedule))
        assert (schedule.days, schedule.local_time, schedule.tz) == ("mon,tue,wed,thu,fri", "14:00", "America/New_York")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("standup data-ethics set someday 09:30", "is not a list of days"),
        ("standup data-ethics set mon 9.30", "is not a 24-hour time"),
        ("standup data-ethics set mon 25:00", "is not a 24-hour time"),
        ("standup data-ethics set mon 09:30 Mars/Olympus", "is not an IANA time zone"),
        ("standup data-ethics set mon", "Give the DAYS and the time"),
    ],
)
def test_set_bad_input_says_what_is_wrong_and_changes_nothing(slack, fake_slack, db, text, expected):
    setup_group(slack, fake_slack)
    r = slack.command(text, user="U1")
    assert r.status == 200 and expected in r.text
    assert "standup data-ethics set mon,wed,fri 09:30" in r.text  # the example
    with db.transaction() as s:
        assert s.scalar(select(StandupSchedule)) is None


def test_refusals_say_who_may(slack, fake_slack, db):
    setup_group(slack, fake_slack)
    for text in (
        "standup data-ethics set daily 09:30",
        "standup data-ethics off",
        "standup data-ethics now",
        "standup data-ethics questions",
    ):
        r = slack.command(text, user="U2")
        assert "Only the lead of `data-ethics` or a coordinator may" in r.text, text
    assert fake_slack.of("views.open") == []
    with db.transaction() as s:
        assert s.scalar(select(StandupSchedule)) is None
        assert s.scalar(select(StandupRun)) is None
    assert "no action group" in slack.command("standup nope-group now", user="U1").text.lower()


def test_now_button_modal_thread_reply_and_edit(slack, fake_slack, db):
    setup_group(slack, fake_slack)
    r = slack.command("standup data-ethics now", user="U1")
    assert "has started: 3 members" in r.text
    fake_slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == "C100")[0]
    assert [len(dm_to(fake_slack, u)) for u in ("U1", "U2", "U3")] == [1, 1, 1]
    button = dm_to(fake_slack, "U2")[0]["blocks"][1]["elements"][0]

    # Someone else's button is refused.
    slack.block_action("U3", "standup_answer", button["value"], channel="DU2")
    assert "only they can answer" in fake_slack.of("response_url")[-1].text
    assert fake_slack.of("views.open") == []

    slack.block_action("U2", "standup_answer", button["value"], channel="DU2")
    opened = fake_slack.wait_for("views.open")[0]
    view = opened["view"]
    assert view["callback_id"] == "standup_answer"
    assert "What did you explore since the last stand-up?" in opened.text
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["q0", "q1", "q2"]

    # Nothing answered: an inline error, nothing posted.
    r = slack.view_submission(
        "U2", "standup_answer", answer_values("", "", ""), private_metadata=view["private_metadata"]
    )
    assert r.json["response_action"] == "errors" and "at least one" in r.json["errors"]["q0"]

    values = answer_values("Mapped <!channel> data flows", "A pilot", "Need legal advice")
    r = slack.view_submission("U2", "standup_answer", values, private_metadata=view["private_metadata"])
    assert r.status == 200 and not r.body.strip(b"{}")
    replies = [c for c in fake_slack.of("chat.postMessage", channel="C100") if c.get("thread_ts")]
    assert len(replies) == 1
    reply = replies[0]
    with db.transaction() as s:
        run = s.scalar(select(StandupRun))
        assert reply["thread_ts"] == run.message_ts
    assert "u2" in reply.text and "Need legal advice" in reply.text
    assert "<!channel>" not in reply.text and "&lt;!channel&gt;" in reply.text

    # The same submission again (a double click or Slack's retry): no second post.
    slack.view_submission("U2", "standup_answer", values, private_metadata=view["private_metadata"])
    assert len([c for c in fake_slack.of("chat.postMessage", channel="C100") if c.get("thread_ts")]) == 1

    # Answering again edits the reply; the modal comes back filled in.
    slack.block_action("U2", "standup_answer", button["value"], channel="DU2")
    refilled = fake_slack.wait_for("views.open", 2)[-1]
    assert "Need legal advice" in str(refilled["view"])
    edited = answer_values("Mapped data flows", "A pilot", "Solved")
    slack.view_submission("U2", "standup_answer", edited, private_metadata=view["private_metadata"])
    updates = fake_slack.of("chat.update")
    assert len(updates) >= 1 and updates[-1]["ts"] == reply_ts(db, "U2") and "Solved" in updates[-1].text
    assert len([c for c in fake_slack.of("chat.postMessage", channel="C100") if c.get("thread_ts")]) == 1


def reply_ts(db, member_id):
    with db.transaction() as s:
        return s.scalar(select(StandupPrompt.reply_ts).where(StandupPrompt.member_id == member_id))


def test_two_submissions_at_once_post_one_reply(slack, fake_slack, db):
    import threading

    setup_group(slack, fake_slack, members=("U1",))
    slack.command("standup data-ethics now", user="U1")
    value = dm_to(fake_slack, "U1")[0]["blocks"][1]["elements"][0]["value"]
    values = answer_values("a", "b", "c")
    threads = [
        threading.Thread(
            target=slack.view_submission, args=("U1", "standup_answer", values), kwargs={"private_metadata": value}
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    slack.wait_idle()
    assert len([c for c in fake_slack.of("chat.postMessage", channel="C100") if c.get("thread_ts")]) == 1


def test_questions_modal_validates_inline_and_next_run_uses_them(slack, fake_slack, db):
    setup_group(slack, fake_slack)
    r = slack.command("standup data-ethics questions", user="U1")
    assert "Opening" in r.text
    opened = fake_slack.wait_for("views.open")[0]
    view = opened["view"]
    assert view["callback_id"] == "standup_questions" and len(view["title"]["text"]) <= 24
    meta = view["private_metadata"]

    def q(*texts):
        return {f"q{i}": {"question": {"type": "plain_text_input", "value": t}} for i, t in enumerate(texts)}

    r = slack.view_submission("U1", "standup_questions", q("", "", "", "", ""), private_metadata=meta)
    assert r.json["response_action"] == "errors" and "at least one" in r.json["errors"]["q0"]
    r = slack.view_submission("U1", "standup_questions", q("Fine", "x" * 240), private_metadata=meta)
    assert r.json["response_action"] == "errors" and "200 is the most" in r.json["errors"]["q1"]
    # Someone who is not the lead cannot save, even with the modal's metadata.
    r = slack.view_submission("U2", "standup_questions", q("Hijack"), private_metadata=meta)
    assert r.json["response_action"] == "errors" and "Only the lead" in r.json["errors"]["q0"]
    r = slack.view_submission(
        "U1", "standup_questions", q("What did you try?", "", "What blocks you?"), private_metadata=meta
    )
    assert r.json["response_action"] == "update"

    slack.command("standup data-ethics now", user="U1")
    value = dm_to(fake_slack, "U2")[0]["blocks"][1]["elements"][0]["value"]
    slack.block_action("U2", "standup_answer", value, channel="DU2")
    modal = fake_slack.wait_for("views.open", 2)[-1]
    assert [b["label"]["text"] for b in modal["view"]["blocks"] if b["type"] == "input"] == [
        "What did you try?",
        "What blocks you?",
    ]


def test_away_members_are_not_prompted_and_off_stops_the_schedule(slack, fake_slack, db, clock, runtime):
    setup_group(slack, fake_slack)
    r = slack.command("standup away 2026-12-03", user="U3")
    assert "resume that day" in r.text
    assert "is not a date" in slack.command("standup away 3-12-2026", user="U3").text
    slack.command("standup data-ethics set daily 09:30", user="U1")
    clock.set(clock.now() + timedelta(days=1, hours=-1, minutes=30))  # Fri 27 Nov 09:30 Amsterdam
    standup_tick(runtime.deps, clock.now())
    assert [len(dm_to(fake_slack, u)) for u in ("U1", "U2", "U3")] == [1, 1, 0]
    assert "schedule is off" in slack.command("standup data-ethics off", user=COORDINATOR).text
    clock.advance(timedelta(days=1))
    standup_tick(runtime.deps, clock.now())
    assert [len(dm_to(fake_slack, u)) for u in ("U1", "U2", "U3")] == [1, 1, 0]
    assert "no schedule" in slack.command("group info data-ethics", user="U1").text


def test_answer_after_close_is_refused_inline(slack, fake_slack, db, clock, runtime):
    setup_group(slack, fake_slack, members=("U1", "U2"))
    slack.command("standup data-ethics now", user="U1")
    value = dm_to(fake_slack, "U2")[0]["blocks"][1]["elements"][0]["value"]
    clock.advance(timedelta(hours=25))  # no schedule: a run started by hand closes after a day
    standup_tick(runtime.deps, clock.now())
    summary = [c for c in fake_slack.of("chat.postMessage", channel="C100") if "summary" in c.text.lower()]
    assert len(summary) == 1 and "0 answered" in summary[0].text and "<@" not in summary[0].text
    r = slack.view_submission("U2", "standup_answer", answer_values("late"), private_metadata=value)
    assert r.json["response_action"] == "errors" and "closed" in r.json["errors"]["q0"]
    slack.block_action("U2", "standup_answer", value, channel="DU2")
    assert "closed" in fake_slack.of("response_url")[-1].text
    assert fake_slack.of("views.open") == []


def test_answering_from_the_reminder_updates_the_prompt_and_the_reminder(slack, fake_slack, db, clock, runtime):
    setup_group(slack, fake_slack, members=("U1", "U2"))
    slack.command("standup data-ethics now", user="U1")
    clock.advance(timedelta(hours=2))
    standup_tick(runtime.deps, clock.now())
    reminder = [c for c in fake_slack.of("chat.postMessage", channel="U2") if c["text"].startswith("Reminder")]
    assert len(reminder) == 1
    with db.transaction() as s:
        prompt_ts, reminder_ts = s.execute(
            select(StandupPrompt.dm_ts, StandupPrompt.reminder_ts).where(StandupPrompt.member_id == "U2")
        ).one()
    assert prompt_ts and reminder_ts and prompt_ts != reminder_ts
    slack.click("U2", reminder[0]["blocks"], "Answer", channel="DU2", message_ts=reminder_ts)
    view = fake_slack.wait_for("views.open")[0]["view"]
    slack.view_submission("U2", "standup_answer", answer_values("Read up"), private_metadata=view["private_metadata"])
    updates = fake_slack.wait_for("chat.update", 2)
    assert {u["ts"] for u in updates} == {prompt_ts, reminder_ts}
    for update in updates:  # neither message offers Answer any more
        with pytest.raises(AssertionError):
            find_control(update["blocks"], "Answer")


def test_now_without_channel_and_429_during_fanout(slack, fake_slack, db):
    setup_group(slack, fake_slack, channel=None)
    fake_slack.fail("chat.postMessage", 429, retry_after=0, times=3)
    r = slack.command("standup data-ethics now", user="U1")
    assert "has started" in r.text
    assert [len([c for c in dm_to(fake_slack, u) if not c.get("_failed")]) for u in ("U1", "U2", "U3")] == [1, 1, 1]
    told = [c for c in fake_slack.of("chat.postMessage", channel="U1") if "direct messages only" in c.text]
    assert len([c for c in told if not c.get("_failed")]) == 1
    # The clock has not moved: a second `now` is the same (group, due time), claimed already.
    r = slack.command("standup data-ethics now", user="U1")
    assert "has just started" in r.text
    assert sum(len(dm_to(fake_slack, u)) for u in ("U1", "U2", "U3")) == 3
