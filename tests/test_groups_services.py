"""services/groups.py and services/people.py without Slack: a real database, a recording Messenger."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from handlers.ui.errors import ERRORS, describe, plain
from models.audit import AuditEntry
from models.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from models.groups import Group, Membership
from models.innovations import InnovationInput, create_innovation
from models.people import Member, ensure_member, get_member
from models.standups import set_schedule
from services import groups, people
from services.actor import Actor
from services.ports import MessengerError, Profile
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.fakemessenger import RecordingMessenger

COORD = Actor(COORDINATOR, "coord")
AMA = Actor("U1", "ama")
BEN = Actor("U2", "ben")


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, "Europe/Amsterdam")


@pytest.fixture
def group(uow) -> str:
    return groups.create_group(uow, COORD, "data-ethics", "  Exploring   the ethics of data ").handle


def refused(uow, kind: type[DomainError], code: str, call, *args) -> DomainError:
    """The call is refused with `code`, the catalogue words it, and the database is unchanged."""
    before = snapshot(uow.db)
    with pytest.raises(kind) as err:
        call(uow, *args)
    assert err.value.code == code and code in ERRORS
    assert snapshot(uow.db) == before
    return err.value


class CountingMessenger(RecordingMessenger):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def profile(self, user_id: str) -> Profile:
        self.asked.append(user_id)
        return super().profile(user_id)


# --- groups ---------------------------------------------------------------------------------------


def test_create_list_join(uow, db, group):
    assert group == "data-ethics"
    assert groups.list_groups(uow, AMA).rows == (("data-ethics", "Exploring the ethics of data", None, 0),)
    joined = groups.join_group(uow, AMA, "Data-Ethics")
    assert joined == groups.GroupJoined("data-ethics", None, profile_missing=True)
    assert [(r.handle, r.members) for r in groups.list_groups(uow, BEN).rows] == [("data-ethics", 1)]
    with db.transaction() as s:
        assert s.get(Member, "U1").name == "ama"  # created on first contact with the payload's name
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "group.create")) == 1


def test_group_refusals_carry_codes_and_change_nothing(uow, group):
    err = refused(uow, Forbidden, "people.coordinators_only", groups.create_group, AMA, "other", "")
    assert err.params == {"doing": "group.new"}
    assert (
        describe(err) == "Only coordinators may create action groups. `/spindle coordinator list` shows who they are."
    )
    err = refused(uow, Conflict, "group.exists", groups.create_group, COORD, "DATA-ETHICS", "")
    assert describe(err) == "An action group `data-ethics` already exists; choose another handle."
    err = refused(uow, Invalid, "group.handle_invalid", groups.create_group, COORD, "Bad_Handle!", "")
    assert err.params == {"handle": "bad_handle!"} and "is not a valid handle" in describe(err)
    err = refused(uow, Invalid, "group.description_too_long", groups.create_group, COORD, "other", "d" * 301)
    assert describe(err) == "The description is 301 characters; 300 is the most."
    err = refused(uow, NotFound, "group.not_found", groups.join_group, AMA, "nope")
    assert describe(err) == "There is no action group `nope`. `/spindle group list` shows them all."
    groups.join_group(uow, AMA, group)
    refused(uow, Conflict, "group.already_member", groups.join_group, AMA, group)
    refused(uow, NotFound, "group.not_member", groups.leave_group, BEN, group)
    refused(uow, Forbidden, "people.coordinators_only", groups.archive_group, AMA, group)


def test_lead_channel_leave(uow, db, group):
    groups.join_group(uow, AMA, group)
    groups.join_group(uow, BEN, group)
    err = refused(uow, Invalid, "group.lead_not_member", groups.set_lead, COORD, group, "U9")
    assert describe(err) == (
        "<@U9> is not a member of `data-ethics`; they can join with `/spindle group join data-ethics` first."
    )
    refused(uow, Forbidden, "people.coordinators_only", groups.set_lead, AMA, group, "U1")
    assert (groups.set_lead(uow, COORD, group, "U1").user_id) == "U1"
    refused(uow, Conflict, "group.already_lead", groups.set_lead, COORD, group, "U1")

    refused(uow, Forbidden, "group.channel_lead_only", groups.link_channel, BEN, group, "C1")
    refused(uow, Invalid, "group.channel_missing", groups.link_channel, AMA, group, "")
    assert groups.link_channel(uow, AMA, group, "C1").channel_id == "C1"  # the lead may
    assert groups.join_group(uow, Actor("U3"), group).channel_id == "C1"

    assert groups.leave_group(uow, AMA, group).handle == group
    with db.transaction() as s:
        g = s.scalar(select(Group))
        assert (g.lead_id, g.channel_id) == (None, "C1")  # the lead left: the group has none


def test_archive_hides_the_group_except_from_coordinators(uow, group):
    groups.join_group(uow, AMA, group)
    assert groups.archive_group(uow, COORD, group).handle == group
    assert groups.list_groups(uow, AMA).rows == ()
    refused(uow, NotFound, "group.not_found", groups.group_info, AMA, group)
    refused(uow, NotFound, "group.not_found", groups.join_group, BEN, group)
    assert groups.group_info(uow, COORD, group).archived
    assert groups.leave_group(uow, AMA, group).handle == group  # leaving an archived group still works


def test_info_is_plain_data(uow, db, clock, group):
    for actor, org in ((AMA, "Cordaid"), (BEN, None), (Actor("U3"), "Oxfam")):
        groups.join_group(uow, actor, group)
        if org:
            people.set_organisation(uow, actor, org)
    groups.set_lead(uow, COORD, group, "U2")
    now = clock.now()
    with db.transaction() as s:
        s.get(Member, "U3").forgotten = True  # a forgotten member shows no organisation
        s.get(Member, "U1").tz = "Asia/Tokyo"
        coord, _ = ensure_member(s, COORDINATOR, now)
        set_schedule(s, coord, group, ("mon", "wed"), "09:30", "Europe/Amsterdam", now)
        member = s.get(Member, "U1")
        for title in ("One", "Two"):
            create_innovation(s, member, InnovationInput(group=group, title=title), now)
        create_innovation(s, member, InnovationInput(group=group, title="Three", stage="idea"), now)

    info = groups.group_info(uow, AMA, group)
    assert (info.handle, info.description, info.archived) == (group, "Exploring the ethics of data", False)
    assert (info.lead_id, info.channel_id, info.reader_tz) == ("U2", None, "Asia/Tokyo")
    assert info.members == (
        groups.MemberRow("U1", "Cordaid"),
        groups.MemberRow("U2", None),
        groups.MemberRow("U3", None),
    )
    assert dict(info.stage_counts) == {
        "idea": 1, "exploring": 2, "piloting": 0, "scaling": 0, "adopted": 0, "parked": 0, "dropped": 0,
    }  # fmt: skip
    assert info.innovations == 3
    # Thu 26 Nov 2026 10:00 UTC: next are Mon 30 Nov, Wed 2 Dec, Mon 7 Dec at 09:30 in Amsterdam (08:30 UTC)
    assert info.schedule == groups.ScheduleSummary(
        days=("mon", "wed"), local_time="09:30", tz="Europe/Amsterdam",
        upcoming=(datetime(2026, 11, 30, 8, 30, tzinfo=UTC), datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
                  datetime(2026, 12, 7, 8, 30, tzinfo=UTC)),
    )  # fmt: skip
    assert groups.group_info(uow, COORD, group).reader_tz is None  # the coordinator has no zone yet


def test_info_without_schedule_members_or_innovations(uow, group):
    info = groups.group_info(uow, AMA, group)
    assert (info.members, info.schedule, info.innovations) == ((), None, 0)


def test_info_loads_the_members_in_one_query(uow, db, group):
    def statements_for_info() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            groups.group_info(uow, COORD, group)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    groups.join_group(uow, AMA, group)
    with_one = statements_for_info()
    for i in range(10):
        groups.join_group(uow, Actor(f"UM{i}"), group)
    assert statements_for_info() == with_one  # not one query per member


# --- people ---------------------------------------------------------------------------------------


def test_set_organisation(uow, db):
    assert people.set_organisation(uow, AMA, "  Oxfam   Novib ").organisation == "Oxfam Novib"
    with db.transaction() as s:
        assert s.get(Member, "U1").organisation == "Oxfam Novib"
    err = refused(uow, Invalid, "people.org_missing", people.set_organisation, AMA, "   ")
    assert describe(err) == "Name your organisation, for example `/spindle org Cordaid`."
    err = refused(uow, Invalid, "people.org_too_long", people.set_organisation, AMA, "o" * 121)
    assert describe(err) == "That organisation name is 121 characters; 120 is the most."


def test_coordinators_add_list_remove(uow, db):
    assert people.list_coordinators(uow, AMA).user_ids == (COORDINATOR,)
    err = refused(uow, Forbidden, "people.coordinators_only", people.add_coordinator, AMA, "U2")
    assert describe(err).startswith("Only coordinators may add coordinators.")
    assert people.add_coordinator(uow, COORD, "U2").user_id == "U2"  # U2 never used the bot
    assert set(people.list_coordinators(uow, AMA).user_ids) == {COORDINATOR, "U2"}
    err = refused(uow, Conflict, "people.already_coordinator", people.add_coordinator, COORD, "U2")
    assert describe(err) == "<@U2> is already a coordinator."
    err = refused(uow, NotFound, "people.not_coordinator", people.remove_coordinator, COORD, "U1")
    assert describe(err) == "<@U1> is not a coordinator."
    refused(uow, Forbidden, "people.coordinators_only", people.remove_coordinator, AMA, "U2")
    assert people.remove_coordinator(uow, Actor("U2"), COORDINATOR).user_id == COORDINATOR
    err = refused(uow, Conflict, "people.last_coordinator", people.remove_coordinator, Actor("U2"), "U2")
    assert describe(err) == "That is the last coordinator; add another one before removing them."
    with db.transaction() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["coordinator.add", "coordinator.remove"]


def test_whoami_reads_a_first_contact_without_storing_it(uow, db):
    """A read writes nothing: the newcomer is stored by the profile refresh after the ack."""
    assert people.whoami(uow, AMA) == people.MemberView("U1", False, None, None, profile_missing=True)
    assert people.whoami(uow, COORD).is_coordinator
    with db.transaction() as s:
        assert s.get(Member, "U1") is None
    messenger = CountingMessenger()
    messenger.failures[("profile", "U1")] = MessengerError("user_not_found", transient=False)
    assert people.refresh_profile(uow, messenger, AMA) is False  # Slack did not answer: stored all the same
    with db.transaction() as s:
        m = s.get(Member, "U1")
        assert (m.name, m.profile_fetched, m.created_at) == ("ama", False, uow.now())
    assert people.whoami(uow, AMA).profile_missing


# --- the Slack profile, after the ack ---------------------------------------------------------------


def test_refresh_profile_once_per_member(uow, db):
    messenger = CountingMessenger()
    messenger.profiles["U1"] = Profile(name="Ama Mensah", tz="Africa/Accra")
    people.whoami(uow, AMA)
    assert people.refresh_profile(uow, messenger, AMA) is True  # a first contact that read: stored now
    with db.transaction() as s:
        m = s.get(Member, "U1")
        assert (m.name, m.tz, m.profile_fetched) == ("Ama Mensah", "Africa/Accra", True)
    assert people.refresh_profile(uow, messenger, AMA) is False
    assert messenger.asked == ["U1"]  # asked once, not on every contact
    assert messenger.sent == []


def test_results_say_whether_the_profile_is_missing(uow, db, group):
    """Known inside the service's transaction: a member whose profile is in costs no query after the ack."""
    messenger = CountingMessenger()
    assert groups.join_group(uow, AMA, group).profile_missing  # first contact
    assert groups.list_groups(uow, AMA).profile_missing  # still missing until fetched
    people.refresh_profile(uow, messenger, AMA)
    assert not groups.list_groups(uow, AMA).profile_missing
    assert not groups.group_info(uow, AMA, group).profile_missing
    assert not people.whoami(uow, AMA).profile_missing
    with db.transaction() as s:
        s.get(Member, "U1").forgotten = True  # a forgotten member is never fetched
        s.get(Member, "U1").profile_fetched = False
    assert not people.whoami(uow, AMA).profile_missing


def test_refresh_profile_failure_is_logged_and_retried(uow, db, caplog):
    messenger = CountingMessenger()
    messenger.failures[("profile", "U1")] = MessengerError("user_not_found", transient=False)
    people.whoami(uow, AMA)
    with caplog.at_level(logging.WARNING, logger="services.people"):
        assert people.refresh_profile(uow, messenger, AMA) is False
    assert any("users.info" in r.getMessage() and r.error == "user_not_found" for r in caplog.records)
    with db.transaction() as s:
        m = s.get(Member, "U1")
        assert (m.name, m.profile_fetched) == ("ama", False)
    messenger.profiles["U1"] = Profile(name="Ama M.", tz=None)
    assert people.refresh_profile(uow, messenger, AMA) is True  # the next contact tries again
    with db.transaction() as s:
        m = s.get(Member, "U1")
        assert (m.name, m.tz, m.profile_fetched) == ("Ama M.", None, True)
    assert messenger.asked == ["U1", "U1"]


def test_refresh_profile_never_fetches_a_forgotten_member(uow, db):
    messenger = CountingMessenger()
    people.set_organisation(uow, AMA, "Hivos")  # a command that writes stores the member
    with db.transaction() as s:
        s.get(Member, "U1").forgotten = True
    assert people.refresh_profile(uow, messenger, AMA) is False
    assert messenger.asked == []


def test_first_contact_rolls_back_with_a_refusal(uow, db):
    refused(uow, Forbidden, "people.coordinators_only", groups.create_group, Actor("UNEW"), "x-group", "")
    with db.transaction() as s:
        assert s.get(Member, "UNEW") is None
        assert s.scalar(select(func.count()).select_from(Membership)) == 0


def test_every_code_raised_by_groups_and_people_has_words():
    """A raise site whose code is missing from the catalogue would show the code to people."""
    root = Path(__file__).resolve().parent.parent
    for module in ("models/groups.py", "models/people.py"):
        source = (root / module).read_text()
        codes = re.findall(r'\b(?:Invalid|NotFound|Forbidden|Conflict)\(\s*"([a-z_.]+)"', source)
        doings = re.findall(r'require_coordinator\(\w+, "([a-z_.]+)"\)', source)
        assert codes and (doings or module.endswith("people.py"))
        for code in codes:
            assert code in ERRORS, f"{module}: {code} has no words"
        for doing in doings:
            assert f"doing.{doing}" in ERRORS, f"{module}: doing={doing} has no words"


def test_unknown_member(db):
    with db.transaction() as s, pytest.raises(NotFound) as err:
        get_member(s, "U404")
    assert err.value.code == "people.unknown"
    assert describe(err.value) == "<@U404> has not used Spindle Bot yet."
    assert plain(err.value) == "U404 has not used Spindle Bot yet."
