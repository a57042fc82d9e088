"""Stand-up domain and delivery with the clock injected: claims, fan-out, restarts, 429s, DST."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.scheduler import standup_tick
from handlers.deps import Deps
from handlers.slack_messenger import Pacer
from handlers.ui.errors import describe
from models import standups as domain
from models.db import Database
from models.errors import Conflict, Forbidden, Invalid
from models.groups import Group, Membership, archive_group, create_group, join_group, leave_group
from models.people import Member, ensure_member
from models.standups import StandupPrompt, StandupRun
from tests.conftest import COORDINATOR

AMS = "Europe/Amsterdam"
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Mon 30 Nov 2026 09:30 in Amsterdam


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    """The pacing arithmetic runs, the sleeping does not: no test waits for real seconds."""
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield


def make_group(db, clock, handle="data-ethics", members=("U1", "U2", "U3"), lead="U1", channel="C100",
               days=("mon", "tue", "wed", "thu", "fri"), at="09:30", tz=AMS,
               since: datetime | None = DUE - timedelta(hours=1)) -> int:  # fmt: skip
    now = clock.now()
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        group = create_group(s, coord, handle, "", now)
        for i, uid in enumerate(members):
            m, _ = ensure_member(s, uid, now, name=f"name-{uid.lower()}")
            join_group(s, m, handle, now + timedelta(seconds=i))
        group.lead_id = lead
        group.channel_id = channel
        if days:
            _, schedule = domain.set_schedule(s, coord, handle, days, at, tz, now)
            # Set "just before" DUE, so Friday's due time is not recorded as missed in every test.
            schedule.effective_from = since or now
        return group.id


def delivered(fake, **match):
    """Messages Slack accepted (not the 429/5xx answers)."""
    return [c for c in fake.of("chat.postMessage", **match) if not c.get("_failed")]


def dms(fake):
    return [c for c in delivered(fake) if str(c.get("channel", "")).startswith("U")]


def test_refusals_and_schedule(db, clock):
    make_group(db, clock, days=None)
    now = clock.now()
    with db.transaction() as s:
        u2, _ = ensure_member(s, "U2", now)
        with pytest.raises(Forbidden) as refused:
            domain.set_schedule(s, u2, "data-ethics", ("mon",), "09:30", AMS, now)
        assert "Only the lead of `data-ethics` or a coordinator" in describe(refused.value)
        lead = s.get(Member, "U1")
        _, schedule = domain.set_schedule(s, lead, "data-ethics", ("mon", "fri"), "09:30", AMS, now)
        assert schedule.days == "mon,fri" and schedule.active
        assert [d.isoformat() for d in domain.next_dues(schedule, now, 3)] == [
            "2026-11-27T08:30:00+00:00",
            "2026-11-30T08:30:00+00:00",
            "2026-12-04T08:30:00+00:00",
        ]
        domain.schedule_off(s, lead, "data-ethics", now)
        with pytest.raises(Conflict):
            domain.schedule_off(s, lead, "data-ethics", now)


def test_claim_is_unique_per_group_and_due_time(db, clock):
    gid = make_group(db, clock)
    with db.transaction() as s:
        assert domain.claim_run(s, gid, DUE, DUE, AMS) is not None
    with db.transaction() as s:
        assert domain.claim_run(s, gid, DUE, DUE, AMS) is None
        assert s.scalar(select(func.count()).select_from(StandupRun)) == 1


def test_tick_runs_once_at_due_time(runtime, db, clock, fake_slack):
    make_group(db, clock)
    clock.set(DUE - timedelta(minutes=1))
    standup_tick(runtime.deps, clock.now())
    assert delivered(fake_slack) == []
    clock.set(DUE + timedelta(seconds=20))
    standup_tick(runtime.deps, clock.now())
    standup_tick(runtime.deps, clock.now())  # a second tick in the same minute changes nothing
    channel_posts = delivered(fake_slack, channel="C100")
    assert len(channel_posts) == 1 and "data-ethics" in channel_posts[0].text
    assert sorted(c["channel"] for c in dms(fake_slack)) == ["U1", "U2", "U3"]
    button = dms(fake_slack)[0]["blocks"][1]["elements"][0]
    assert button["action_id"] == "standup_answer"
    with db.transaction() as s:
        run = s.scalar(select(StandupRun))
        assert run.status == "open" and run.message_ts and run.due_at == DUE
        assert all(p.dm_ts for p in s.scalars(select(StandupPrompt)))


def test_late_runs_within_three_hours_and_older_is_missed(runtime, db, clock, fake_slack):
    make_group(db, clock)
    clock.set(DUE + timedelta(hours=2, minutes=59))
    standup_tick(runtime.deps, clock.now())
    assert len(dms(fake_slack)) == 3
    fake_slack.reset()
    # Down from before Tuesday's due time until 3 h 1 min after it: recorded as missed, not sent.
    clock.set(DUE + timedelta(days=1, hours=3, minutes=1))
    standup_tick(runtime.deps, clock.now())
    assert dms(fake_slack) == []
    with db.transaction() as s:
        statuses = dict(s.execute(select(StandupRun.due_at, StandupRun.status)).all())
    assert statuses[DUE + timedelta(days=1)] == "missed"
    assert s is not None


def test_archived_left_and_away_members_are_not_prompted(runtime, db, clock, fake_slack):
    make_group(db, clock, members=("U1", "U2", "U3", "U4"))
    make_group(db, clock, handle="archived-one", members=("U5",), lead="U5", channel="C200")
    now = clock.now()
    with db.transaction() as s:
        leave_group(s, s.get(Member, "U2"), "data-ethics")
        domain.set_away(s.get(Member, "U3"), date(2026, 12, 1), now.date())  # back on Tue
        domain.set_away(s.get(Member, "U4"), date(2026, 11, 30), now.date())  # back on Mon
        archive_group(s, s.get(Member, COORDINATOR), "archived-one", now)
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    assert sorted(c["channel"] for c in dms(fake_slack)) == ["U1", "U4"]
    assert delivered(fake_slack, channel="C200") == []


def test_member_who_leaves_mid_run_is_not_prompted(runtime, db, clock, fake_slack):
    gid = make_group(db, clock)
    with db.transaction() as s:
        run = domain.claim_run(s, gid, DUE, DUE, AMS)
        leave_group(s, s.get(Member, "U3"), "data-ethics")
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    assert sorted(c["channel"] for c in dms(fake_slack)) == ["U1", "U2"]
    with db.transaction() as s:
        assert s.get(StandupRun, run.id).status == "open"


def test_no_channel_prompts_only_and_lead_told_once(runtime, db, clock, fake_slack):
    make_group(db, clock, channel=None)
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    clock.set(DUE + timedelta(days=1))
    standup_tick(runtime.deps, clock.now())
    to_lead = [c for c in delivered(fake_slack, channel="U1") if "direct messages only" in c.text]
    assert len(to_lead) == 1
    summaries = [c for c in delivered(fake_slack, channel="U1") if "summary" in c.text.lower()]
    assert len(summaries) == 1  # Monday's run closed on Tuesday; without a thread, the lead gets it
    assert len(dms(fake_slack)) == 3 * 2 + 1 + 1
    assert not [c for c in delivered(fake_slack) if str(c["channel"]).startswith("C")]


def test_two_schedulers_on_one_database_run_once(runtime, db, clock, fake_slack):
    make_group(db, clock, members=tuple(f"U{i}" for i in range(1, 13)))
    make_group(db, clock, handle="second", members=("U1", "U20", "U21"), lead="U20", channel="C200")
    clock.set(DUE + timedelta(seconds=5))
    other_db = Database(db.url)  # a second process: its own engine and connection pool
    other = Deps.build(
        other_db, clock, AMS, runtime.deps.client, runtime.deps.register_writer, runtime.deps.rate_limiter
    )
    other.pacer = other.paced_messenger.pacer = runtime.deps.paced_messenger.pacer
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler(deps):
        try:
            barrier.wait(5)
            standup_tick(deps, clock.now())
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(d,)) for d in (runtime.deps, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    other_db.dispose()
    assert not errors
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(StandupRun)) == 2
    assert len(delivered(fake_slack, channel="C100")) == 1
    assert len(delivered(fake_slack, channel="C200")) == 1
    counts = Counter(c["channel"] for c in dms(fake_slack))
    assert counts["U1"] == 2  # in both groups: one prompt per run
    assert all(n == 1 for uid, n in counts.items() if uid != "U1")
    assert len(counts) == 12 + 2


def test_restart_in_the_middle_of_a_fanout(runtime, db, clock, fake_slack):
    members = tuple(f"U{i:02d}" for i in range(1, 11))
    make_group(db, clock, members=members, lead="U01")
    sent = []

    def flaky(call):
        if str(call.get("channel", "")).startswith("U"):
            if len(sent) >= 4:  # Slack (or we) fall over after four DMs
                return {"ok": False, "error": "internal_error"}
            sent.append(call["channel"])
        return fake_slack._default(call)

    fake_slack.on("chat.postMessage", flaky)
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    assert len(sent) == 4
    with db.transaction() as s:
        assert s.scalar(select(StandupRun.status)) == "running"
        assert s.scalar(select(func.count()).select_from(StandupPrompt).where(StandupPrompt.dm_ts.is_not(None))) == 4
    before = len(fake_slack.of("chat.postMessage"))
    fake_slack.handlers.clear()  # the restarted bot meets a healthy Slack
    clock.advance(timedelta(seconds=30))
    standup_tick(runtime.deps, clock.now())
    after = [c["channel"] for c in fake_slack.of("chat.postMessage")[before:] if str(c["channel"]).startswith("U")]
    # Each member got exactly one accepted prompt: the first four were not re-sent.
    accepted = Counter(sent) + Counter(after)
    assert sorted(accepted) == sorted(members)
    assert set(accepted.values()) == {1}
    assert len(delivered(fake_slack, channel="C100")) == 1
    with db.transaction() as s:
        assert s.scalar(select(StandupRun.status)) == "open"


def test_crash_between_claim_and_record_is_taken_over_after_the_stale_period(runtime, db, clock, fake_slack):
    gid = make_group(db, clock)
    with db.transaction() as s:
        run = domain.claim_run(s, gid, DUE, DUE, AMS)
        first = s.scalars(
            select(StandupPrompt).where(StandupPrompt.run_id == run.id).order_by(StandupPrompt.id)
        ).first()
        first.sent_at = DUE  # a process claimed this DM and died before recording it
    clock.set(DUE + timedelta(minutes=1))
    standup_tick(runtime.deps, clock.now())
    assert sorted(c["channel"] for c in dms(fake_slack)) == ["U2", "U3"]
    clock.set(DUE + timedelta(minutes=11))
    standup_tick(runtime.deps, clock.now())
    assert sorted(c["channel"] for c in dms(fake_slack)) == ["U1", "U2", "U3"]


def test_429_storm_loses_nothing_and_duplicates_nothing(runtime, db, clock, fake_slack):
    members = tuple(f"U{i:02d}" for i in range(1, 21))
    make_group(db, clock, members=members, lead="U01")
    accepted_dms: list[str] = []

    def storm_after_five(call):
        if str(call["channel"]).startswith("U"):
            accepted_dms.append(call["channel"])
            if len(accepted_dms) == 5:
                # More 429s in a row than the client's retry handler absorbs (5 retries): the fan-out
                # pauses and the next tick resumes; then a shorter storm the handler rides out.
                fake_slack.fail("chat.postMessage", 429, retry_after=0, times=9)
            if len(accepted_dms) == 12:
                fake_slack.fail("chat.postMessage", 429, retry_after=0, times=3)
        return fake_slack._default(call)

    fake_slack.on("chat.postMessage", storm_after_five)
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        assert s.scalar(select(StandupRun.status)) == "running"  # paused by the storm
    for _ in range(3):
        clock.advance(timedelta(seconds=30))
        standup_tick(runtime.deps, clock.now())
    accepted = Counter(accepted_dms)
    assert sorted(accepted) == sorted(members)
    assert set(accepted.values()) == {1}
    assert len(delivered(fake_slack, channel="C100")) == 1
    assert len([c for c in fake_slack.of("chat.postMessage") if c.get("_failed")]) == 12
    with db.transaction() as s:
        assert s.scalar(select(StandupRun.status)) == "open"


def test_reminder_once_then_summary_at_the_close(runtime, db, clock, fake_slack):
    gid = make_group(db, clock, days=("mon", "tue", "wed", "thu", "fri"))
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        prompts = {p.member_id: p.id for p in s.scalars(select(StandupPrompt))}
        domain.record_answer(s, prompts["U1"], "U1", ["read a paper", "pilot", "need a data sharing agreement"], DUE)
        domain.record_answer(s, prompts["U2"], "U2", ["a workshop", "report", "none"], DUE)
    clock.set(DUE + timedelta(minutes=119))
    standup_tick(runtime.deps, clock.now())
    assert not [c for c in delivered(fake_slack) if "reminder" in c.text.lower()]
    clock.set(DUE + timedelta(minutes=120))
    standup_tick(runtime.deps, clock.now())
    standup_tick(runtime.deps, clock.now())
    reminders = [c for c in delivered(fake_slack) if "reminder" in c.text.lower()]
    assert [c["channel"] for c in reminders] == ["U3"]
    # Late answers are still taken before the close…
    with db.transaction() as s:
        domain.record_answer(s, prompts["U3"], "U3", ["x", "y", ""], clock.now())
    # …and at the next due time (Tue 09:30) the run closes with a summary in its thread.
    clock.set(DUE + timedelta(days=1))
    standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        run = s.scalar(select(StandupRun).where(StandupRun.group_id == gid, StandupRun.due_at == DUE))
        assert run.status == "closed" and run.summary_ts
        thread_ts = run.message_ts
    summaries = [c for c in delivered(fake_slack) if "summary" in c.text.lower()]
    assert len(summaries) == 1 and summaries[0]["thread_ts"] == thread_ts
    text = summaries[0].text
    assert "3 answered" in text and "name-u1" in text
    assert "need a data sharing agreement" in text and "none" not in text.split("Blockers")[1]
    assert "<@" not in text


def test_summary_names_nobody_who_did_not_answer(runtime, db, clock, fake_slack):
    make_group(db, clock)
    clock.set(DUE)
    standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        p = s.scalar(select(StandupPrompt).where(StandupPrompt.member_id == "U2"))
        domain.record_answer(s, p.id, "U2", ["a", "b", "c"], DUE)
    clock.set(DUE + timedelta(days=1))
    standup_tick(runtime.deps, clock.now())
    summary = next(c for c in delivered(fake_slack) if "summary" in c.text.lower())
    assert "2 did not answer" in summary.text
    assert "U1" not in summary.text and "U3" not in summary.text and "name-u3" not in summary.text


def test_dst_spring_forward_runs_once_at_the_next_valid_minute(runtime, db, clock, fake_slack):
    clock.set(datetime(2026, 3, 28, 12, tzinfo=UTC))
    gid = make_group(db, clock, days=("sun",), at="02:30", since=None)
    for minute in range(0, 24 * 60, 30):  # a tick every half hour through Sunday (UTC)
        clock.set(datetime(2026, 3, 29, tzinfo=UTC) + timedelta(minutes=minute))
        standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        dues = s.scalars(select(StandupRun.due_at).where(StandupRun.group_id == gid)).all()
    assert dues == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]  # 03:00 CEST
    assert len(delivered(fake_slack, channel="C100")) == 1


def test_dst_fall_back_runs_once(runtime, db, clock, fake_slack):
    clock.set(datetime(2026, 10, 24, 12, tzinfo=UTC))
    gid = make_group(db, clock, days=("sun",), at="02:30", since=None)
    for minute in range(0, 6 * 60, 15):
        clock.set(datetime(2026, 10, 24, 22, tzinfo=UTC) + timedelta(minutes=minute))
        standup_tick(runtime.deps, clock.now())
    with db.transaction() as s:
        dues = s.scalars(select(StandupRun.due_at).where(StandupRun.group_id == gid)).all()
    assert dues == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # the first 02:30 (CEST)
    assert len([c for c in dms(fake_slack) if c["text"].startswith("Time for")]) == 3


def test_new_run_closes_the_previous_one(db, clock):
    gid = make_group(db, clock)
    with db.transaction() as s:
        first = domain.claim_run(s, gid, DUE, DUE, AMS)
        assert first.closes_at == DUE + timedelta(days=1)
        second = domain.claim_run(s, gid, DUE + timedelta(hours=2), DUE + timedelta(hours=2), AMS)
        s.refresh(first)
        assert first.closes_at == second.due_at


def test_answers_validated_and_closed_runs_refuse(db, clock):
    gid = make_group(db, clock)
    with db.transaction() as s:
        run = domain.claim_run(s, gid, DUE, DUE, AMS)
        prompt = s.scalar(select(StandupPrompt).where(StandupPrompt.member_id == "U1"))
        with pytest.raises(Invalid):
            domain.record_answer(s, prompt.id, "U1", ["", " ", None], DUE)
        with pytest.raises(Forbidden):
            domain.record_answer(s, prompt.id, "U2", ["x"], DUE)
        domain.record_answer(s, prompt.id, "U1", ["x", "y" * 5000], DUE)
        assert len(prompt.answers[1]) == domain.MAX_ANSWER_LEN
        run.status = "closed"
        with pytest.raises(Conflict) as closed:
            domain.record_answer(s, prompt.id, "U1", ["x"], DUE)
        assert "closed" in describe(closed.value)


def test_validate_questions():
    assert domain.validate_questions(["  a  b ", "", None, "c"]) == (["a b", "c"], {})
    assert {i: describe(e) for i, e in domain.validate_questions(["", ""])[1].items()} == {
        0: "Give at least one question."
    }
    assert 1 in domain.validate_questions(["ok", "x" * 300])[1]
    assert domain.blocking_index(["a", "Anything blocking?", "c"]) == 1
    assert domain.blocking_index(["a", "b"]) == 1


def test_pacer_spaces_per_channel_and_workspace():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(per_channel_seconds=1.0, per_minute=300, monotonic=lambda: now[0], sleep=sleep)
    for i in range(10):
        pacer.wait(f"D{i}")  # distinct channels: the workspace budget binds, 0.2 s apart
    assert now[0] == pytest.approx(1.8)
    pacer.wait("C1")
    pacer.wait("C1")  # the same channel: a second apart
    assert now[0] == pytest.approx(2.0 + 1.0)


def test_group_of_prompts_not_for_archived(db, clock):
    gid = make_group(db, clock)
    with db.transaction() as s:
        s.get(Group, gid).archived_at = clock.now()
    with db.transaction() as s:
        assert domain.due_pairs(s, DUE) == []
        assert domain.claim_run(s, gid, DUE, DUE, AMS) is None
        assert s.scalar(select(func.count()).select_from(Membership)) == 3
