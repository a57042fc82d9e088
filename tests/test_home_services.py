"""The Home's read model and its publishing, without Slack: what it reads, and how its hash is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from models.deliveries import AlreadyDone
from models.groups import Group, Membership
from models.innovations import Innovation
from models.people import Member
from models.standups import StandupSchedule
from services import groups, home
from services.actor import Actor
from services.ports import MessengerError
from services.uow import UnitOfWork
from tests.fakemessenger import RecordingMessenger


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam")


def seed(db, clock) -> None:
    now = clock.now()
    with db.transaction() as s:
        s.add(Member(id="U1", name="ama", tz="Africa/Nairobi", created_at=now))
        for n, handle in enumerate(("data-ethics", "civic-tech", "ai-watch")):
            s.add(Group(id=n + 1, handle=handle, description=handle, created_at=now + timedelta(minutes=n),
                        lead_id="U1" if n == 0 else None))  # fmt: skip
        s.flush()
        s.add(Membership(group_id=1, member_id="U1", joined_at=now))
        s.add(StandupSchedule(group_id=1, days="mon", local_time="09:30", tz="Europe/Amsterdam", active=True))
        for i, stage in enumerate(("piloting", "idea", "idea")):
            s.add(Innovation(title=f"Mine {i}", group_id=1, stage=stage, logged_at=now, updated_at=now + timedelta(i)))
        s.add(Innovation(title="Theirs", group_id=2, stage="idea", logged_at=now, updated_at=now))


def test_home_of_reads_the_dashboard(uow, db, clock):
    seed(db, clock)
    mine = home.home_of(uow, "U1")
    (group,) = mine.groups
    assert (group.handle, group.is_lead, group.stage_counts) == ("data-ethics", True, (("idea", 2), ("piloting", 1)))
    assert group.next_standup is not None and group.next_standup.weekday() == 0  # Thursday 26 Nov → Monday
    assert [i.title for i in mine.innovations] == ["Mine 2", "Mine 1", "Mine 0"]  # most recently updated first
    assert [g.handle for g in mine.to_join] == ["ai-watch", "civic-tech"] and mine.to_join_total == 2
    assert [h.title for h in mine.new_elsewhere] == ["Theirs"]
    assert (mine.tz, mine.leads, mine.prompts) == ("Africa/Nairobi", (), ())
    assert [g.handle for g in home.find_groups(uow, "U1", "TECH")] == ["civic-tech"]
    assert [g.handle for g in home.find_groups(uow, "U1", "%")] == ["ai-watch", "civic-tech"]  # no LIKE wildcard


@dataclass
class RacingMessenger(RecordingMessenger):
    """Slack's side of the hash: a publish naming another hash than the Home's current one is refused."""

    current: str | None = None
    refused: list[str | None] = field(default_factory=list)

    def publish_home(self, user_id: str, home_view: object, *, view_hash: str | None = None) -> str | None:
        if view_hash is not None and view_hash != self.current:
            self.refused.append(view_hash)
            raise MessengerError("hash_conflict", transient=False)
        self.current = super().publish_home(user_id, home_view, view_hash=view_hash)
        return self.current


def test_publishing_keeps_the_hash_and_a_stale_one_heals(uow, db, clock):
    seed(db, clock)
    slack = RacingMessenger()
    assert home.publish_home(uow, slack, "U1") is True
    first = slack.current
    assert home.publish_home(uow, slack, "U1") is True
    assert slack.of("publish_home")[-1].view_hash == first and slack.refused == []
    stored = slack.current
    slack.current = "published-by-another-process"  # …which has not stored its hash yet
    assert home.publish_home(uow, slack, "U1", known_hash="published-by-another-process") is True
    assert slack.refused == [stored]  # ours first: refused, read again, then the click's hash
    assert slack.of("publish_home")[-1].view_hash == "published-by-another-process"  # the click's own hash
    ours, slack.current = slack.current, "lost"
    assert home.publish_home(uow, slack, "U1") is True  # nobody knows Slack's hash: publish without one
    assert slack.refused[-1] == ours
    assert slack.of("publish_home")[-1].view_hash is None
    assert home.home_of(uow, "U1").view_hash == slack.current


def test_a_claimed_click_changes_nothing_the_second_time(uow, db, clock):
    seed(db, clock)
    groups.join_group(uow, Actor("U1"), "civic-tech", once="home:join:U1:h1")
    with pytest.raises(AlreadyDone):
        groups.join_group(uow, Actor("U1"), "civic-tech", once="home:join:U1:h1")
    groups.leave_group(uow, Actor("U1"), "civic-tech", once="home:leave:U1:h2")
    groups.join_group(uow, Actor("U1"), "civic-tech", once="home:join:U1:h3")  # a new Home: a new click
    assert [g.handle for g in home.home_of(uow, "U1").groups] == ["civic-tech", "data-ethics"]
