"""Action groups, people and roles, end to end through signed requests (issue 2)."""

import pytest

from models.audit import AuditEntry
from models.groups import Group, Membership
from models.people import Member
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot


@pytest.fixture
def group(slack):
    r = slack.command("group new data-ethics Exploring the ethics of data", user=COORDINATOR)
    assert "is created" in r.text
    return "data-ethics"


def refused(slack, db, text, user, expect):
    """Run a command that must be refused: the reply says why, and nothing changes."""
    before = snapshot(db)
    r = slack.command(text, user=user)
    assert r.status == 200
    assert r.json.get("response_type") == "ephemeral"
    assert expect in r.text, r.text
    after = snapshot(db)
    # A first-contact member row may appear before the refusal? No: the refusal rolls back.
    assert after == before
    return r


def test_help_and_empty_text_show_usage(slack):
    for text in ("", "help", "HELP"):
        r = slack.command(text, user="U1")
        assert r.status == 200 and r.json["response_type"] == "ephemeral"
        assert "/spindle group list" in r.text and "/spindle log" in r.text
        assert "coordinator add" not in r.text  # coordinators' section is for coordinators
    r = slack.command("help", user=COORDINATOR)
    assert "coordinator add" in r.text and "export" in r.text


def test_group_new_by_coordinator(slack, db, group):
    with db.transaction() as s:
        g = s.query(Group).one()
        assert (g.handle, g.description, g.created_by) == ("data-ethics", "Exploring the ethics of data", COORDINATOR)
        assert g.created_at.tzinfo is not None and g.created_at.utcoffset().total_seconds() == 0
        assert s.query(AuditEntry).filter_by(action="group.create").count() == 1


def test_group_new_refusals(slack, db, group):
    refused(slack, db, "group new other", "U1", "Only coordinators may create action groups")
    refused(slack, db, "group new DATA-ETHICS", COORDINATOR, "already exists")
    refused(slack, db, "group new Data_Ethics!", COORDINATOR, "is not a valid group handle")
    refused(slack, db, "group new x", COORDINATOR, "is not a valid group handle")
    refused(slack, db, "group new " + "a" * 41, COORDINATOR, "is not a valid group handle")
    refused(slack, db, "group new", COORDINATOR, "Missing the group's HANDLE")
    r = refused(slack, db, "group frobnicate", COORDINATOR, "is not a group command")
    assert "Usage:" in r.text


def test_handles_are_case_insensitive(slack, group):
    r = slack.command("group join Data-Ethics", user="U1")
    assert "Welcome to `data-ethics`" in r.text
    r = slack.command("group info DATA-ETHICS", user="U1")
    assert "data-ethics" in r.text and "<@U1>" in r.text


def test_join_leave_and_membership_errors(slack, db, group):
    assert "Welcome" in slack.command("group join data-ethics", user="U1").text
    refused(slack, db, "group join data-ethics", "U1", "already a member")
    refused(slack, db, "group join nope", "U1", "There is no action group `nope`")
    refused(slack, db, "group join", "U1", "Missing HANDLE")
    refused(slack, db, "group join a b", "U1", "Too many words")
    r = slack.command("group leave data-ethics", user="U1")
    assert "You left `data-ethics`" in r.text
    refused(slack, db, "group leave data-ethics", "U1", "not a member")
    with db.transaction() as s:
        assert s.query(Membership).count() == 0


def test_group_list_shows_members_description_and_channel(slack, group):
    slack.command("group join data-ethics", user="U1")
    slack.command("group join data-ethics", user="U2")
    slack.command("group channel data-ethics", user=COORDINATOR, channel="CETHICS")
    r = slack.command("group list", user="U3")
    assert "data-ethics" in r.text and "Exploring the ethics of data" in r.text
    assert "2 members" in r.text and "<#CETHICS>" in r.text


def test_group_list_when_empty(slack):
    assert "no action groups yet" in slack.command("group list", user="U1").text


def test_group_list_stays_within_block_kit_limits(slack, db, clock):
    from models.groups import create_group
    from models.people import get_member

    with db.transaction() as s:
        coordinator = get_member(s, COORDINATOR)
        for i in range(600):
            create_group(s, coordinator, f"group-{i:03d}", "A long description. " * 15, clock.now())
    r = slack.command("group list", user="U1")
    blocks = r.json["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "group-000" in r.text and "more" in r.text


def test_channel_link_by_lead_or_coordinator_only(slack, db, group):
    slack.command("group join data-ethics", user="U1")
    slack.command("group join data-ethics", user="U2")
    refused(slack, db, "group channel data-ethics", "U1", "Only the lead of `data-ethics` or a coordinator")
    slack.command("group lead data-ethics <@U1|ama>", user=COORDINATOR)
    r = slack.command("group channel data-ethics", user="U1", channel="CLEAD")
    assert "<#CLEAD>" in r.text
    with db.transaction() as s:
        assert s.query(Group).one().channel_id == "CLEAD"


def test_lead_assignment_rules(slack, db, group):
    slack.command("group join data-ethics", user="U1")
    refused(slack, db, "group lead data-ethics <@U1>", "U2", "Only coordinators may assign group leads")
    refused(slack, db, "group lead data-ethics <@U9>", COORDINATOR, "is not a member of `data-ethics`")
    refused(slack, db, "group lead data-ethics ama", COORDINATOR, "is not a mention")
    refused(slack, db, "group lead data-ethics", COORDINATOR, "Give the group's HANDLE and @mention")
    refused(slack, db, "group lead data-ethics <@U1> <@U2>", COORDINATOR, "Mention one person only")
    r = slack.command("group lead data-ethics <@U1|ama>", user=COORDINATOR)
    assert "<@U1> now leads `data-ethics`" in r.text
    refused(slack, db, "group lead data-ethics <@U1>", COORDINATOR, "already leads")
    assert "*Lead:* <@U1>" in slack.command("group info data-ethics", user="U2").text
    # Leaving clears the lead.
    slack.command("group leave data-ethics", user="U1")
    assert "*Lead:* none yet" in slack.command("group info data-ethics", user="U2").text


def test_archive(slack, db, group):
    refused(slack, db, "group archive data-ethics", "U1", "Only coordinators may archive")
    r = slack.command("group archive data-ethics", user=COORDINATOR)
    assert "archived" in r.text
    assert "data-ethics" not in slack.command("group list", user="U1").text
    refused(slack, db, "group join data-ethics", "U1", "There is no action group")
    # History is kept: a coordinator still sees it.
    assert "(archived)" in slack.command("group info data-ethics", user=COORDINATOR).text


def test_group_info_shows_members_orgs_schedule_and_innovations(slack, group):
    slack.command("org Cordaid", user="U1")
    slack.command("group join data-ethics", user="U1")
    r = slack.command("group info data-ethics", user="U1")
    assert "<@U1> — Cordaid" in r.text
    assert "*Stand-up:*" in r.text and "*Innovations (0):*" in r.text
    assert "none linked" in r.text


def test_org(slack, db):
    r = slack.command("org   Terre des   Hommes ", user="U1")
    assert "*Terre des Hommes*" in r.text
    with db.transaction() as s:
        assert s.get(Member, "U1").organisation == "Terre des Hommes"
    refused(slack, db, "org", "U1", "Name your organisation")
    refused(slack, db, "org " + "x" * 121, "U1", "120 is the most")


def test_org_text_is_escaped_in_replies(slack):
    r = slack.command("org <!channel> & co", user="U1")
    assert "&lt;!channel&gt; &amp; co" in r.text


def test_coordinators(slack, db):
    assert "<@UCOORD>" in slack.command("coordinator list", user="U1").text
    refused(slack, db, "coordinator add <@U2>", "U1", "Only coordinators may add coordinators")
    r = slack.command("coordinator add <@U2|bo>", user=COORDINATOR)
    assert "<@U2> is now a coordinator" in r.text
    refused(slack, db, "coordinator add <@U2>", COORDINATOR, "already a coordinator")
    assert "is created" in slack.command("group new by-u2", user="U2").text
    refused(slack, db, "coordinator remove <@U3>", COORDINATOR, "is not a coordinator")
    refused(slack, db, "coordinator add bo", COORDINATOR, "is not a mention")
    refused(slack, db, "coordinator", COORDINATOR, "Say add, remove or list")
    refused(slack, db, "coordinator promote <@U3>", COORDINATOR, "is not a coordinator command")
    r = slack.command("coordinator remove <@U2>", user=COORDINATOR)
    assert "no longer a coordinator" in r.text
    refused(slack, db, "coordinator remove <@UCOORD>", COORDINATOR, "last coordinator")
    with db.transaction() as s:
        actions = [a.action for a in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["coordinator.add", "group.create", "coordinator.remove"]


def test_unknown_command_and_bad_words(slack, db):
    refused(slack, db, "frobnicate now", "U1", "I don't know `frobnicate`")
    refused(slack, db, "show banana", "U1", "is not an innovation reference")
    refused(slack, db, "standup x set someday 9", "U1", "is not a valid group handle")


def test_members_created_on_first_contact_with_profile(slack, db, fake_slack):
    fake_slack.add_user("U7", "amara", tz="Africa/Nairobi")
    slack.command("group list", user="U7")
    fake_slack.wait_for("users.info")
    with db.transaction() as s:
        m = s.get(Member, "U7")
        assert (m.name, m.tz, m.profile_fetched) == ("amara", "Africa/Nairobi", True)
    slack.command("group list", user="U7")
    assert len(fake_slack.of("users.info")) == 1  # fetched once, not on every command


def test_failing_users_info_never_fails_the_command(slack, db, fake_slack):
    fake_slack.fail("users.info", 500, retry_after=None, times=10)
    r = slack.command("org Oxfam Novib", user="U8", user_name="lin")
    assert r.status == 200 and "Oxfam Novib" in r.text
    with db.transaction() as s:
        m = s.get(Member, "U8")
        assert (m.name, m.organisation, m.profile_fetched) == ("lin", "Oxfam Novib", False)
    # users.info answering "ok": false is no failure either, and it is tried again on the next contact.
    fake_slack.reset()
    fake_slack.add_user("U8", "lin ma")
    slack.command("group list", user="U8")
    with db.transaction() as s:
        assert s.get(Member, "U8").name == "lin ma"
