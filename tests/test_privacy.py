"""`/spindle forget-me`: ask, confirm with a button, erase once; contributions stay as "former member"."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from models.audit import AuditEntry
from models.groups import Group, Membership
from models.innovations import Innovation, InnovationNote, StageChange
from models.people import Member, ensure_member
from models.privacy import FORGOTTEN_PREFIX, forget_member
from models.standups import StandupPrompt, StandupRun
from tests.conftest import COORDINATOR


def _button(resp, action_id: str) -> dict:
    for block in resp.json.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {resp.json}")


def _seed_history(db, clock, user: str = "U1") -> dict:
    """An innovation, a note, a stage change and an answered stand-up by `user` in group data-ethics."""
    now = clock.now()
    with db.transaction() as s:
        group = s.scalar(select(Group).where(Group.handle == "data-ethics"))
        inn = Innovation(group_id=group.id, title="Consent chatbot", stage="exploring", logged_by=user,
                         logged_at=now, updated_at=now)  # fmt: skip
        s.add(inn)
        s.flush()
        s.add(StageChange(innovation_id=inn.id, from_stage=None, to_stage="exploring", by_id=user, at=now))
        s.add(InnovationNote(innovation_id=inn.id, author_id=user, at=now, text="talked to legal"))
        run = StandupRun(group_id=group.id, due_at=now, claimed_at=now, status="closed", channel_id="CGRP",
                         message_ts="1700000000.000001")  # fmt: skip
        s.add(run)
        s.flush()
        s.add(StandupPrompt(run_id=run.id, member_id=user, answers=["my secret plans", "more", "none"],
                            answered_at=now, reply_ts="1700000000.000777"))  # fmt: skip
        return {"innovation": inn.id, "run": run.id}


def _setup(slack, fake_slack, db, clock) -> dict:
    fake_slack.add_user("U1", "ama", tz="Africa/Nairobi")
    assert "data-ethics" in slack.command("group new data-ethics Data ethics", user=COORDINATOR).text
    slack.command("group join data-ethics", user="U1")
    slack.command("org Cordaid", user="U1")
    assert "leads" in slack.command("group lead data-ethics <@U1|ama>", user=COORDINATOR).text
    slack.command("coordinator add <@U1>", user=COORDINATOR)
    slack.command("group new u1-made-this By U1", user="U1")  # U1 is a coordinator now: an audit row as actor
    with db.transaction() as s:
        u1 = s.get(Member, "U1")
        assert (u1.name, u1.organisation, u1.tz) == ("ama", "Cordaid", "Africa/Nairobi")
    return _seed_history(db, clock)


def test_forget_me_erases_once_and_keeps_contributions(slack, fake_slack, db, clock):
    ids = _setup(slack, fake_slack, db, clock)

    asked = slack.command("forget-me", user="U1")
    assert asked.status == 200 and "Erase" in asked.text and "former member" in asked.text
    confirm = _button(asked, "forget_me_confirm")
    _button(asked, "forget_me_cancel")
    with db.transaction() as s:  # asking changes nothing
        assert s.get(Member, "U1").organisation == "Cordaid"

    r = slack.block_action("U1", "forget_me_confirm", confirm["value"], block_id="forget_me")
    assert r.status == 200
    done = fake_slack.wait_for("response_url", where=lambda c: "erased" in c.text)
    assert done[-1]["replace_original"] in (True, "true")
    assert "data-ethics" in done[-1].text

    with db.transaction() as s:
        assert s.get(Member, "U1") is None  # the Slack ID is gone from the database
        ghost = s.scalar(select(Member).where(Member.forgotten.is_(True)))
        assert ghost.id.startswith(FORGOTTEN_PREFIX)
        assert (ghost.name, ghost.organisation, ghost.tz, ghost.is_coordinator) == ("", None, None, False)
        assert ghost.display_name == "former member"
        inn = s.get(Innovation, ids["innovation"])
        assert inn.logged_by == ghost.id and inn.logger.display_name == "former member"
        assert s.scalar(select(StageChange.by_id)) == ghost.id
        assert s.scalar(select(InnovationNote.author_id)) == ghost.id
        prompt = s.scalar(select(StandupPrompt))
        assert prompt.answers is None and prompt.answered_at is not None and prompt.member_id == ghost.id
        assert s.scalar(select(func.count()).select_from(Membership)) == 0
        assert s.scalar(select(Group.lead_id).where(Group.handle == "data-ethics")) is None
        audits = s.scalars(select(AuditEntry)).all()
        assert not any("U1" == a.actor_id or "U1" in a.detail.split() for a in audits)
        assert any(a.action == "member.forget" and a.actor_id == ghost.id for a in audits)
        assert any(a.action == "group.create" and a.actor_id == ghost.id for a in audits)
    cleared = fake_slack.of("chat.update", channel="CGRP", ts="1700000000.000777")
    assert len(cleared) == 1 and "removed" in cleared[0].text and "secret" not in cleared[0].text

    # The same button again (a double click, a retry): no second effect.
    slack.block_action("U1", "forget_me_confirm", confirm["value"], block_id="forget_me")
    fake_slack.wait_for("response_url", where=lambda c: "nothing to erase" in c.text)
    assert len(fake_slack.of("chat.update")) == 1
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Member).where(Member.forgotten.is_(True))) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "member.forget")) == 1

    # Using the bot again starts fresh: a new member, not linked to what the former one did.
    clock.advance(timedelta(minutes=5))
    r = slack.command("group list", user="U1")
    assert "data-ethics" in r.text
    fake_slack.wait_for("users.info", count=2)
    with db.transaction() as s:
        fresh = s.get(Member, "U1")
        assert not fresh.forgotten and fresh.organisation is None and fresh.name == "ama"
        assert s.get(Innovation, ids["innovation"]).logger.display_name == "former member"

    # The old confirm button cannot erase the fresh start.
    slack.block_action("U1", "forget_me_confirm", confirm["value"], block_id="forget_me")
    fake_slack.wait_for("response_url", where=lambda c: "out of date" in c.text)
    with db.transaction() as s:
        assert not s.get(Member, "U1").forgotten


def test_cancel_erases_nothing(slack, fake_slack, db):
    slack.command("org Oxfam Novib", user="U2")
    asked = slack.command("forget-me", user="U2")
    slack.block_action("U2", "forget_me_cancel", _button(asked, "forget_me_cancel")["value"])
    fake_slack.wait_for("response_url", where=lambda c: "Nothing was erased" in c.text)
    with db.transaction() as s:
        assert s.get(Member, "U2").organisation == "Oxfam Novib"
        assert s.scalar(select(func.count()).select_from(Member).where(Member.forgotten.is_(True))) == 0


def test_forget_me_with_extra_words_is_a_usage_error(slack, db):
    r = slack.command("forget-me now please", user="U3")
    assert r.status == 200 and "forget-me" in r.text
    assert "forget_me_confirm" not in r.body.decode()


def test_thread_reply_that_cannot_be_cleared_is_reported_not_fatal(slack, fake_slack, db, clock):
    slack.command("group new data-ethics", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    _seed_history(db, clock)
    fake_slack.fail("chat.update", status=200, error="message_not_found")
    asked = slack.command("forget-me", user="U1")
    slack.block_action("U1", "forget_me_confirm", _button(asked, "forget_me_confirm")["value"])
    done = fake_slack.wait_for("response_url", where=lambda c: "erased" in c.text)
    assert "could not be cleared" in done[-1].text
    with db.transaction() as s:
        assert s.get(Member, "U1") is None
        assert s.scalar(select(StandupPrompt.answers)) is None


def test_forget_unknown_member_does_nothing(db, clock):
    with db.transaction() as s:
        assert forget_member(s, "UNOBODY", clock.now()).done is False


def test_concurrent_confirms_erase_once(db, clock):
    with db.transaction() as s:
        ensure_member(s, "U7", clock.now(), name="seven")
    results: list = []
    errors: list = []
    barrier = threading.Barrier(4)

    def click():
        barrier.wait()
        try:
            with db.transaction() as s:
                results.append(forget_member(s, "U7", clock.now()).done)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    with db.transaction() as s:
        assert s.get(Member, "U7") is None
        assert s.scalar(select(func.count()).select_from(Member).where(Member.forgotten.is_(True))) == 1


def test_the_last_coordinator_is_warned_before_forgetting_themselves(slack, db):
    asked = slack.command("forget-me", user=COORDINATOR)
    assert "last coordinator" in asked.body.decode()
    _button(asked, "forget_me_confirm")  # still theirs to confirm: erasure is not refused
    slack.command("coordinator add <@U5>", user=COORDINATOR)
    again = slack.command("forget-me", user=COORDINATOR)
    assert "last coordinator" not in again.body.decode()
    ordinary = slack.command("forget-me", user="U6")
    assert "last coordinator" not in ordinary.body.decode()
