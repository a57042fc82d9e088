"""The Home tab as a dashboard, through signed HTTP: opened, clicked by its visible words, published again.

Each control: it works, it is refused (a small modal with the sentence, nothing changed) for the
wrong person, and a double click or Slack's retry acts once. The Home is validated with slack_sdk.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import yaml
from slack_sdk.models.views import View
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.groups import Group, Membership
from models.people import Member
from tests.conftest import COORDINATOR
from tests.slackdriver import find_control

_events = itertools.count(1)


def open_home(slack, user: str) -> dict:
    before = slack.fake.home_hashes.get(user)
    slack.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"EvHome{next(_events)}")
    assert slack.fake.home_hashes.get(user) != before, "the Home was not published"
    return shown(slack, user)


def shown(slack, user: str) -> dict:
    """The Home Slack shows the person now (with its id and hash, as a click sends it)."""
    view = slack.fake.home_views[user]
    View(**view).validate_json()  # slack_sdk's own checks: block kinds, text lengths, counts
    return view


def texts(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def near(view: dict, text: str) -> list[dict]:
    """The first block that reads `text` and the block after it (a section and its buttons)."""
    blocks = view["blocks"]
    at = next(n for n, b in enumerate(blocks) if text in json.dumps(b, ensure_ascii=False))
    return blocks[at : at + 2]


def modals(slack) -> list[str]:
    return [json.dumps(c["view"], ensure_ascii=False) for c in slack.fake.of("views.open")]


def retry(slack, user: str, view: dict, blocks: list[dict], text: str):
    """The same click delivered twice by Slack: the identical payload, the second with X-Slack-Retry-Num."""
    block, element = find_control(blocks, text)
    payload = {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
        "api_app_id": "A1", "trigger_id": "trigger-retry", "view": view,
        "container": {"type": "view", "view_id": view["id"]},
        "actions": [{"action_id": element["action_id"], "block_id": block.get("block_id", "b"), "type": "button",
                     "value": element.get("value", ""), "action_ts": str(time.time())}],
    }  # fmt: skip
    first = slack.interactive(payload)
    again = slack.interactive(payload, extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    return first, again


def members_of(db, handle: str) -> list[str]:
    with db.transaction() as s:
        return list(
            s.scalars(select(Membership.member_id).join(Group).where(Group.handle == handle).order_by(Membership.id))
        )


def groups(slack, *handles: str) -> None:
    for handle in handles:
        slack.command(f"group new {handle} About {handle}", user=COORDINATOR)


# --- publishing ---------------------------------------------------------------------------------


def test_opening_the_home_publishes_the_dashboard_and_remembers_its_hash(slack, db):
    groups(slack, "data-ethics", "civic-tech")
    slack.command("group join data-ethics", user="U1")
    slack.command("log data-ethics Consent receipts", user="U1")
    view = open_home(slack, "U1")
    words = texts(view)
    for part in ("Your action groups", "Find a group", "Your innovations", "New across the network", "Stand-ups"):
        assert part in words
    assert "Coordinator" not in words  # U1 is not one
    assert find_control(near(view, "*civic-tech*"), "Join")
    assert find_control(view["blocks"], "Language")[1]["type"] == "static_select"
    stage_menu = find_control(view["blocks"], "Exploring")  # INN-1's stage menu, its stage chosen (the word shown)
    assert stage_menu[0]["block_id"] == "innovation:1" and [e["action_id"] for e in stage_menu[0]["elements"]] == [
        "innovation_stage",
        "innovation_note",
        "innovation_edit",
    ]
    # The next publish names the hash Slack gave this one, so an older Home cannot overwrite it.
    open_home(slack, "U1")
    assert slack.fake.of("views.publish")[-1]["hash"] == view["hash"]


def test_a_stale_hash_is_healed_and_the_newest_data_wins(slack, db):
    groups(slack, "data-ethics")
    open_home(slack, "U1")
    slack.fake.home_hashes["U1"] = "published-elsewhere"  # Slack shows a Home we never heard of
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, "U1")
    attempts = [c.get("hash") for c in slack.fake.of("views.publish")[-2:]]
    assert attempts[0] is not None and attempts[1] is None  # refused, read again, published without
    assert "Log an innovation" in texts(view)


def test_a_failed_publish_after_a_click_is_logged_never_shown(slack, db, caplog):
    groups(slack, "data-ethics")
    view = open_home(slack, "U1")
    slack.fake.fail("views.publish", status=200, error="internal_error", times=3)
    r = slack.click("U1", near(view, "*data-ethics*"), "Join", view=view)
    assert r.status == 200 and r.body == b""
    assert members_of(db, "data-ethics") == ["U1"] and slack.fake.of("views.open") == []
    assert any(rec.getMessage() == "views.publish failed" for rec in caplog.records)


# --- Join, Leave, Log an innovation -------------------------------------------------------------


def test_join_joins_once_and_publishes_the_home_again(slack, db):
    groups(slack, "data-ethics", "civic-tech")
    view = open_home(slack, "U1")
    assert texts(view).index("civic-tech") < texts(view).index("data-ethics")  # newest first
    blocks = near(view, "*data-ethics*")
    slack.click("U1", blocks, "Join", view=view)
    slack.click("U1", blocks, "Join", view=view)  # a double click on the same Home
    assert members_of(db, "data-ethics") == ["U1"]
    assert slack.fake.of("views.open") == []  # no "already a member" for the second click
    after = shown(slack, "U1")
    assert after["hash"] != view["hash"]
    assert find_control(near(after, "*data-ethics*"), "Log an innovation")
    assert "Join" not in json.dumps(near(after, "*data-ethics*"))


def test_a_retried_join_acts_once(slack, db):
    groups(slack, "data-ethics")
    view = open_home(slack, "U1")
    first, again = retry(slack, "U1", view, near(view, "*data-ethics*"), "Join")
    assert (first.status, again.status) == (200, 200)
    assert members_of(db, "data-ethics") == ["U1"] and slack.fake.of("views.open") == []
    assert len(slack.fake.of("views.publish", user_id="U1")) == 2  # opening, and once after the join


def test_leave_asks_first_then_leaves_once(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, "U1")
    blocks = near(view, "*data-ethics*")
    _block, leave = find_control(blocks, "Leave")
    assert leave["confirm"]["confirm"]["text"] == "Leave" and "data-ethics" in leave["confirm"]["title"]["text"]
    slack.click("U1", blocks, "Leave", view=view)
    slack.click("U1", blocks, "Leave", view=view)
    assert members_of(db, "data-ethics") == [] and slack.fake.of("views.open") == []
    assert find_control(near(shown(slack, "U1"), "*data-ethics*"), "Join")


def test_leave_by_a_non_member_is_refused_in_a_modal(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, "U1")
    slack.command("group leave data-ethics", user="U1")  # meanwhile, by command
    slack.click("U1", near(view, "*data-ethics*"), "Leave", view=view)
    (refusal,) = modals(slack)
    assert "You are not a member of `data-ethics`." in refusal
    assert members_of(db, "data-ethics") == []


def test_log_an_innovation_opens_the_log_modal_with_that_group_chosen(slack, db):
    groups(slack, "data-ethics", "civic-tech")
    slack.command("group join data-ethics", user="U1")
    slack.command("group join civic-tech", user="U1")
    view = open_home(slack, "U1")
    slack.click("U1", near(view, "*data-ethics*"), "Log an innovation", view=view)
    (call,) = slack.fake.of("views.open")
    group_block = next(b for b in call["view"]["blocks"] if b.get("block_id") == "group")
    assert call["view"]["callback_id"] == "innovation_modal"
    assert group_block["element"]["initial_option"]["value"] == "data-ethics"


def test_log_an_innovation_after_leaving_is_refused(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, "U1")
    slack.command("group leave data-ethics", user="U1")
    slack.click("U1", near(view, "*data-ethics*"), "Log an innovation", view=view)
    (refusal,) = modals(slack)
    assert "not a member of any action group" in refusal


# --- leads -----------------------------------------------------------------------------------------


def test_leads_get_set_stand_up_and_questions_for_their_groups_only(slack, db):
    groups(slack, "data-ethics", "civic-tech")
    for handle in ("data-ethics", "civic-tech"):
        slack.command(f"group join {handle}", user="U1")
    slack.command("group lead data-ethics <@U1>", user=COORDINATOR)
    view = open_home(slack, "U1")
    mine = near(view, "*data-ethics*")
    assert find_control(mine, "Set stand-up")[1] == {
        "type": "button", "text": {"type": "plain_text", "text": "Set stand-up"},
        "action_id": "standup_set", "value": "data-ethics",
    }  # fmt: skip
    assert find_control(mine, "Questions")[1]["action_id"] == "standup_questions_open"
    assert "Set stand-up" not in json.dumps(near(view, "*civic-tech*"))
    assert "you lead it" in json.dumps(mine)


# --- stand-ups -------------------------------------------------------------------------------------


def standup_now(slack, fake_slack) -> None:
    groups(slack, "data-ethics")
    for user in ("U1", "U2"):
        slack.command("group join data-ethics", user=user)
    slack.command("group lead data-ethics <@U1>", user=COORDINATOR)
    slack.command("group channel data-ethics", user="U1", channel="C100")
    slack.command("standup data-ethics now", user="U1")


def test_answer_opens_the_stand_up_modal_and_the_answered_stand_up_leaves_the_home(slack, fake_slack, db):
    standup_now(slack, fake_slack)
    view = open_home(slack, "U2")
    blocks = near(view, "is waiting for your answer")
    _block, answer = find_control(blocks, "Answer")
    slack.click("U2", blocks, "Answer", view=view)
    (call,) = slack.fake.of("views.open")
    assert call["view"]["callback_id"] == "standup_answer" and call["view"]["private_metadata"] == answer["value"]
    values = {"q0": {"answer": {"type": "plain_text_input", "value": "Read about consent"}}}
    slack.view_submission("U2", "standup_answer", values, private_metadata=answer["value"])
    assert "is waiting for your answer" not in texts(shown(slack, "U2"))


def test_answer_of_a_closed_stand_up_is_refused_in_a_modal(slack, fake_slack, db):
    standup_now(slack, fake_slack)
    view = open_home(slack, "U2")
    with db.transaction() as s:
        from models.standups import StandupRun

        s.scalar(select(StandupRun)).status = "closed"
    slack.click("U2", near(view, "is waiting for your answer"), "Answer", view=view)
    (refusal,) = modals(slack)
    assert '"type": "modal"' in refusal and "closed" in refusal.lower()


def test_away_until_sets_the_date_once_and_shows_it(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, "U1")
    slack.click("U1", view["blocks"], "Away until…", view=view, picked="2026-12-10")
    slack.click("U1", view["blocks"], "Away until…", view=view, picked="2026-12-10")  # twice: one effect
    with db.transaction() as s:
        assert str(s.get(Member, "U1").away_until) == "2026-12-10"
    assert len(slack.fake.of("views.publish", user_id="U1")) == 2
    after = shown(slack, "U1")
    assert "until 10 December 2026" in texts(after)
    assert find_control(after["blocks"], "Away until…")[1]["initial_date"] == "2026-12-10"


# --- coordinators ----------------------------------------------------------------------------------


def test_new_action_group_modal_creates_once_with_field_errors(slack, db):
    view = open_home(slack, COORDINATOR)
    slack.click(COORDINATOR, view["blocks"], "New action group", view=view)
    (call,) = slack.fake.of("views.open")
    assert call["view"]["callback_id"] == "home_new_group" and len(call["view"]["title"]["text"]) <= 24

    def submit(handle: str, description: str = "", view_id: str = "VNEW1"):
        values = {"handle": {"value": {"type": "plain_text_input", "value": handle}},
                  "description": {"value": {"type": "plain_text_input", "value": description}}}  # fmt: skip
        return slack.view_submission(COORDINATOR, "home_new_group", values, view_id=view_id, view_hash="hx")

    bad = submit("Not A Handle!")
    assert bad.json["response_action"] == "errors" and "not a valid handle" in bad.json["errors"]["handle"]
    assert submit("data-ethics", "Ethics of data", view_id="VNEW2").body == b""
    assert submit("data-ethics", "Ethics of data", view_id="VNEW2").body == b""  # the same submission again
    taken = submit("data-ethics", view_id="VNEW3")
    assert "already exists" in taken.json["errors"]["handle"]
    long = submit("other", "x" * 301, view_id="VNEW4")
    assert "301 characters" in long.json["errors"]["description"]
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Group)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "group.create")) == 1
    assert "*data-ethics*" in texts(shown(slack, COORDINATOR))


def test_coordinator_buttons_refuse_everyone_else(slack, db):
    groups(slack, "data-ethics")
    coordinator_view = open_home(slack, COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    for words in ("New action group", "Export register"):
        slack.click("U1", coordinator_view["blocks"], words, view=coordinator_view)
    slack.click("U1", coordinator_view["blocks"], "Choose the lead", view=coordinator_view, picked="U1")
    refusals = modals(slack)
    assert len(refusals) == 3 and all("Only coordinators may" in r for r in refusals)
    assert "create action groups" in refusals[0] and "export the register" in refusals[1]
    assert slack.fake.of("files.completeUploadExternal") == []
    with db.transaction() as s:
        assert s.scalar(select(Group.lead_id)) is None


def test_export_register_sends_the_workbook_once(slack, db):
    groups(slack, "data-ethics")
    view = open_home(slack, COORDINATOR)
    slack.click(COORDINATOR, view["blocks"], "Export register", view=view)
    slack.click(COORDINATOR, view["blocks"], "Export register", view=view)  # a double click
    uploads = slack.fake.of("files.completeUploadExternal")
    assert len(uploads) == 1 and uploads[0]["channel_id"] == f"D{COORDINATOR}"
    assert "direct messages" in modals(slack)[0]
    # The Home was published again, so a later click is a new export.
    later = shown(slack, COORDINATOR)
    assert later["hash"] != view["hash"]
    slack.click(COORDINATOR, later["blocks"], "Export register", view=later)
    assert len(slack.fake.of("files.completeUploadExternal")) == 2


def test_lead_picker_sets_the_lead_once_and_refuses_a_non_member(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    view = open_home(slack, COORDINATOR)
    row = [b for b in view["blocks"] if b.get("block_id") == "lead:data-ethics"]
    slack.click(COORDINATOR, row, "Choose the lead", view=view, picked="U2")  # not a member
    assert "is not a member of `data-ethics`" in modals(slack)[0]
    slack.click(COORDINATOR, row, "Choose the lead", view=view, picked="U1")
    slack.click(COORDINATOR, row, "Choose the lead", view=view, picked="U1")
    assert len(modals(slack)) == 1  # the double pick made no "already leads" refusal
    with db.transaction() as s:
        assert s.scalar(select(Group.lead_id)) == "U1"
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "group.lead")) == 1
    after = shown(slack, COORDINATOR)
    picker = next(b for b in after["blocks"] if b.get("block_id") == "lead:data-ethics")["accessory"]
    assert picker["initial_user"] == "U1"


# --- Slack's limits, a busy coordinator, another language ------------------------------------------


def seed_busy(db, clock, user: str, *, joined: int = 60, others: int = 30) -> None:
    """`user`, a coordinator, in (and lead of) `joined` groups with 40-character handles and long
    descriptions, with innovations of long titles, open stand-ups, and `others` groups to join."""
    from datetime import timedelta

    from models.innovations import Innovation
    from models.standups import StandupPrompt, StandupRun, StandupSchedule

    now = clock.now()
    with db.transaction() as s:
        member = s.get(Member, user) or Member(id=user, name="busy", created_at=now)
        member.is_coordinator = True
        s.add(member)
        s.flush()
        for i in range(joined + others):
            handle = f"g{i:02d}-" + "x" * 36
            group = Group(handle=handle, description="A long description & more <words>. " * 9,
                          channel_id=f"C{i:05d}", created_by=user, created_at=now + timedelta(seconds=i),
                          lead_id=user if i < joined else None)  # fmt: skip
            s.add(group)
            s.flush()
            if i >= joined:
                continue
            s.add(Membership(group_id=group.id, member_id=user, joined_at=now))
            s.add(StandupSchedule(group_id=group.id, days="mon,wed", local_time="09:30", tz="Europe/Amsterdam",
                                  active=True))  # fmt: skip
            for stage in ("idea", "exploring", "piloting", "scaling", "adopted", "parked", "dropped"):
                s.add(Innovation(title="&<>" * 50, group_id=group.id, stage=stage, logged_by=user, logged_at=now,
                                 updated_at=now))  # fmt: skip
            if i < 8:
                run = StandupRun(group_id=group.id, due_at=now - timedelta(hours=i), claimed_at=now, status="open")
                s.add(run)
                s.flush()
                s.add(StandupPrompt(run_id=run.id, member_id=user, sent_at=now))


def check_limits(view: dict) -> None:
    blocks = view["blocks"]
    assert len(blocks) <= 100
    View(**view).validate_json()
    for block in blocks:
        assert len((block.get("text") or {}).get("text", "")) <= 3000
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            assert len(element.get("options") or []) <= 100
            if element.get("type") == "button":
                assert 0 < len(element["text"]["text"]) <= 75 and element["text"]["type"] == "plain_text"


def test_a_coordinator_in_60_groups_with_long_names_stays_within_slacks_limits(slack, db, clock):
    seed_busy(db, clock, "UBUSY")
    view = open_home(slack, "UBUSY")
    check_limits(view)
    words = texts(view)
    assert all(f"g{i:02d}-" in words for i in range(60))  # the groups beyond the buttons are listed
    assert "more: `/spindle group list` shows every group" in words  # 30 to join, 20 shown
    assert "more: `/spindle group lead HANDLE @person`" in words  # the lead pickers' overflow
    assert "older ones" in words  # 8 open stand-ups, 5 with an Answer button
    assert words.count('"action_id": "innovation_stage"') == 10
    assert words.count('"action_id": "home_join"') == 20
    assert words.count('"action_id": "standup_answer"') == 5
    assert "forget-me" in json.dumps(view["blocks"][-1])  # nothing cut off the end


def test_the_home_is_in_the_readers_language(slack, db):
    groups(slack, "data-ethics", "civic-tech")
    slack.command("group join data-ethics", user="U1")
    slack.command("group lead data-ethics <@U1>", user=COORDINATOR)
    with db.transaction() as s:
        s.get(Member, "U1").language = "nl"
    view = open_home(slack, "U1")
    for words in ("Een innovatie vastleggen", "Verlaten", "Lid worden", "Stand-up instellen", "Vragen",
                  "Afwezig tot…", "Notitie toevoegen"):  # fmt: skip
        if words == "Notitie toevoegen":
            slack.command("log data-ethics Toestemming", user="U1")
            view = open_home(slack, "U1")
        assert find_control(view["blocks"], words), words
    assert find_control(view["blocks"], "Nederlands")[1]["action_id"] == "home_language"
    with db.transaction() as s:
        s.get(Member, COORDINATOR).language = "nl"
    coordinator = open_home(slack, COORDINATOR)
    assert find_control(coordinator["blocks"], "Nieuwe actiegroep") and find_control(
        coordinator["blocks"], "Register exporteren"
    )


def test_find_another_group_suggests_beyond_the_twenty_and_joins_once(slack, db, clock):
    seed_busy(db, clock, "UBUSY", joined=1, others=25)  # 25 groups to join: 20 with a button
    view = open_home(slack, "UBUSY")
    _block, finder = find_control(view["blocks"], "Find another group")
    assert finder["type"] == "external_select"
    payload = {"type": "block_suggestion", "user": {"id": "UBUSY"}, "team": {"id": "T1"}, "api_app_id": "A1",
               "action_id": finder["action_id"], "block_id": "find", "value": "G25", "view": view,
               "container": {"type": "view", "view_id": view["id"]}}  # fmt: skip
    options = slack.interactive(payload).json["options"]
    assert [o["value"] for o in options] == ["g25-" + "x" * 36]  # not g00, which UBUSY is in
    everything = slack.interactive({**payload, "value": ""}).json["options"]
    assert len(everything) == 25 and all(len(o["text"]["text"]) <= 75 for o in everything)
    click = {"type": "block_actions", "user": {"id": "UBUSY"}, "team": {"id": "T1"}, "api_app_id": "A1",
             "trigger_id": "trigger-find", "view": view, "container": {"type": "view", "view_id": view["id"]},
             "actions": [{"action_id": finder["action_id"], "block_id": "find", "type": "external_select",
                          "selected_option": options[0], "action_ts": "1.0"}]}  # fmt: skip
    slack.interactive(click)
    slack.interactive(click, extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    assert members_of(db, "g25-" + "x" * 36) == ["UBUSY"] and slack.fake.of("views.open") == []
    assert find_control(near(shown(slack, "UBUSY"), "*g25-"), "Log an innovation")
    # Slack sends block_suggestion only to the app's options URL: the manifest declares it.
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]


def test_log_from_the_home_publishes_it_again_with_the_new_innovation(slack, db):
    groups(slack, "data-ethics")
    slack.command("group join data-ethics", user="U1")
    open_home(slack, "U1")
    values = {"group": {"value": {"type": "static_select", "selected_option": {"value": "data-ethics"}}},
              "title": {"value": {"type": "plain_text_input", "value": "Consent receipts"}},
              "stage": {"value": {"type": "static_select", "selected_option": {"value": "exploring"}}}}  # fmt: skip
    assert slack.view_submission("U1", "innovation_modal", values).status == 200
    assert "Consent receipts" in texts(shown(slack, "U1"))
