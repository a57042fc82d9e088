"""The words of the commands themselves (help, usage, usage errors, refusals) in the reader's language,
through signed requests: a Dutch member reads Dutch, an English one English (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import i18n
from handlers.commands import OOPS, REGISTRY
from handlers.ratelimit import refusal
from models.people import Member
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot

DUTCH = "UNL1"


def speaks(db, user_id: str, language: str) -> None:
    """What `/spindle language nl` stores (its command is another module's): the member's choice."""
    with db.transaction() as s:
        member = s.get(Member, user_id) or Member(id=user_id, name="", created_at=datetime(2026, 12, 1, tzinfo=UTC))
        member.language = language
        s.add(member)


@pytest.fixture
def dutch(db):
    speaks(db, DUTCH, "nl")
    return DUTCH


def test_hulp_gives_a_dutch_reader_the_help_in_dutch(slack, dutch):
    r = slack.command("hulp", user=dutch)
    assert r.status == 200 and r.json["response_type"] == "ephemeral"
    text = r.text
    assert "*Actiegroepen*" in text and "*Innovaties*" in text and "*Stand-ups*" in text
    assert "`/spindle group join HANDLE` — lid worden van een groep" in text
    assert "`/spindle log  of  /spindle log HANDLE TITEL` — het formulier, of snel vastleggen" in text
    assert "`/spindle stage INN-12 STADIUM [NOTITIE]`" in text
    # Command words and stage values stay English: they are what people type.
    assert "stadia: idea, exploring, piloting, scaling, adopted, parked, dropped" in text
    assert "join a group" not in text and "Action groups" not in text


def test_help_stays_english_for_an_english_reader(slack, db):
    speaks(db, "UEN1", "en")
    text = slack.command("hulp", user="UEN1").text
    assert "*Action groups*" in text and "`/spindle group join HANDLE` — join a group" in text
    assert "Actiegroepen" not in text


def test_a_dutch_coordinator_sees_the_coordinators_section_last_in_dutch(slack, db):
    speaks(db, COORDINATOR, "nl")
    text = slack.command("help", user=COORDINATOR).text
    assert "*Coördinatoren*" in text
    assert "`/spindle coordinator add @persoon` — iemand coördinator maken" in text
    assert text.index("*Coördinatoren*") > text.index("*Innovaties*")


@pytest.mark.parametrize(
    ("command", "problem", "usage"),
    [
        ("group frobnicate", "`group frobnicate` is geen opdracht voor groepen.", "/spindle group list"),
        (
            "group",
            "Zeg wat je met groepen wilt doen: new, list, info, join, leave, channel, language, lead of archive.",
            None,
        ),
        ("group join Data_Ethics!", "`Data_Ethics!` is geen geldige handle voor een groep", None),
        ("group join", "HANDLE ontbreekt.", "/spindle group join HANDLE"),
        (
            "stage INN-3 someday",
            "`someday` is geen stadium. Stadia: idea, exploring,",
            "/spindle stage INN-12 STADIUM [NOTITIE]",
        ),
        ("note INN-3", "Voeg de tekst van de notitie toe.", "/spindle note INN-12 TEKST"),
        ("standup data-ethics set daily 25:00", "`25:00` is geen 24-uurstijd", None),
        ("standup away soon", "`soon` is geen datum zoals `2026-12-31`.", "/spindle standup away JJJJ-MM-DD"),
        ("frobnicate", "`frobnicate` ken ik niet. Typ `/spindle hulp` om te zien wat ik kan.", None),
    ],
)
def test_a_usage_error_is_dutch_for_a_dutch_reader_and_changes_nothing(slack, db, dutch, command, problem, usage):
    before = snapshot(db)
    r = slack.command(command, user=dutch)
    assert r.status == 200 and r.json["response_type"] == "ephemeral"
    assert problem in r.text, r.text
    if usage is not None:
        assert f"Zo gebruik je het: `{usage}`" in r.text
    assert "Usage:" not in r.text
    assert snapshot(db) == before


def test_the_same_usage_error_is_english_for_an_english_reader(slack):
    r = slack.command("group frobnicate", user="U1")
    assert "`group frobnicate` is not a group command.\nUsage: `/spindle group list`" in r.text


def test_every_usage_and_help_line_has_dutch_and_keeps_its_command_words():
    """Each declared usage, help line and section has Dutch, and the Dutch usage starts with the same
    command words (only the placeholders in capitals, like TITLE → TITEL, are translated)."""
    for sub in REGISTRY.commands:
        with i18n.speaking("nl"):
            usage, help_line = i18n._(sub.usage), i18n._(sub.help) if sub.help else ""
            section = i18n._(sub.section) if sub.section else ""
        if sub.name != "help":
            assert help_line != sub.help or not sub.help, sub.name
        assert usage.startswith(f"/spindle {sub.path[0]}"), usage
        literal = [w for w in sub.path if w != "HANDLE"]
        assert all(w in usage.split() for w in literal), (sub.name, usage)
        assert section != "" or sub.coordinator or sub.hidden or sub.section == ""


def test_the_refusal_and_oops_are_dutch_in_a_dutch_context():
    with i18n.speaking("nl"):
        assert refusal(0.2) == (
            "Je stuurt sneller opdrachten dan ik ze aankan. Wacht 1 seconde en probeer het dan opnieuw; "
            "er is niets veranderd."
        )
        assert "Wacht 3 seconden" in refusal(2.5)
        assert i18n._(OOPS).startswith("Sorry, er ging bij mij iets mis")
    assert "Please wait 3 seconds" in refusal(2.5) and "wait 1 second " in refusal(0.5)
