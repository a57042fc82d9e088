"""A Dutch reader reads Dutch, end to end through signed requests: replies, refusals, the log
modal and its field errors, a stand-up prompt (issue 13). English is the source: the other HTTP
tests read the same flows in English."""

from __future__ import annotations

import pytest

from handlers.slack_messenger import Pacer
from models.people import Member
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.test_innovations_http import valid_form


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield


def speaks(db, user: str, language: str) -> None:
    """The member's own choice, as `/spindle language` stores it (members.language)."""
    with db.transaction() as s:
        member = s.get(Member, user)
        assert member is not None  # they have used the bot: the first command made their row
        member.language = language


@pytest.fixture
def dutch_member(slack, db):
    """`data-ethics` linked to C100, led by U1, who reads Dutch; U2 is a member who reads English."""
    assert "is created" in slack.command("group new data-ethics Ethiek van data", user=COORDINATOR).text
    for user in ("U1", "U2"):
        assert "Welcome" in slack.command("group join data-ethics", user=user).text
    assert "now leads" in slack.command("group lead data-ethics <@U1>", user=COORDINATOR).text
    assert "linked" in slack.command("group channel data-ethics", user="U1", channel="C100").text
    speaks(db, "U1", "nl")
    slack.fake.reset()
    return "U1"


def block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_group_info_and_a_refusal_are_in_dutch_and_an_english_member_still_reads_english(slack, db, dutch_member):
    info = slack.command("group info data-ethics", user="U1").text
    assert "*Trekker:* <@U1>" in info and "*Kanaal:* <#C100>" in info
    assert "*Leden (2)*" in info and "*Stand-up:* geen schema" in info
    assert "*Innovaties (0):* nog geen vastgelegd" in info
    assert "Lead" not in info and "Members" not in info

    before = snapshot(db)
    refused = slack.command("group new other", user="U1")
    assert refused.json["response_type"] == "ephemeral"
    assert refused.text.startswith("Alleen coördinatoren mogen actiegroepen aanmaken.")
    assert snapshot(db) == before

    assert "*Lead:* <@U1>" in slack.command("group info data-ethics", user="U2").text


def test_the_log_modal_and_its_field_errors_are_in_dutch(slack, db, dutch_member):
    slack.command("log", user="U1")
    (opened,) = slack.fake.wait_for("views.open")
    view = opened["view"]
    assert view["title"]["text"] == "Een innovatie vastleggen"
    assert (view["submit"]["text"], view["close"]["text"]) == ("Vastleggen", "Annuleren")
    assert block(view, "group")["label"]["text"] == "Actiegroep"
    assert block(view, "title")["label"]["text"] == "Titel"
    stage = block(view, "stage")["element"]
    assert [o["text"]["text"] for o in stage["options"]][:3] == ["Idee", "Verkennen", "Pilot"]
    assert [o["value"] for o in stage["options"]][:3] == ["idea", "exploring", "piloting"]  # values stay data
    assert stage["initial_option"]["text"]["text"] == "Verkennen"
    assert block(view, "privacy_risk")["label"]["text"] == "Privacyrisico"
    assert block(view, "civic_space_risk")["label"]["text"] == "Risico maatschappelijke ruimte"
    levels = [o["text"]["text"] for o in block(view, "manipulation_risk")["element"]["options"]]
    assert levels == ["Niet beoordeeld", "Laag", "Gemiddeld", "Hoog"]
    assert block(view, "sdgs")["element"]["options"][0]["text"]["text"] == "1 · Geen armoede"
    assert block(view, "safeguards")["label"]["text"] == "Waarborgen"

    before = snapshot(db)
    r = slack.view_submission("U1", "innovation_modal", valid_form(title="", stage="parked", link="ftp://x"))
    assert r.json["response_action"] == "errors"
    errors = r.json["errors"]
    assert errors["title"] == "Geef de innovatie een titel."
    assert errors["stage_note"] == "Zeg waarom het geparkeerd is: bij geparkeerd en gestopt hoort een notitie."
    assert errors["link"].startswith("De link moet een webadres zijn")
    assert snapshot(db) == before


def test_a_stand_up_prompt_is_in_dutch(slack, fake_slack, db, dutch_member):
    started = slack.command("standup data-ethics now", user="U1").text
    assert started == "De stand-up van `data-ethics` is begonnen: 2 leden krijgen een privébericht."
    fake_slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == "U1")
    (prompt,) = fake_slack.of("chat.postMessage", channel="U1")
    assert prompt.text.startswith("Tijd voor de stand-up van data-ethics (")
    section, actions = prompt["blocks"]
    assert "• Wat heb je verkend sinds de vorige stand-up?" in section["text"]["text"]
    assert actions["elements"][0]["text"]["text"] == "Beantwoorden"

    slack.block_action("U1", "standup_answer", actions["elements"][0]["value"], channel="DU1")
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert (view["title"]["text"], view["submit"]["text"]) == ("Stand-up", "Versturen")
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[-1] == "Loop je ergens op vast, of heb je hulp nodig?"
