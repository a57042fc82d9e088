"""services/privacy.py, services/home.py and services/deliveries.py without HTTP: a real database,
the injected clock and a RecordingMessenger standing in for Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.ui.errors import describe
from handlers.ui.render import render, render_home
from models.audit import AuditEntry
from models.errors import Conflict, Unavailable
from models.groups import Group, Membership
from models.people import Member, ensure_member
from models.privacy import forget_token
from models.register import ProcessedDelivery
from models.standups import StandupPrompt, StandupRun
from services import deliveries, home, privacy
from services.actor import Actor
from services.ports import MessengerError
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.fakemessenger import RecordingMessenger


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam")


def _seed(db, clock, user: str = "U1") -> None:
    """`user` in two groups (leading one), with two answered stand-ups posted as thread replies."""
    now = clock.now()
    with db.transaction() as s:
        ensure_member(s, user, now, name="ama")
        ethics = Group(handle="data-ethics", description="Ethics", channel_id="CGRP", lead_id=user,
                       created_by=COORDINATOR, created_at=now)  # fmt: skip
        civic = Group(handle="civic-tech", description="Civic", created_by=COORDINATOR, created_at=now)
        s.add_all([ethics, civic])
        s.flush()
        s.add_all([Membership(group_id=g.id, member_id=user, joined_at=now) for g in (ethics, civic)])
        for n in (1, 2):
            run = StandupRun(group_id=ethics.id, due_at=now - timedelta(days=n), claimed_at=now, status="closed",
                             channel_id="CGRP", message_ts=f"1700000000.00000{n}")  # fmt: skip
            s.add(run)
            s.flush()
            s.add(StandupPrompt(run_id=run.id, member_id=user, answers=json.dumps(["plans", "more", "none"]),
                                answered_at=now, reply_ts=f"1700000000.00077{n}"))  # fmt: skip


# --- forget-me ---------------------------------------------------------------------------------


def test_prompt_for_a_new_person_creates_them_and_carries_their_token(uow, db, clock):
    prompt = privacy.forget_prompt(uow, Actor("UNEW", "newbie"))
    assert prompt.needs_profile is True and prompt.last_coordinator is False
    with db.transaction() as s:
        member = s.get(Member, "UNEW")
        assert member is not None and member.name == "newbie"
        assert prompt.token == forget_token(member)
    assert privacy.forget_prompt(uow, Actor(COORDINATOR)).last_coordinator is True


def test_forget_erases_and_replaces_every_posted_reply(uow, db, clock):
    _seed(db, clock)
    messenger = RecordingMessenger()
    token = privacy.forget_prompt(uow, Actor("U1")).token

    done = privacy.forget(uow, messenger, "U1", token)

    assert done == privacy.Forgotten(done=True, answers=2, groups_left=("civic-tech", "data-ethics"),
                                     replies_cleared=2, replies_failed=0)  # fmt: skip
    updates = messenger.of("update")
    assert sorted((u.channel, u.ts) for u in updates) == [("CGRP", "1700000000.000771"), ("CGRP", "1700000000.000772")]
    assert all(isinstance(u.message, privacy.ReplyRemoved) for u in updates)
    assert render(updates[0].message)[0] == "_This stand-up answer was removed at its author's request._"
    with db.transaction() as s:
        assert s.get(Member, "U1") is None
        assert s.scalar(select(func.count()).select_from(StandupPrompt).where(StandupPrompt.answers.is_not(None))) == 0

    again = privacy.forget(uow, messenger, "U1", token)  # a double click
    assert again == privacy.Forgotten(done=False)
    assert len(messenger.of("update")) == 2


def test_a_reply_slack_refuses_to_update_is_counted_and_the_erasure_stands(uow, db, clock):
    _seed(db, clock)
    messenger = RecordingMessenger(failures={("update", "CGRP"): MessengerError("message_not_found", transient=False)})
    done = privacy.forget(uow, messenger, "U1", privacy.forget_prompt(uow, Actor("U1")).token)
    assert (done.done, done.replies_cleared, done.replies_failed) == (True, 1, 1)
    with db.transaction() as s:
        assert s.get(Member, "U1") is None
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "member.forget")) == 1


def test_an_out_of_date_token_is_refused_with_a_code_and_changes_nothing(uow, db, clock):
    _seed(db, clock)
    before = snapshot(db)
    messenger = RecordingMessenger()
    with pytest.raises(Conflict) as refused:
        privacy.forget(uow, messenger, "U1", "123")
    assert refused.value.code == "privacy.confirmation_out_of_date"
    assert "/spindle forget-me" in describe(refused.value)
    assert snapshot(db) == before and messenger.sent == []


# --- the Home tab ------------------------------------------------------------------------------


def test_home_of_someone_unknown_reads_only(uow, db):
    unknown = home.home_of(uow, "UNEW")
    assert (unknown.groups, unknown.is_coordinator, unknown.known, unknown.innovations) == ((), False, False, ())
    with db.transaction() as s:
        assert s.get(Member, "UNEW") is None


def test_home_lists_active_groups_and_publishes(uow, db, clock):
    _seed(db, clock)
    with db.transaction() as s:
        s.scalar(select(Group).where(Group.handle == "civic-tech")).archived_at = clock.now()
    messenger = RecordingMessenger()
    assert home.publish_home(uow, messenger, "U1") is True
    (published,) = messenger.of("publish_home")
    assert published.channel == "U1"
    shown = published.message
    assert (shown.is_coordinator, shown.known) == (False, True)
    assert [(g.handle, g.description, g.channel_id, g.is_lead) for g in shown.groups] == [
        ("data-ethics", "Ethics", "CGRP", True)
    ]
    view = render_home(published.message)
    assert view["type"] == "home" and "data-ethics" in json.dumps(view) and "civic-tech" not in json.dumps(view)
    assert home.home_of(uow, COORDINATOR).is_coordinator is True


def test_home_publish_failures_are_logged_not_raised(uow, db, clock, caplog):
    messenger = RecordingMessenger(failures={("publish_home", "U1"): MessengerError("not_authed", transient=False)})
    assert home.publish_home(uow, messenger, "U1") is False
    assert any(r.getMessage() == "views.publish failed" and r.error == "not_authed" for r in caplog.records)

    class DownUnitOfWork(UnitOfWork):
        @contextmanager
        def transaction(self) -> Iterator:
            raise Unavailable()
            yield

        @contextmanager
        def read(self) -> Iterator:  # the Home tab only reads
            raise Unavailable()
            yield

    down = DownUnitOfWork(db, clock, "Europe/Amsterdam")
    assert home.publish_home(down, messenger, "U1") is False
    assert messenger.sent == []


# --- delivery claims ---------------------------------------------------------------------------


def test_claim_once_then_prune(uow, db, clock):
    assert deliveries.claim(uow, "event:Ev1") is True
    assert deliveries.claim(uow, "event:Ev1") is False
    assert deliveries.prune(uow, clock.now() + timedelta(days=6)) == 0
    assert deliveries.prune(uow, clock.now() + timedelta(days=8)) == 1
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ProcessedDelivery)) == 0
    assert deliveries.claim(uow, "event:Ev1") is True  # forgotten claims are claimable again
