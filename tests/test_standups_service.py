"""The stand-up run state machine (services/standups) against a real database and a recording Messenger.

No HTTP and no Slack: what the services hand the Messenger port is recorded as message dataclasses,
and failures are injected per (method, channel), transient or permanent.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.ui.errors import describe
from models import standups as domain
from models.db import Database
from models.errors import Conflict, Forbidden, Invalid
from models.groups import create_group, join_group, leave_group
from models.people import Member, ensure_member
from models.standups import RunStatus, StandupPrompt, StandupRun
from services import standups
from services.actor import Actor
from services.ports import MessengerError
from services.standups.messages import (
    AnsweredPrompt,
    AnswerReply,
    ChannelMessage,
    NoChannelNote,
    Prompt,
    Reminder,
    Summary,
)
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger

AMS = "Europe/Amsterdam"
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Mon 30 Nov 2026 09:30 in Amsterdam
RATELIMITED = MessengerError("ratelimited", transient=True)


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, AMS)


def make_group(uow: UnitOfWork, members=("U1", "U2", "U3"), channel: str | None = "C100", handle="data-ethics"):
    now = uow.now()
    with uow.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        group = create_group(s, coord, handle, "", now)
        for i, uid in enumerate(members):
            member, _ = ensure_member(s, uid, now, name=f"name-{uid.lower()}")
            join_group(s, member, handle, now + timedelta(seconds=i))
        group.lead_id = members[0]
        group.channel_id = channel
        _, schedule = domain.set_schedule(s, coord, handle, ("mon", "tue", "wed", "thu", "fri"), "09:30", AMS, now)
        schedule.effective_from = DUE - timedelta(hours=1)
        return group.id


def prompts_to(messenger: RecordingMessenger) -> Counter[str]:
    return Counter(s.channel for s in messenger.of("post") if isinstance(s.message, Prompt))


def of_type(messenger: RecordingMessenger, kind: type) -> list:
    return [s for s in messenger.sent if isinstance(s.message, kind)]


def run_status(uow: UnitOfWork) -> str:
    with uow.transaction() as s:
        return s.scalar(select(StandupRun.status))


def test_fan_out_prompts_every_eligible_member_once(uow, clock):
    make_group(uow, members=("U1", "U2", "U3", "U4", "U5"))
    with uow.transaction() as s:
        domain.set_away(s.get(Member, "U4"), date(2026, 12, 1), date(2026, 11, 26))
        leave_group(s, s.get(Member, "U5"), "data-ethics")
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    standups.tick(uow, messenger, clock.now())  # a second tick sends nothing again
    channel = of_type(messenger, ChannelMessage)
    assert [(c.channel, c.message.handle, c.message.prompted) for c in channel] == [("C100", "data-ethics", 3)]
    assert prompts_to(messenger) == Counter({"D1": 1, "D2": 1, "D3": 1})  # the DM channels Slack opened (D…)
    prompt = of_type(messenger, Prompt)[0].message
    assert prompt.questions == tuple(domain.questions_of(None)) and prompt.due_at == DUE and prompt.tz == AMS
    assert run_status(uow) == RunStatus.OPEN
    with uow.transaction() as s:
        assert {p.member_id: p.dm_channel for p in s.scalars(select(StandupPrompt))} == {
            "U1": "D1", "U2": "D2", "U3": "D3"
        }  # fmt: skip


def test_transient_failure_stops_and_the_next_tick_resumes_without_duplicates(uow, clock):
    make_group(uow, members=("U1", "U2", "U3", "U4"))
    messenger = RecordingMessenger(failures={("post", "U2"): RATELIMITED})
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    assert prompts_to(messenger) == Counter({"D1": 1})  # stopped at U2: U3 and U4 not tried
    assert run_status(uow) == RunStatus.RUNNING
    clock.advance(timedelta(seconds=30))
    standups.tick(uow, messenger, clock.now())
    assert prompts_to(messenger) == Counter({"D1": 1, "D2": 1, "D3": 1, "D4": 1})
    assert len(of_type(messenger, ChannelMessage)) == 1
    assert run_status(uow) == RunStatus.OPEN


def test_transient_channel_failure_is_retried_once_next_tick(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger(failures={("post", "C100"): RATELIMITED})
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    assert of_type(messenger, ChannelMessage) == [] and prompts_to(messenger) == Counter()
    clock.advance(timedelta(seconds=30))
    standups.tick(uow, messenger, clock.now())
    standups.tick(uow, messenger, clock.now())
    assert len(of_type(messenger, ChannelMessage)) == 1 and sum(prompts_to(messenger).values()) == 3
    assert of_type(messenger, NoChannelNote) == []


def test_permanent_failure_for_one_member_skips_them(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger(failures={("post", "U2"): MessengerError("cannot_dm_bot", transient=False)})
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    clock.advance(timedelta(seconds=30))
    standups.tick(uow, messenger, clock.now())
    assert prompts_to(messenger) == Counter({"D1": 1, "D3": 1})
    assert run_status(uow) == RunStatus.OPEN
    with uow.transaction() as s:
        assert s.scalar(select(StandupPrompt.error).where(StandupPrompt.member_id == "U2")) == "cannot_dm_bot"


def test_channel_refused_runs_as_dms_and_tells_the_lead_once(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger(failures={("post", "C100"): MessengerError("not_in_channel", transient=False)})
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    clock.set(DUE + timedelta(days=1))  # Tuesday's run: the channel is forgotten, the lead not told again
    standups.tick(uow, messenger, clock.now())
    notes = of_type(messenger, NoChannelNote)
    assert [(n.channel, n.message.reason) for n in notes] == [("D1", "not_in_channel")]
    assert sum(prompts_to(messenger).values()) == 6
    summaries = of_type(messenger, Summary)  # Monday's run closed: without a thread, to the lead
    assert [(s.channel, s.thread_ts) for s in summaries] == [("D1", None)]


def test_reminders_once_and_the_close_posts_one_summary(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    thread_ts = of_type(messenger, ChannelMessage)[0].ts
    with uow.transaction() as s:
        ids = {p.member_id: p.id for p in s.scalars(select(StandupPrompt))}
    standups.answer(uow, Actor("U1"), ids["U1"], ["read", "pilot", "need a data sharing agreement"])
    standups.answer(uow, Actor("U2"), ids["U2"], ["a workshop", "report", "none"])
    clock.set(DUE + timedelta(minutes=119))
    standups.tick(uow, messenger, clock.now())
    assert of_type(messenger, Reminder) == []
    clock.set(DUE + timedelta(minutes=120))
    standups.tick(uow, messenger, clock.now())
    standups.tick(uow, messenger, clock.now())
    reminders = of_type(messenger, Reminder)
    assert [(r.channel, r.message.prompt_id) for r in reminders] == [("D3", ids["U3"])]
    clock.set(DUE + timedelta(days=1))  # Tuesday 09:30: Monday's run closes
    standups.tick(uow, messenger, clock.now())
    standups.tick(uow, messenger, clock.now())
    summaries = [s for s in of_type(messenger, Summary) if s.thread_ts == thread_ts]
    assert len(summaries) == 1 and len(of_type(messenger, Summary)) == 1
    summary = summaries[0].message
    assert summary.names == ("name-u1", "name-u2") and summary.not_answered == 1
    assert summary.blockers == (("name-u1", "need a data sharing agreement"),)
    with uow.transaction() as s:
        run = s.scalar(select(StandupRun).where(StandupRun.due_at == DUE))
        assert run.status == RunStatus.CLOSED and run.summary_ts == summaries[0].ts


def test_an_answer_after_the_reminder_updates_the_prompt_and_the_reminder(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    clock.set(DUE + timedelta(minutes=120))
    standups.tick(uow, messenger, clock.now())
    with uow.transaction() as s:
        prompt_id = s.scalar(select(StandupPrompt.id).where(StandupPrompt.member_id == "U3"))
    first = next(p for p in of_type(messenger, Prompt) if p.message.prompt_id == prompt_id)
    reminder = next(r for r in of_type(messenger, Reminder) if r.message.prompt_id == prompt_id)
    standups.answer(uow, Actor("U3"), prompt_id, ["read", "pilot", "none"])
    standups.answered(uow, messenger, prompt_id)
    updated = [(u.channel, u.ts) for u in of_type(messenger, AnsweredPrompt)]
    assert updated == [(first.channel, first.ts), (reminder.channel, reminder.ts)]  # neither offers Answer


class AnswersWhileTheReminderIsPosted(RecordingMessenger):
    """The person answers (and the answer's follow-up runs) while Slack is still taking the
    reminder: its ts is not stored yet, so the follow-up cannot see the reminder to update it."""

    uow: UnitOfWork | None = None

    def post(self, channel: str, message: object, *, thread_ts: str | None = None):
        posted = super().post(channel, message, thread_ts=thread_ts)
        if isinstance(message, Reminder) and self.uow is not None:
            uow, self.uow = self.uow, None
            standups.answer(uow, Actor("U3"), message.prompt_id, ["read", "pilot", "none"])
            standups.answered(uow, self, message.prompt_id)
        return posted


def test_an_answer_while_the_reminder_is_posted_still_updates_the_reminder(uow, clock):
    make_group(uow)
    messenger = AnswersWhileTheReminderIsPosted()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    standups.answer(uow, Actor("U1"), _prompt_of(uow, "U1"), ["read", "pilot", "none"])
    standups.answer(uow, Actor("U2"), _prompt_of(uow, "U2"), ["read", "pilot", "none"])
    messenger.uow = uow
    clock.set(DUE + timedelta(minutes=120))
    standups.tick(uow, messenger, clock.now())
    assert messenger.uow is None  # the answer did land while the reminder was being posted
    (reminder,) = of_type(messenger, Reminder)
    updated = [(u.channel, u.ts) for u in of_type(messenger, AnsweredPrompt)]
    assert (reminder.channel, reminder.ts) in updated  # the reminder no longer offers Answer
    standups.tick(uow, messenger, clock.now())
    assert len(of_type(messenger, Reminder)) == 1


def _prompt_of(uow: UnitOfWork, member_id: str) -> int:
    with uow.transaction() as s:
        return s.scalar(select(StandupPrompt.id).where(StandupPrompt.member_id == member_id))


class ThreadsFailOnce(RecordingMessenger):
    """The first post into a thread fails (transiently); everything else lands."""

    failed = False

    def post(self, channel: str, message: object, *, thread_ts: str | None = None):
        if thread_ts and not self.failed:
            self.failed = True
            raise RATELIMITED
        return super().post(channel, message, thread_ts=thread_ts)


def test_close_after_a_transient_failure_posts_once(uow, clock):
    make_group(uow)
    messenger = ThreadsFailOnce()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    clock.set(DUE + timedelta(days=1))
    standups.tick(uow, messenger, clock.now())  # Monday's summary fails: the close is given back
    assert messenger.failed and of_type(messenger, Summary) == []
    with uow.transaction() as s:
        assert s.scalar(select(StandupRun.status).where(StandupRun.due_at == DUE)) == RunStatus.OPEN
    clock.advance(timedelta(seconds=30))
    standups.tick(uow, messenger, clock.now())
    standups.tick(uow, messenger, clock.now())
    assert len(of_type(messenger, Summary)) == 1


class Interleaving(RecordingMessenger):
    """Each thread's first post waits for the other's: both ticks have read what is pending before
    either sends, so only the database's claims can keep a message single."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2)
        self.waited: set[int] = set()

    def post(self, channel: str, message: object, *, thread_ts: str | None = None):
        if threading.get_ident() not in self.waited:
            self.waited.add(threading.get_ident())
            try:
                self.barrier.wait(2)
            except threading.BrokenBarrierError:  # the other tick won every claim: nothing to wait for
                pass
        return super().post(channel, message, thread_ts=thread_ts)


def test_two_ticks_in_parallel_never_double_post(uow, db, clock):
    make_group(uow, members=tuple(f"U{i:02d}" for i in range(1, 13)))
    make_group(uow, members=("U01", "U20", "U21"), channel="C200", handle="second")
    other_db = Database(db.url)  # a second process: its own engine and connection pool
    other = UnitOfWork(other_db, clock, AMS)
    messenger = Interleaving()  # both record into one list: what Slack would have received
    clock.set(DUE + timedelta(seconds=5))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler(unit: UnitOfWork) -> None:
        try:
            barrier.wait(5)
            standups.tick(unit, messenger, clock.now())
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(u,)) for u in (uow, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    other_db.dispose()
    assert not errors
    assert Counter(c.channel for c in of_type(messenger, ChannelMessage)) == Counter({"C100": 1, "C200": 1})
    counts = prompts_to(messenger)
    assert counts["D01"] == 2  # in both groups: one prompt per run
    assert len(counts) == 12 + 2 and all(n == 1 for ch, n in counts.items() if ch != "D01")


def test_answer_posts_one_reply_then_edits_it(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    thread_ts = of_type(messenger, ChannelMessage)[0].ts
    with uow.transaction() as s:
        pid = s.scalar(select(StandupPrompt.id).where(StandupPrompt.member_id == "U2"))
    with pytest.raises(Forbidden) as refused:
        standups.answer_form(uow, Actor("U3"), pid)
    assert "only they can answer it" in describe(refused.value)
    form = standups.answer_form(uow, Actor("U2"), pid)
    assert (form.handle, form.answers, len(form.questions)) == ("data-ethics", (), 3)
    with pytest.raises(Invalid):
        standups.answer(uow, Actor("U2"), pid, ["", " "])
    standups.answer(uow, Actor("U2"), pid, ["mapped flows", "a pilot", "legal advice"])
    standups.post_answer_reply(uow, messenger, pid)
    standups.post_answer_reply(uow, messenger, pid)  # a retry: the reply exists, so it is updated
    replies = of_type(messenger, AnswerReply)
    assert [(r.method, r.channel, r.thread_ts) for r in replies] == [
        ("post", "C100", thread_ts), ("update", "C100", None)
    ]  # fmt: skip
    assert replies[0].message.answers == ("mapped flows", "a pilot", "legal advice")
    assert not replies[0].message.edited and replies[1].message.edited and replies[1].ts == replies[0].ts
    assert standups.answer_form(uow, Actor("U2"), pid).answers == ("mapped flows", "a pilot", "legal advice")


def test_failed_reply_gives_the_claim_back(uow, clock):
    make_group(uow)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    with uow.transaction() as s:
        pid = s.scalar(select(StandupPrompt.id).where(StandupPrompt.member_id == "U2"))
    standups.answer(uow, Actor("U2"), pid, ["x", "", ""])
    messenger.failures[("post", "C100")] = RATELIMITED
    with pytest.raises(MessengerError):
        standups.post_answer_reply(uow, messenger, pid)
    standups.post_answer_reply(uow, messenger, pid)  # the next submission posts it
    assert [r.method for r in of_type(messenger, AnswerReply)] == ["post"]


def test_commands_refuse_with_codes_and_start_now_fans_out(uow, clock):
    make_group(uow)
    with pytest.raises(Forbidden) as refused:
        standups.start_now(uow, Actor("U2"), "data-ethics")
    assert refused.value.code == "standup.lead_only.now" and refused.value.params == {"handle": "data-ethics"}
    started = standups.start_now(uow, Actor("U1"), "data-ethics")
    assert (started.handle, started.prompted) == ("data-ethics", 3)
    with pytest.raises(Conflict) as again:
        standups.start_now(uow, Actor("U1"), "data-ethics")  # the same instant: already claimed
    assert again.value.code == "standup.just_started"
    messenger = RecordingMessenger()
    assert standups.fan_out(uow, messenger, started.run_id)
    assert sum(prompts_to(messenger).values()) == 3
    stopped = standups.schedule_off(uow, Actor("U1"), "data-ethics")
    assert stopped.handle == "data-ethics"
    with pytest.raises(Conflict) as off:
        standups.schedule_off(uow, Actor("U1"), "data-ethics")
    assert describe(off.value) == "`data-ethics` has no stand-up schedule to stop."


def test_questions_and_away(uow, clock):
    gid = make_group(uow)
    with pytest.raises(standups.QuestionErrors) as bad:
        standups.save_questions(uow, Actor("U2"), gid, ["ok", "x" * 300])  # fields first, before who asks
    assert list(bad.value.fields) == [1] and "200 is the most" in describe(bad.value.fields[1])
    with pytest.raises(Forbidden):
        standups.save_questions(uow, Actor("U2"), gid, ["What moved?"])
    saved = standups.save_questions(uow, Actor("U1"), gid, ["  What   moved? ", ""])
    assert saved.questions == ("What moved?",)
    assert standups.questions_form(uow, Actor("U1"), "data-ethics").questions == ("What moved?",)
    assert standups.set_away(uow, Actor("U2"), date(2026, 12, 10)).until == date(2026, 12, 10)
    assert standups.set_away(uow, Actor("U2"), date(2026, 11, 26)).until is None  # today: back


def test_every_stand_up_refusal_has_words():
    """Each code the stand-up models raise has its sentence in the catalogue (handlers/ui/errors.py)."""
    import re
    from pathlib import Path

    from handlers.ui.errors import ERRORS
    from models.standups.schedule import LEAD_ACTIONS

    source = "".join(p.read_text() for p in Path(domain.__file__).parent.glob("*.py"))
    codes = set(re.findall(r'(?:Invalid|Forbidden|Conflict|NotFound)\("(standup\.[a-z_.]+)"', source))
    codes |= {f"standup.lead_only.{action}" for action in LEAD_ACTIONS}
    assert len(codes) == 15
    assert codes <= set(ERRORS)
    assert "/spindle" not in source
