"""Clicks end to end (issue 12): the controls on a card, on the Home tab and on a stand-up prompt,
clicked by their visible text through signed requests, against the one fake Slack."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from handlers.slack_messenger import Pacer
from handlers.ui.controls import innovation_controls, lead_controls
from models.audit import AuditEntry
from models.innovations import Innovation, InnovationNote, StageChange
from models.standups import StandupPrompt, StandupRun, StandupSchedule
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.test_innovations_http import form

CHANNEL = "CETHICS"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield


@pytest.fixture
def card(slack, fake_slack):
    """INN-1 in `data-ethics` (lead U1, member U2, linked to CETHICS); U9 has used the bot but is in no group.

    Returns the card as the fake recorded it (chat.postMessage in the channel)."""
    for uid in ("U1", "U2", "U9"):
        fake_slack.add_user(uid, uid.lower())
    assert "created" in slack.command("group new data-ethics", user=COORDINATOR).text
    for uid in ("U1", "U2"):
        assert "Welcome" in slack.command("group join data-ethics", user=uid).text
    assert "now leads" in slack.command("group lead data-ethics <@U1>", user=COORDINATOR).text
    assert "linked" in slack.command("group channel data-ethics", user="U1", channel=CHANNEL).text
    slack.command("help", user="U9")
    slack.command("log data-ethics Consent receipts", user="U2")
    (posted,) = fake_slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == CHANNEL)
    fake_slack.reset()
    return posted


def card_where(db) -> tuple[str, str]:
    with db.transaction() as s:
        innovation = s.scalar(select(Innovation))
        return innovation.card_channel, innovation.card_ts


def stage_of(db) -> tuple[str, int, int]:
    with db.transaction() as s:
        return (
            s.scalar(select(Innovation.stage)),
            s.scalar(select(func.count()).select_from(StageChange)),
            s.scalar(select(func.count()).select_from(InnovationNote)),
        )


def on_card(slack, db, card, user, text, **kw):
    channel, ts = card_where(db)
    return slack.click(user, card["blocks"], text, channel=channel, message_ts=ts, **kw)


def twice(slack, click, *args, **kwargs):
    """Click once, then send Slack's retry of that very payload (same action_ts, X-Slack-Retry-Num)."""
    sent: list[dict] = []
    original = slack.interactive

    def capture(payload, wait=True, extra_headers=None):
        sent.append(payload)
        return original(payload, wait, extra_headers)

    slack.interactive = capture
    try:
        click(*args, **kwargs)
    finally:
        slack.interactive = original
    return original(sent[0], extra_headers=RETRY)


def home_view(*blocks) -> dict:
    return {"id": "VHOME", "type": "home", "hash": "h1", "blocks": list(blocks)}


# --- the card ----------------------------------------------------------------------------------------


def test_the_card_carries_the_stage_menu_add_note_and_edit(card, db):
    controls = card["blocks"][-1]
    with db.transaction() as s:
        number = s.scalar(select(Innovation.id))
    assert controls == innovation_controls(number, "exploring")
    assert controls["block_id"] == f"innovation:{number}"
    select_, note, edit = controls["elements"]
    assert (select_["action_id"], select_["placeholder"]["text"], select_["initial_option"]["value"]) == (
        "innovation_stage",
        "Stage",
        "exploring",
    )
    assert [o["value"] for o in select_["options"]] == [
        "idea",
        "exploring",
        "piloting",
        "scaling",
        "adopted",
        "parked",
        "dropped",
    ]
    assert (note["text"]["text"], note["action_id"], note["value"]) == ("Add note", "innovation_note", str(number))
    assert (edit["text"]["text"], edit["action_id"], edit["value"]) == ("Edit", "innovation_edit", str(number))


def test_the_stage_menu_moves_it_and_updates_the_card_once_however_often_slack_sends_it(slack, fake_slack, db, card):
    r = twice(slack, on_card, slack, db, card, "U2", "Exploring", option="Piloting")
    assert r.status == 200
    assert stage_of(db) == ("piloting", 2, 0)  # logged + one move, the retry did nothing
    (update,) = fake_slack.of("chat.update")
    assert (update["channel"], update["ts"]) == card_where(db)
    assert update["blocks"][-1]["elements"][0]["initial_option"]["value"] == "piloting"
    # A second pick of the same stage (a double click): nothing more, and nothing to read.
    on_card(slack, db, card, "U2", "Exploring", option="Piloting")
    assert stage_of(db) == ("piloting", 2, 0)
    assert len(fake_slack.of("chat.update")) == 1 and fake_slack.of("response_url") == []
    with db.transaction() as s:
        (move,) = s.scalars(select(StageChange).where(StageChange.from_stage.is_not(None))).all()
        assert (move.from_stage, move.to_stage, move.by_id) == ("exploring", "piloting", "U2")


def test_a_non_member_is_refused_in_the_channel_and_nothing_changes(slack, fake_slack, db, card):
    before = snapshot(db)
    on_card(slack, db, card, "U9", "Exploring", option="Piloting")
    (line,) = fake_slack.of("response_url")
    assert line["response_type"] == "ephemeral" and line.get("replace_original") in (False, "false", None)
    assert "Only members of `data-ethics` and coordinators may change INN-" in line.text
    assert snapshot(db) == before  # not even a claim: it rolled back with the refused move
    for text in ("Add note", "Edit"):
        on_card(slack, db, card, "U9", text)
    assert [c.text for c in fake_slack.of("response_url")][1:] == [line.text, line.text]
    assert fake_slack.of("chat.update") == [] and fake_slack.of("views.open") == []
    assert snapshot(db) == before  # a refused click claims nothing either


def test_a_coordinator_may_move_it_too(slack, db, card):
    on_card(slack, db, card, COORDINATOR, "Exploring", option="Scaling")
    assert stage_of(db)[0] == "scaling"


def test_parking_through_the_menu_asks_for_the_note_in_a_modal(slack, fake_slack, db, card):
    twice(slack, on_card, slack, db, card, "U2", "Exploring", option="Parked")
    (opened,) = fake_slack.of("views.open")  # the retried click opened nothing more
    view = opened["view"]
    assert view["callback_id"] == "innovation_note_modal" and view["title"]["text"] == "Why this stage?"
    assert "moves to *Parked*" in opened.text and "Consent receipts" in opened.text
    assert stage_of(db)[0] == "exploring"  # nothing moves before the note
    meta = view["private_metadata"]

    r = slack.view_submission("U2", "innovation_note_modal", note_values("  "), private_metadata=meta)
    assert r.json["response_action"] == "errors" and "a move to parked or dropped needs one" in r.json["errors"]["note"]
    assert stage_of(db) == ("exploring", 1, 0)

    values = note_values("No budget until Q3")
    r = slack.view_submission("U2", "innovation_note_modal", values, private_metadata=meta, view_id="VNOTE")
    assert r.json["response_action"] == "update" and "moved from `exploring` to `parked`" in json.dumps(r.json)
    slack.view_submission("U2", "innovation_note_modal", values, private_metadata=meta, view_id="VNOTE")
    assert stage_of(db) == ("parked", 2, 0)
    with db.transaction() as s:
        assert s.scalar(select(StageChange.note).where(StageChange.to_stage == "parked")) == "No budget until Q3"
    (update,) = fake_slack.of("chat.update")
    assert update["blocks"][-1]["elements"][0]["initial_option"]["value"] == "parked"


def note_values(text: str) -> dict:
    return {"note": {"note": {"type": "plain_text_input", "value": text}}}


def test_add_note_opens_a_modal_and_its_submission_adds_the_note_once(slack, fake_slack, db, card):
    twice(slack, on_card, slack, db, card, "U1", "Add note")
    (opened,) = fake_slack.of("views.open")
    view = opened["view"]
    assert (view["callback_id"], view["title"]["text"], view["submit"]["text"]) == (
        "innovation_note_modal",
        "Add a note",
        "Save",
    )
    meta = view["private_metadata"]
    r = slack.view_submission("U1", "innovation_note_modal", note_values(""), private_metadata=meta)
    assert r.json["errors"]["note"] == "Write the note."
    r = slack.view_submission("U1", "innovation_note_modal", note_values("x" * 3001), private_metadata=meta)
    assert "3001 characters" in r.json["errors"]["note"]
    values = note_values("Talked to the privacy office")
    r = slack.view_submission("U1", "innovation_note_modal", values, private_metadata=meta, view_id="VN")
    assert r.json["response_action"] == "update" and "Note added to" in json.dumps(r.json)
    slack.view_submission("U1", "innovation_note_modal", values, private_metadata=meta, view_id="VN")
    assert stage_of(db) == ("exploring", 1, 1)
    with db.transaction() as s:
        note = s.scalar(select(InnovationNote))
        assert (note.author_id, note.text) == ("U1", "Talked to the privacy office")


def test_edit_opens_the_edit_form_filled_in(slack, fake_slack, db, card):
    on_card(slack, db, card, "U2", "Edit")
    (opened,) = fake_slack.of("views.open")
    assert opened["view"]["callback_id"] == "innovation_modal"
    assert opened["view"]["title"]["text"].startswith("Edit INN-")
    assert "Consent receipts" in json.dumps(opened["view"])
    values = form(group="data-ethics", title="Consent receipts, v2", stage="exploring")
    meta = opened["view"]["private_metadata"]
    slack.view_submission("U2", "innovation_modal", values, private_metadata=meta)
    with db.transaction() as s:
        assert s.scalar(select(Innovation.title)) == "Consent receipts, v2"
    assert [c["user_id"] for c in fake_slack.of("views.publish")] == ["U2"]  # their Home shows the new title
    assert "Consent receipts, v2" in fake_slack.of("chat.update")[-1].text  # and so does the card


# --- from the Home tab ---------------------------------------------------------------------------


def test_on_the_home_tab_a_refusal_is_a_small_modal_and_a_move_publishes_the_home(slack, fake_slack, db, card):
    with db.transaction() as s:
        number = s.scalar(select(Innovation.id))
    home = home_view(innovation_controls(number, "exploring"))
    slack.click("U9", home["blocks"], "Exploring", option="Idea", view=home)
    (opened,) = fake_slack.of("views.open")
    assert opened["view"]["type"] == "modal" and "Only members of `data-ethics`" in opened.text
    assert fake_slack.of("response_url") == [] and stage_of(db)[0] == "exploring"

    slack.click("U2", home["blocks"], "Exploring", option="Idea", view=home)
    assert stage_of(db)[0] == "idea"
    assert [c["user_id"] for c in fake_slack.of("views.publish")][-1] == "U2"
    assert len(fake_slack.of("chat.update")) == 1  # the card in the channel too

    slack.click("U2", home["blocks"], "Add note", view=home)
    meta = json.loads(fake_slack.of("views.open")[-1]["view"]["private_metadata"])
    assert meta["home"] is True
    published = len(fake_slack.of("views.publish"))
    slack.view_submission("U2", "innovation_note_modal", note_values("From home"), private_metadata=json.dumps(meta))
    assert len(fake_slack.of("views.publish")) == published + 1


# --- a lead's Set stand-up and Questions ----------------------------------------------------------


def schedule_values(days=(), time="09:30", zone="Europe/Amsterdam") -> dict:
    return {
        "days": {"days": {"type": "checkboxes", "selected_options": [{"value": d} for d in days]}},
        "time": {"time": {"type": "timepicker", "selected_time": time}},
        "zone": {"standup_zone": {"type": "external_select", "selected_option": {"value": zone} if zone else None}},
    }


def test_set_stand_up_opens_the_modal_and_sets_the_schedule_as_the_command_does(slack, fake_slack, db, card):
    home = home_view({"type": "actions", "block_id": "lead:data-ethics", "elements": lead_controls("data-ethics")})
    slack.click("U2", home["blocks"], "Set stand-up", view=home)  # a member, not the lead
    (refusal,) = fake_slack.of("views.open")
    assert "Only the lead of `data-ethics` or a coordinator may set its stand-up." in refusal.text

    twice(slack, slack.click, "U1", home["blocks"], "Set stand-up", view=home)
    opened = fake_slack.of("views.open")[1:]
    assert len(opened) == 1
    view = opened[0]["view"]
    assert (view["callback_id"], view["title"]["text"]) == ("standup_set_modal", "Set stand-up")
    by_id = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert [o["value"] for o in by_id["days"]["element"]["options"]] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    assert by_id["days"]["element"]["options"][0]["text"]["text"] == "Monday"
    assert by_id["time"]["element"]["type"] == "timepicker"
    zone = by_id["zone"]["element"]
    assert zone["type"] == "external_select" and zone["initial_option"]["value"] == "Europe/Amsterdam"  # no schedule
    meta = view["private_metadata"]

    r = slack.view_submission("U1", "standup_set_modal", schedule_values((), "", None), private_metadata=meta)
    errors = r.json["errors"]
    assert errors == {
        "days": "Choose at least one day.",
        "time": "Choose a time, for example 09:30.",
        "zone": "Choose a time zone from the list.",
    }
    bad_zone = schedule_values(("mon",), "09:30", "Mars/Olympus")
    r = slack.view_submission("U1", "standup_set_modal", bad_zone, private_metadata=meta)
    assert list(r.json["errors"]) == ["zone"]
    with db.transaction() as s:
        assert s.scalar(select(StandupSchedule)) is None

    values = schedule_values(("wed", "mon"), "14:00", "Africa/Nairobi")
    r = slack.view_submission("U1", "standup_set_modal", values, private_metadata=meta, view_id="VSET")
    assert r.json["response_action"] == "update" and "Stand-up for `data-ethics` set" in json.dumps(r.json)
    slack.view_submission("U1", "standup_set_modal", values, private_metadata=meta, view_id="VSET")
    with db.transaction() as s:
        schedule = s.scalar(select(StandupSchedule))
        assert (schedule.days, schedule.local_time, schedule.tz, schedule.active) == (
            "mon,wed",
            "14:00",
            "Africa/Nairobi",
            True,
        )
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "standup.set")) == 1
    assert fake_slack.of("views.publish")[-1]["user_id"] == "U1"

    # Opened again: the group's own zone and days are chosen.
    slack.click(COORDINATOR, home["blocks"], "Set stand-up", view=home)
    again = {b["block_id"]: b for b in fake_slack.of("views.open")[-1]["view"]["blocks"] if b["type"] == "input"}
    assert again["zone"]["element"]["initial_option"]["value"] == "Africa/Nairobi"
    assert [o["value"] for o in again["days"]["element"]["initial_options"]] == ["mon", "wed"]
    assert again["time"]["element"]["initial_time"] == "14:00"


def test_the_zone_menu_answers_what_is_typed_within_slack_s_limit(slack, card):
    def suggest(value: str) -> list[dict]:
        payload = {
            "type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
            "action_id": "standup_zone", "block_id": "zone", "value": value,
            "view": {"id": "V1", "type": "modal", "callback_id": "standup_set_modal"},
        }  # fmt: skip
        r = slack.interactive(payload)
        assert r.status == 200
        return r.json["options"]

    assert [o["value"] for o in suggest("nairo")] == ["Africa/Nairobi"]
    assert suggest("new york")[0]["value"] == "America/New_York"
    assert suggest("new york")[0]["text"]["text"] == "America/New York"
    everything = suggest("a")
    assert len(everything) == 100
    assert suggest("") and suggest("zzzz-nowhere") == []


def test_questions_opens_the_questions_modal_for_the_lead_only(slack, fake_slack, db, card):
    home = home_view({"type": "actions", "block_id": "lead:data-ethics", "elements": lead_controls("data-ethics")})
    slack.click("U2", home["blocks"], "Questions", view=home)
    (refusal,) = fake_slack.of("views.open")
    assert "may change its stand-up questions" in refusal.text
    slack.click("U1", home["blocks"], "Questions", view=home)
    opened = fake_slack.of("views.open")[-1]
    assert opened["view"]["callback_id"] == "standup_questions"
    assert "What will you explore next?" in json.dumps(opened["view"])


# --- Edit answers on an answered prompt -------------------------------------------------------------


def answer_values(*answers: str) -> dict:
    return {f"q{i}": {"answer": {"type": "plain_text_input", "value": a}} for i, a in enumerate(answers)}


def prompt_ts(db, member_id: str) -> str:
    with db.transaction() as s:
        return s.scalar(select(StandupPrompt.dm_ts).where(StandupPrompt.member_id == member_id))


def test_an_answered_prompt_offers_edit_answers_which_edits_the_thread_reply(slack, fake_slack, db, card, clock):
    assert "has started" in slack.command("standup data-ethics now", user="U1").text
    (prompt,) = [c for c in fake_slack.of("chat.postMessage", channel="U2") if c["text"].startswith("Time for")]
    slack.click("U2", prompt["blocks"], "Answer", channel="U2", message_ts="1")
    view = fake_slack.of("views.open")[-1]["view"]
    meta = view["private_metadata"]
    slack.view_submission(
        "U2", "standup_answer", answer_values("Mapped flows", "A pilot", "None"), private_metadata=meta
    )

    # The prompt itself now says it was answered, and offers Edit answers.
    updated = [c for c in fake_slack.of("chat.update") if "You answered" in c.text]
    assert len(updated) == 1
    assert updated[0]["channel"] == "U2" and updated[0]["ts"] == prompt_ts(db, "U2")
    replies = [c for c in fake_slack.of("chat.postMessage", channel=CHANNEL) if c.get("thread_ts")]
    assert len(replies) == 1

    twice(slack, slack.click, "U2", updated[0]["blocks"], "Edit answers", channel="U2", message_ts="1")
    reopened = [c for c in fake_slack.of("views.open") if c["view"]["callback_id"] == "standup_answer"]
    assert len(reopened) == 2  # Answer, then Edit answers once (its retry opened nothing)
    assert "Mapped flows" in json.dumps(reopened[-1]["view"])
    edited = answer_values("Mapped flows", "A pilot", "Need a lawyer")
    slack.view_submission("U2", "standup_answer", edited, private_metadata=meta)
    assert len([c for c in fake_slack.of("chat.postMessage", channel=CHANNEL) if c.get("thread_ts")]) == 1
    thread_updates = [c for c in fake_slack.of("chat.update") if c["channel"] == CHANNEL]
    assert thread_updates and "Need a lawyer" in thread_updates[-1].text

    # Once the run has closed: a clear line, no modal.
    with db.transaction() as s:
        s.scalar(select(StandupRun)).status = "closed"
    opened = len(fake_slack.of("views.open"))
    slack.click("U2", updated[0]["blocks"], "Edit answers", channel="U2", message_ts="1")
    assert len(fake_slack.of("views.open")) == opened
    assert "This stand-up has closed" in fake_slack.of("response_url")[-1].text
