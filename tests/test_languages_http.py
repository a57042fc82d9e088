"""Who reads which language (SPEC *Languages*), through signed HTTP: `/spindle language` and `taal`,
the Slack locale, the Home tab's menu, a group's language for its channel posts, and forget-me.

The replies of the language command are translated on this branch, so they show the switch in
words. For the other messages the test records the language each was rendered in (the renderers
of handlers/ui/render.py, wrapped): a channel post is rendered in its group's language and a reply
or direct message in its reader's, whatever words the catalogue has for them yet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import i18n
from bot.scheduler import standup_tick
from handlers.slack_messenger import Pacer
from handlers.ui import render as render_module
from models.people import Member
from services import home, innovations
from services.standups import messages as standup_messages
from tests.conftest import COORDINATOR

DUTCH_REPLY = "Je taal is nu Nederlands."
ENGLISH_REPLY = "Your language is now English."


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    before = runtime.deps.pacer, runtime.deps.paced_messenger.pacer
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield
    runtime.deps.pacer, runtime.deps.paced_messenger.pacer = before


@pytest.fixture
def rendered(monkeypatch) -> Iterator[list[tuple[str, str]]]:
    """(message type, the language it was rendered in) for every message the bot rendered."""
    seen: list[tuple[str, str]] = []

    def spy(kind, renderer):
        def recording(message):
            seen.append((kind.__name__, i18n.current()))
            return renderer(message)

        return recording

    for kind, renderer in list(render_module.RENDERERS.items()):
        monkeypatch.setitem(render_module.RENDERERS, kind, spy(kind, renderer))
    yield seen


def member(db, user_id: str) -> Member | None:
    with db.read() as s:
        found = s.get(Member, user_id)
        if found is not None:
            s.expunge(found)
        return found


def test_switching_language_takes_effect_on_the_next_reply(slack, db):
    r = slack.command("language", user="U1")
    assert "I write to you in English (the workspace's default)" in r.text
    assert "`/spindle language nl` (Nederlands)" in r.text

    assert slack.command("language nl", user="U1").text == DUTCH_REPLY
    assert member(db, "U1").language == "nl"
    r = slack.command("language", user="U1")
    assert "Ik schrijf je in het Nederlands (je eigen keuze)" in r.text

    # Unknown: the error names the two languages (in the reader's language) and changes nothing.
    r = slack.command("taal fr", user="U1")
    assert "In `fr` schrijf ik niet" in r.text and "`en` (English)" in r.text and "`nl` (Nederlands)" in r.text
    assert member(db, "U1").language == "nl"
    assert "één taal" in slack.command("taal nl en", user="U1").text

    assert slack.command("taal EN", user="U1").text == ENGLISH_REPLY
    r = slack.command("language", user="U1")
    assert "I write to you in English (your own choice)" in r.text
    r = slack.command("language fr", user="U1")
    assert "I don't write in `fr`" in r.text and "`en` (English) or `nl` (Nederlands)" in r.text
    assert member(db, "U1").language == "en"


def test_the_command_publishes_the_home_tab_in_the_new_language(slack, fake_slack, db, rendered):
    slack.command("language nl", user="U1")
    published = fake_slack.wait_for("views.publish", where=lambda c: c.get("user_id") == "U1")
    assert len(published) == 1 and ("Home", "nl") in rendered


def test_a_dutch_slack_locale_reads_dutch_from_the_second_command_until_they_choose(slack, fake_slack, db):
    fake_slack.add_user("U5", "sanne", locale="nl-NL")
    # First contact: the bot does not know the locale until users.info answers, after the ack.
    assert "I write to you in English" in slack.command("language", user="U5").text
    assert [c["include_locale"] for c in fake_slack.of("users.info", user="U5")] == ["1"]  # slack_sdk sends a bool so
    assert member(db, "U5").locale == "nl-NL"
    r = slack.command("language", user="U5")
    assert "Ik schrijf je in het Nederlands (volgens je Slack-instellingen)" in r.text
    assert slack.command("language en", user="U5").text == ENGLISH_REPLY
    assert "I write to you in English (your own choice)" in slack.command("language", user="U5").text

    # forget-me erases the choice with the rest: the member's row goes.
    asked = slack.command("forget-me", user="U5")
    confirm = next(
        e for b in asked.json["blocks"] for e in b.get("elements") or [] if e.get("action_id") == "forget_me_confirm"
    )
    slack.block_action("U5", "forget_me_confirm", confirm["value"], block_id="forget_me")
    assert member(db, "U5") is None
    with db.read() as s:
        assert set(s.scalars(select(Member.language))) <= {None}  # the pseudonym keeps no choice


def home_menu() -> list[dict]:
    """The Home tab's language menu, in the shape the home feature renders it (action id contract)."""
    options = [
        {"text": {"type": "plain_text", "text": t}, "value": v} for v, t in (("en", "English"), ("nl", "Nederlands"))
    ]
    return [{"type": "actions", "block_id": "language",
             "elements": [{"type": "static_select", "action_id": "home_language",
                           "placeholder": {"type": "plain_text", "text": "Language"}, "options": options}]}]  # fmt: skip


def test_the_home_tab_menu_stores_the_choice_and_publishes_the_home_again(slack, fake_slack, db, rendered):
    view = {"type": "home", "id": "VHOME", "blocks": home_menu()}
    r = slack.click("U1", home_menu(), "Language", option="Nederlands", view=view)
    assert r.status == 200
    assert member(db, "U1").language == "nl"
    assert len(fake_slack.of("views.publish", user_id="U1")) == 1 and rendered[-1] == ("Home", "nl")
    assert slack.command("language", user="U1").text.startswith("Ik schrijf je in het Nederlands")

    # A tampered option is refused in a small modal, in the reader's language, and changes nothing.
    tampered = home_menu()
    tampered[0]["elements"][0]["options"].append({"text": {"type": "plain_text", "text": "Français"}, "value": "fr"})
    slack.click("U1", tampered, "Language", option="Français", view=view)
    (modal,) = fake_slack.of("views.open")
    assert "In `fr` schrijf ik niet" in modal.text and modal["view"]["close"]["text"] == "Sluiten"
    assert member(db, "U1").language == "nl" and len(fake_slack.of("views.publish", user_id="U1")) == 1


def dutch_group(slack, fake_slack) -> None:
    """data-ethics in C100, led by U1, posting in Dutch; U2 (English) and U3 (Dutch by choice) are members."""
    for uid in ("U1", "U2", "U3"):
        fake_slack.add_user(uid, uid.lower())
    slack.command("group new data-ethics Ethics", user=COORDINATOR)
    for uid in ("U1", "U2", "U3"):
        slack.command("group join data-ethics", user=uid)
    slack.command("group lead data-ethics <@U1>", user=COORDINATOR)
    slack.command("group channel data-ethics", user="U1", channel="C100")
    slack.command("taal nl", user="U3")


def test_the_group_language_is_its_lead_s_to_set_and_shown_in_group_info(slack, fake_slack, db):
    dutch_group(slack, fake_slack)
    assert "*Language of its posts:* English (the default)" in slack.command("group info data-ethics", user="U2").text
    r = slack.command("group language data-ethics nl", user="U2")
    assert "Only the lead of `data-ethics` or a coordinator may set its language." in r.text
    r = slack.command("group language data-ethics fr", user="U1")
    assert "I don't write in `fr`" in r.text
    assert "Give the group's HANDLE" in slack.command("group language data-ethics", user="U1").text
    r = slack.command("group language data-ethics nl", user="U1")
    assert r.text == "`data-ethics` now posts in Dutch: its innovation cards, stand-ups and summaries."
    assert "*Language of its posts:* Dutch" in slack.command("group info data-ethics", user="U2").text
    assert "*Taal van de berichten:* Nederlands" in slack.command("group info data-ethics", user="U3").text


def test_an_english_member_reads_english_while_the_dutch_group_s_posts_are_dutch(
    slack, fake_slack, db, clock, runtime, rendered
):
    dutch_group(slack, fake_slack)
    slack.command("group language data-ethics nl", user="U1")
    slack.command("language en", user="U1")

    rendered.clear()
    r = slack.command("log data-ethics Consent chatbot", user="U2")
    assert "Consent chatbot" in r.text
    fake_slack.wait_for("chat.postMessage", where=lambda c: c.get("channel") == "C100")
    assert rendered == [(innovations.InnovationCard.__name__, "nl")]  # the ack's reply is not a message type
    assert "I write to you in English" in slack.command("language", user="U2").text

    rendered.clear()
    assert "has started" in slack.command("standup data-ethics now", user="U1").text  # U1's reply, in English
    kinds = sorted(rendered)
    assert kinds == sorted([("ChannelMessage", "nl"), ("Prompt", "en"), ("Prompt", "en"), ("Prompt", "nl")]), kinds
    prompt = next(c for c in fake_slack.of("chat.postMessage", channel="U2") if c.get("blocks"))
    value = next(e["value"] for b in prompt["blocks"] for e in b.get("elements") or [] if e.get("action_id"))

    rendered.clear()
    values = {
        f"q{i}": {"answer": {"type": "plain_text_input", "value": a}} for i, a in enumerate(["read", "pilot", "none"])
    }
    slack.view_submission("U2", "standup_answer", values, private_metadata=value)
    # the reply in the channel's thread is the group's; the prompt's update and the Home are the member's
    assert (standup_messages.AnswerReply.__name__, "nl") in rendered
    assert {language for kind, language in rendered if kind != standup_messages.AnswerReply.__name__} == {"en"}

    rendered.clear()
    from datetime import timedelta

    clock.advance(timedelta(hours=25))  # a run started by hand closes after a day
    standup_tick(runtime.deps, clock.now())
    assert (standup_messages.Summary.__name__, "nl") in rendered
    assert home.Home.__name__ not in {kind for kind, _ in rendered}
