"""The innovation log end to end through signed requests (issue 3): commands, modal, shortcut, cards."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from models.innovations import Innovation, InnovationNote, StageChange
from models.people import Member
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.slackdriver import sign

CHANNEL = "CETHICS"


@pytest.fixture
def group(slack):
    """`data-ethics` linked to CETHICS, with member U1; U2 has used the bot but is in no group."""
    assert "is created" in slack.command("group new data-ethics", user=COORDINATOR).text
    assert "is created" in slack.command("group new ai-watch", user=COORDINATOR).text
    assert "Welcome" in slack.command("group join data-ethics", user="U1").text
    assert "linked" in slack.command("group channel data-ethics", user=COORDINATOR, channel=CHANNEL).text
    slack.command("help", user="U2")
    slack.fake.reset()
    return "data-ethics"


def command(slack, text, user="U1", channel="C1", trigger="trig-fixed"):
    """A /spindle request with a trigger_id the test chooses."""
    fields = {
        "token": "legacy", "team_id": "T1", "channel_id": channel, "user_id": user, "user_name": user.lower(),
        "command": "/spindle", "text": text, "api_app_id": "A1", "response_url": slack.fake.response_url(),
        "trigger_id": trigger,
    }  # fmt: skip
    body = urlencode(fields).encode()
    resp = slack.post(body, "application/x-www-form-urlencoded", sign(body))
    slack.wait_idle()
    return resp


def refused(slack, db, text, user, expect):
    """A command that must be refused: the reply says why, nothing changes, nothing is posted."""
    watched = ("chat.postMessage", "chat.update", "views.open")
    calls_before = [len(slack.fake.of(m)) for m in watched]
    before = snapshot(db)
    r = slack.command(text, user=user)
    assert r.status == 200 and r.json.get("response_type") == "ephemeral"
    assert expect in r.text, r.text
    assert snapshot(db) == before
    assert [len(slack.fake.of(m)) for m in watched] == calls_before
    return r


def form(**fields):
    """state.values as Slack sends them for the innovation modal."""
    selects = {"group", "kind", "stage", "privacy_risk", "civic_space_risk", "manipulation_risk"}
    values = {}
    for name, value in fields.items():
        if name == "sdgs":
            values[name] = {"value": {"type": "multi_static_select",
                                      "selected_options": [{"value": str(v)} for v in value]}}  # fmt: skip
        elif name in selects:
            values[name] = {"value": {"type": "static_select",
                                      "selected_option": {"value": value} if value else None}}  # fmt: skip
        else:
            values[name] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def valid_form(**over):
    fields = dict(
        group="data-ethics", title="Consent chatbot 🤖", kind="instrument", stage="idea",
        summary="Explains consent <!channel> & more", link="https://example.org/x", organisations="Cordaid, Hivos",
        sdgs=[16, 5], tags="Privacy, AI", privacy_risk="high", civic_space_risk="low",
        manipulation_risk="not-assessed", safeguards="Minimise data", stage_note=None,
    )  # fmt: skip
    fields.update(over)
    return form(**fields)


def only(db):
    with db.transaction() as s:
        rows = s.scalars(select(Innovation)).all()
        assert len(rows) == 1
        inn = rows[0]
        _ = inn.group.handle, [o.name for o in inn.organisations]
        return inn


def block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


# --- log: the modal ------------------------------------------------------------------------------


def test_log_opens_the_modal_with_the_commands_trigger_id(slack, group):
    r = command(slack, "log", user="U1", trigger="trigger-abc-123")
    assert r.status == 200 and r.json["response_type"] == "ephemeral"
    (call,) = slack.fake.wait_for("views.open")
    assert call["trigger_id"] == "trigger-abc-123"
    view = call["view"]
    assert view["callback_id"] == "innovation_modal" and view["type"] == "modal"
    ids = [b.get("block_id") for b in view["blocks"]]
    for field in ("group", "title", "kind", "stage", "summary", "link", "organisations", "sdgs", "tags",
                  "privacy_risk", "civic_space_risk", "manipulation_risk", "safeguards"):  # fmt: skip
        assert field in ids
    groups = [o["value"] for o in block(view, "group")["element"]["options"]]
    assert groups == ["data-ethics"]  # only U1's groups
    sdgs = block(view, "sdgs")["element"]["options"]
    assert len(sdgs) == 17 and sdgs[15]["text"]["text"] == "16 · Peace, justice and strong institutions"
    risks = [o["value"] for o in block(view, "privacy_risk")["element"]["options"]]
    assert set(risks) == {"low", "medium", "high", "not-assessed"}

    command(slack, "log", user=COORDINATOR, trigger="trigger-coord")
    call = slack.fake.wait_for("views.open", 2)[1]
    assert call["trigger_id"] == "trigger-coord"
    assert [o["value"] for o in block(call["view"], "group")["element"]["options"]] == ["ai-watch", "data-ethics"]


def test_log_without_a_group_says_join_one(slack, group, db):
    r = refused(slack, db, "log", "U2", "not a member of any action group")
    assert "group join" in r.text


def test_views_open_failure_is_explained(slack, group):
    slack.fake.fail("views.open", status=200, error="expired_trigger_id")
    command(slack, "log", user="U1")
    (followup,) = slack.fake.wait_for("response_url")
    assert "did not let me open the form" in followup["text"]


def test_valid_submission_saves_posts_card_and_confirms_by_dm(slack, group, db, clock):
    r = slack.view_submission("U1", "innovation_modal", valid_form())
    assert r.status == 200 and r.body in (b"", b"{}")  # a plain ack closes the modal
    inn = only(db)
    assert inn.title == "Consent chatbot 🤖" and inn.kind == "instrument" and inn.stage == "idea"
    assert inn.sdgs == "5,16" and inn.tags == "ai,privacy" and inn.privacy_risk == "high"
    assert [o.name for o in inn.organisations] == ["Cordaid", "Hivos"]
    assert inn.logged_by == "U1" and inn.logged_at == clock.now()
    card = slack.fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == CHANNEL)[0]
    assert inn.ref in card.text and "Consent chatbot 🤖" in card.text
    assert "&lt;!channel&gt; &amp; more" in card.text and "<!channel>" not in card.text
    assert (inn.card_channel, inn.card_ts) == (CHANNEL, card.params.get("ts") or inn.card_ts)
    assert inn.card_ts
    dm = slack.fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == "U1")[0]
    assert f"Logged *{inn.ref}*" in dm["text"] and f"<#{CHANNEL}>" in dm["text"]


def test_a_submission_fetches_a_profile_an_earlier_contact_could_not(slack, db):
    slack.fake.fail("users.info", 500, retry_after=None, times=10)
    assert "is created" in slack.command("group new data-ethics", user=COORDINATOR).text
    assert "Welcome" in slack.command("group join data-ethics", user="U1", user_name="amara").text
    with db.transaction() as s:
        assert s.get(Member, "U1").profile_fetched is False
    slack.fake.reset()
    slack.fake.add_user("U1", "Amara Okafor", tz="Africa/Lagos")
    assert slack.view_submission("U1", "innovation_modal", valid_form()).status == 200
    slack.fake.wait_for("users.info")
    with db.transaction() as s:
        member = s.get(Member, "U1")
        assert (member.name, member.tz, member.profile_fetched) == ("Amara Okafor", "Africa/Lagos", True)
    assert only(db).title == "Consent chatbot 🤖"


def test_the_same_submission_twice_saves_one_innovation(slack, group, db):
    # A double click on Submit, or Slack resending after a slow answer: same view id, same hash.
    for _ in range(2):
        r = slack.view_submission("U1", "innovation_modal", valid_form(), view_id="VDOUBLE", view_hash="h7")
        assert r.status == 200
    inn = only(db)  # exactly one row
    cards = slack.fake.of("chat.postMessage", channel=CHANNEL)
    dms = slack.fake.of("chat.postMessage", channel="U1")
    assert len(cards) == 1 and len(dms) == 1 and inn.ref in dms[0]["text"]
    # A new modal (a new view id) with the same contents is a new innovation: people may mean it.
    slack.view_submission("U1", "innovation_modal", valid_form(), view_id="VAGAIN", view_hash="h7")
    with db.transaction() as s:
        assert s.query(Innovation).count() == 2


def test_invalid_submission_comes_back_inline_and_saves_nothing(slack, group, db):
    before = snapshot(db)
    r = slack.view_submission(
        "U1", "innovation_modal",
        valid_form(title="t" * 151, link="javascript:alert(1)", sdgs=[18], stage="parked"),
    )  # fmt: skip
    assert r.status == 200
    body = r.json
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"title", "link", "sdgs", "stage_note"}
    assert "150 is the most" in body["errors"]["title"]
    assert snapshot(db) == before
    assert not slack.fake.of("chat.postMessage")


def test_submission_into_a_group_i_am_not_in_is_refused_inline(slack, group, db):
    before = snapshot(db)
    r = slack.view_submission("U1", "innovation_modal", valid_form(group="ai-watch"))
    assert r.json["response_action"] == "errors"
    assert "Only members of `ai-watch` and coordinators" in r.json["errors"]["group"]
    r = slack.view_submission("U1", "innovation_modal", valid_form(group=None))
    assert "Choose the action group" in r.json["errors"]["group"]
    assert snapshot(db) == before


def test_submission_is_saved_even_when_the_card_cannot_be_posted(slack, group, db, caplog):
    slack.fake.fail("chat.postMessage", status=200, error="not_in_channel")
    with caplog.at_level(logging.WARNING, logger="services.innovations"):
        slack.view_submission("U1", "innovation_modal", valid_form())
    inn = only(db)
    assert inn.card_ts is None
    assert any(r.getMessage() == "innovation card not posted" and r.error == "not_in_channel" for r in caplog.records)
    dm = slack.fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == "U1")[0]
    assert "could not post its card" in dm["text"] and inn.ref in dm["text"]


# --- edit ----------------------------------------------------------------------------------------


def test_edit_opens_filled_in_and_saves_with_card_update(slack, group, db, clock):
    slack.view_submission("U1", "innovation_modal", valid_form())
    inn = only(db)
    r = command(slack, f"edit {inn.ref}", user="U1", trigger="trig-edit")
    assert "Opening" in r.text
    call = slack.fake.wait_for("views.open")[0]
    assert call["trigger_id"] == "trig-edit"
    view = call["view"]
    assert json.loads(view["private_metadata"]) == {"ref": inn.id}
    assert view["title"]["text"] == f"Edit {inn.ref}"
    assert block(view, "title")["element"]["initial_value"] == "Consent chatbot 🤖"
    assert block(view, "group")["element"]["initial_option"]["value"] == "data-ethics"
    assert [o["value"] for o in block(view, "sdgs")["element"]["initial_options"]] == ["5", "16"]
    assert block(view, "tags")["element"]["initial_value"] == "ai, privacy"
    assert block(view, "privacy_risk")["element"]["initial_option"]["value"] == "high"

    clock.advance(timedelta(hours=2))
    metadata = view["private_metadata"]
    r = slack.view_submission(
        "U1", "innovation_modal", valid_form(title="Consent bot v2", stage="dropped"), private_metadata=metadata
    )
    assert r.json["errors"] == {"stage_note": "Say why it is dropped: a note is needed for parked and dropped."}
    r = slack.view_submission(
        "U1", "innovation_modal", valid_form(title="Consent bot v2", stage="dropped", stage_note="Superseded"),
        private_metadata=metadata,
    )  # fmt: skip
    assert r.status == 200 and not r.body.strip(b"{}")
    edited = only(db)
    assert edited.id == inn.id and edited.title == "Consent bot v2" and edited.stage == "dropped"
    assert edited.updated_at == clock.now()
    with db.transaction() as s:
        assert s.scalars(select(StageChange.note).where(StageChange.to_stage == "dropped")).one() == "Superseded"
    (update,) = slack.fake.wait_for("chat.update")
    assert update["ts"] == inn.card_ts and update["channel"] == CHANNEL and "Consent bot v2" in update.text


def test_edit_refusals(slack, group, db):
    slack.command("log data-ethics Portal", user="U1")
    inn = only(db)
    slack.fake.reset()
    refused(slack, db, f"edit {inn.ref}", "U2", "Only members of `data-ethics` and coordinators may change")
    refused(slack, db, "edit INN-404", "U1", "There is no innovation INN-404")
    refused(slack, db, "edit banana", "U1", "is not an innovation reference")
    # A forged edit submission from a non-member is refused inline too.
    before = snapshot(db)
    r = slack.view_submission("U2", "innovation_modal", valid_form(), private_metadata=json.dumps({"ref": inn.id}))
    assert "Only members of `data-ethics`" in r.json["errors"]["group"]
    assert snapshot(db) == before


# --- the message shortcut -----------------------------------------------------------------------


def test_shortcut_opens_the_modal_with_text_then_permalink(slack, group):
    text = "We could use *federated learning* 🧠 " + "x" * 4000
    r = slack.message_shortcut("U1", "log_as_innovation", {"ts": "1700000000.000100", "text": text}, channel="CGEN")
    assert r.status == 200
    (opened,) = slack.fake.wait_for("views.open")
    summary = block(opened["view"], "summary")["element"]["initial_value"]
    assert summary.startswith("We could use *federated learning* 🧠") and len(summary) == 3000
    (link_call,) = slack.fake.wait_for("chat.getPermalink")
    assert (link_call["channel"], link_call["message_ts"]) == ("CGEN", "1700000000.000100")
    assert opened.at <= link_call.at  # the form opens first: the trigger_id expires in 3 seconds
    (updated,) = slack.fake.wait_for("views.update")
    assert updated["hash"] == "h1" and updated["view_id"].startswith("V")
    view = updated["view"]
    assert block(view, "link")["element"]["initial_value"] == "https://partos.slack.com/archives/CGEN/p1700000000000100"
    assert block(view, "summary")["element"]["initial_value"] == summary


def test_shortcut_without_permalink_still_opens_the_modal(slack, group):
    slack.fake.fail("chat.getPermalink", status=200, error="message_not_found")
    slack.message_shortcut("U1", "log_as_innovation", {"ts": "1700000000.000200", "text": "Idea"})
    (opened,) = slack.fake.wait_for("views.open")
    assert block(opened["view"], "summary")["element"]["initial_value"] == "Idea"
    assert "initial_value" not in block(opened["view"], "link")["element"]
    assert not slack.fake.of("views.update")


def test_shortcut_for_someone_without_a_group(slack, group):
    slack.message_shortcut("U2", "log_as_innovation", {"ts": "1700000000.000300", "text": "Idea"})
    (reply,) = slack.fake.wait_for("response_url")
    assert "not in one yet" in reply["text"]
    assert not slack.fake.of("views.open")


# --- quick log, list, show, stage, note ----------------------------------------------------------


def test_quick_log_posts_a_card(slack, group, db):
    r = slack.command("log data-ethics Open data 🌍 portal", user="U1")
    inn = only(db)
    assert f"Logged *{inn.ref}*" in r.text and "exploring" in r.text
    assert inn.stage == "exploring" and inn.title == "Open data 🌍 portal"
    (card,) = slack.fake.wait_for("chat.postMessage")
    assert card["channel"] == CHANNEL and inn.ref in card.text
    assert inn.card_ts
    with db.transaction() as s:
        (change,) = s.scalars(select(StageChange)).all()
        assert (change.from_stage, change.to_stage, change.by_id) == (None, "exploring", "U1")


def test_quick_log_refusals(slack, group, db):
    refused(slack, db, "log data-ethics Sneaky", "U2", "Only members of `data-ethics` and coordinators")
    refused(slack, db, "log ai-watch Not mine", "U1", "Only members of `ai-watch`")
    refused(slack, db, "log no-such Something", "U1", "There is no action group `no-such`")
    refused(slack, db, "log data-ethics " + "t" * 151, "U1", "151 characters; 150 is the most")
    refused(slack, db, "log data-ethics", "U1", "Give a title")


def test_quick_log_into_a_group_without_channel(slack, group, db):
    r = slack.command("log ai-watch Coordinator idea", user=COORDINATOR)
    assert "no linked channel" in r.text
    assert only(db).card_ts is None
    assert not slack.fake.of("chat.postMessage")


def test_quick_log_survives_a_failing_card(slack, group, db, caplog):
    slack.fake.fail("chat.postMessage", status=500, retry_after=None, times=5)  # more than the client's retries
    with caplog.at_level(logging.WARNING, logger="services.innovations"):
        r = slack.command("log data-ethics Resilient idea", user="U1")
    inn = only(db)
    assert f"Logged *{inn.ref}*" in r.text and inn.card_ts is None
    assert any(rec.getMessage() == "innovation card not posted" for rec in caplog.records)
    (followup,) = slack.fake.wait_for("response_url")
    assert "could not post its card" in followup["text"]


def test_concurrent_quick_logs_get_distinct_refs(slack, group, db):
    barrier = threading.Barrier(2)
    replies: list = [None, None]

    def log(i):
        barrier.wait()
        replies[i] = slack.command(f"log data-ethics Same moment {i}", user="U1", wait=False)

    threads = [threading.Thread(target=log, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    slack.wait_idle()
    with db.transaction() as s:
        refs = sorted(i.ref for i in s.scalars(select(Innovation)))
    assert len(refs) == 2 and len(set(refs)) == 2
    texts = [r.text for r in replies]
    assert all("Logged *INN-" in t for t in texts)
    assert {t.split("*")[1] for t in texts} == set(refs)


def test_list_is_limited_and_filtered(slack, group, clock):
    for i in range(25):
        slack.command(f"log data-ethics Idea {i} " + "long " * 20, user="U1")
        clock.advance(timedelta(minutes=1))
    slack.command("log ai-watch Watching", user=COORDINATOR)
    r = slack.command("list", user="U2")
    blocks = r.json["blocks"]
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "20 most recently updated of 26" in r.text
    assert r.text.index("INN-26") < r.text.index("INN-25")  # newest first
    assert "*INN-7*" in r.text and "*INN-6*" not in r.text  # 26 logged, the newest 20 shown
    r = slack.command("list ai-watch", user="U2")
    assert "INN-26" in r.text and "INN-25" not in r.text
    r = slack.command("list data-ethics piloting", user="U2")
    assert "No innovations in `data-ethics` at stage `piloting`" in r.text
    r = slack.command("list nope", user="U2")
    assert "There is no action group `nope`" in r.text
    r = slack.command("list data-ethics flying", user="U2")
    assert "`flying` is not a stage" in r.text


def test_show_has_history_and_notes(slack, group, db, clock):
    long_summary = "Ünïcode 🎉 " * 400  # stored whole, shortened for display
    slack.view_submission("U1", "innovation_modal", valid_form(summary=long_summary[:3000]))
    inn = only(db)
    assert inn.summary == long_summary[:3000].strip()
    clock.advance(timedelta(days=1))
    slack.command(f"stage {inn.ref} piloting Started with two orgs", user="U1")
    clock.advance(timedelta(days=1))
    slack.command(f"note {inn.id} Talked to <!here> Hivos 🙌", user="U1")
    r = slack.command(f"show {inn.ref}", user="U2")
    blocks = r.json["blocks"]
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    text = r.text
    assert inn.ref in text and "Consent chatbot 🤖" in text and "piloting" in text
    assert "logged at *idea*" in text and "idea → *piloting*" in text and "Started with two orgs" in text
    assert "Talked to &lt;!here&gt; Hivos 🙌" in text and "<!here>" not in text
    day2 = int((clock.now()).timestamp())
    assert f"<!date^{day2}^" in text  # dates render in the reader's own zone
    assert "…" in text  # the summary is shortened for display
    refused(slack, db, "show INN-999", "U2", "There is no innovation INN-999")


def test_stage_moves_and_updates_the_card(slack, group, db):
    slack.command("log data-ethics Portal", user="U1")
    inn = only(db)
    r = slack.command(f"stage {inn.ref} piloting", user="U1")
    assert "moved from `exploring` to `piloting`" in r.text
    (update,) = slack.fake.wait_for("chat.update")
    assert update["ts"] == inn.card_ts and "piloting" in update.text
    r = slack.command(f"stage {inn.ref} PARKED Waiting for funding", user=COORDINATOR)
    assert "to `parked`" in r.text
    with db.transaction() as s:
        moves = [
            (c.from_stage, c.to_stage, c.by_id, c.note) for c in s.scalars(select(StageChange).order_by(StageChange.id))
        ]
    assert moves == [
        (None, "exploring", "U1", ""),
        ("exploring", "piloting", "U1", ""),
        ("piloting", "parked", COORDINATOR, "Waiting for funding"),
    ]


def test_stage_refusals(slack, group, db):
    slack.command("log data-ethics Portal", user="U1")
    inn = only(db)
    slack.fake.reset()
    refused(slack, db, f"stage {inn.ref} piloting", "U2", "Only members of `data-ethics` and coordinators may change")
    refused(slack, db, "stage INN-77 piloting", "U1", "There is no innovation INN-77")
    refused(slack, db, f"stage {inn.ref} flying", "U1", "`flying` is not a stage")
    refused(slack, db, f"stage {inn.ref} dropped", "U1", "a note is needed for parked and dropped")
    refused(slack, db, f"stage {inn.ref} parked", "U1", "a note is needed for parked and dropped")
    refused(slack, db, f"stage {inn.ref} exploring", "U1", "already at stage `exploring`")
    refused(slack, db, f"stage {inn.ref}", "U1", "Usage")


def test_note_and_its_refusals(slack, group, db, clock):
    slack.command("log data-ethics Portal", user="U1")
    inn = only(db)
    clock.advance(timedelta(hours=3))
    r = slack.command(f"note {inn.ref} Met the team 🎯", user="U1")
    assert f"Note added to *{inn.ref}*" in r.text
    with db.transaction() as s:
        note = s.scalars(select(InnovationNote)).one()
        assert (note.text, note.author_id, note.at) == ("Met the team 🎯", "U1", clock.now())
        assert s.get(Innovation, inn.id).updated_at == clock.now()
    refused(slack, db, f"note {inn.ref} Hello", "U2", "Only members of `data-ethics` and coordinators may change")
    refused(slack, db, "note INN-55 Hello", "U1", "There is no innovation INN-55")
    refused(slack, db, f"note {inn.ref}", "U1", "Add the note text")


def test_group_info_counts_innovations(slack, group):
    slack.command("log data-ethics One", user="U1")
    slack.command("log data-ethics Two", user="U1")
    slack.command("stage INN-2 adopted", user="U1")
    r = slack.command("group info data-ethics", user="U1")
    assert "Innovations (2)" in r.text and "exploring 1" in r.text and "adopted 1" in r.text


def test_show_stays_within_block_kit_limits_with_a_long_history(slack, group, db, clock):
    from models.innovations import add_note
    from models.people import Member

    slack.command("log data-ethics Portal", user="U1")
    inn = only(db)
    with db.transaction() as s:
        u1 = s.get(Member, "U1")
        for i in range(120):
            clock.advance(timedelta(minutes=1))
            add_note(s, u1, inn.id, f"Note {i} " + "<&> 🎉 " * 480, clock.now())
    r = slack.command(f"show {inn.ref}", user="U1")
    blocks = r.json["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "Note 119 " in r.text  # the newest entries are the ones kept
    assert "older entries" in r.text


def test_a_first_innovation_command_fetches_the_profile_once(slack, group, db):
    from models.people import Member

    slack.fake.add_user("U7", "nia", tz="America/Lima")
    r = slack.command("list", user="U7")
    assert "INN-" not in r.text and "No innovations" in r.text
    slack.fake.wait_for("users.info")
    with db.transaction() as s:
        member = s.get(Member, "U7")
        assert (member.name, member.tz, member.profile_fetched) == ("nia", "America/Lima", True)
    slack.command("log data-ethics Idea", user="U1")  # someone else in between
    slack.command("list", user="U7")
    assert len(slack.fake.of("users.info", user="U7")) == 1  # fetched once, not on every command
