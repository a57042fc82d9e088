"""Languages in the services (issue 13): the person's choice and the group's, and the `language`
every message handed to the Messenger carries — the group's for what lands in its channel, the
reader's for a direct message. A real database and a recording Messenger; no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from exports.import_port import IMPORTER
from exports.register import WORKBOOK
from handlers.ui.errors import describe
from handlers.ui.render import render
from models.audit import AuditEntry
from models.errors import Forbidden, Invalid
from models.groups import Group
from models.people import Member, ensure_member
from models.standups import StandupPrompt
from services import groups, home, imports, people, privacy, register, standups
from services import innovations as innovations_service
from services.actor import Actor
from services.ports import MessengerError, Profile
from services.standups.messages import AnswerReply, ChannelMessage, NoChannelNote, Prompt, Reminder, Summary
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger
from tests.test_standups_service import AMS, DUE, make_group

U1, U2, U3 = Actor("U1"), Actor("U2"), Actor("U3")


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, AMS)  # SPINDLE_LANGUAGE left at English


def shown(uow: UnitOfWork, actor: Actor) -> tuple[str, str]:
    found = people.language_of(uow, actor)
    return found.language, found.source


def language_of_member(uow: UnitOfWork, user_id: str) -> str | None:
    with uow.read() as s:
        return s.scalar(select(Member.language).where(Member.id == user_id))


def speak(uow: UnitOfWork, user_id: str, language: str | None = None, locale: str | None = None) -> None:
    with uow.transaction() as s:
        member, _ = ensure_member(s, user_id, uow.now())
        member.language, member.locale = language, locale


def dutch_group(uow: UnitOfWork, handle: str = "data-ethics") -> None:
    with uow.transaction() as s:
        s.scalar(select(Group).where(Group.handle == handle)).language = "nl"


def test_a_person_chooses_a_language_and_an_unknown_one_changes_nothing(uow):
    assert shown(uow, U1) == ("en", "default")
    assert people.set_language(uow, U1, " NL ").language == "nl"
    assert language_of_member(uow, "U1") == "nl"
    assert shown(uow, U1) == ("nl", "chosen")
    with pytest.raises(Invalid) as refused:
        people.set_language(uow, U1, "fr")
    assert language_of_member(uow, "U1") == "nl"
    sentence = describe(refused.value)
    assert "`fr`" in sentence and "`en` (English)" in sentence and "`nl` (Nederlands)" in sentence


def test_the_slack_locale_decides_until_the_person_chooses(uow, db, clock):
    nl_uow = UnitOfWork(db, clock, AMS, "nl")
    speak(uow, "U1", locale="nl-NL")
    assert shown(uow, U1) == ("nl", "slack")
    assert people.reader_language(uow, "U1") == "nl"
    people.set_language(uow, U1, "en")
    assert people.reader_language(uow, "U1") == "en" and people.language_of(uow, U1).source == "chosen"
    speak(uow, "U2", locale="en-GB")  # Slack in English: SPINDLE_LANGUAGE decides
    assert people.reader_language(uow, "U2") == "en" and people.reader_language(nl_uow, "U2") == "nl"
    assert shown(nl_uow, U2) == ("nl", "default")


def test_refresh_profile_stores_the_slack_locale(uow):
    speak(uow, "U1")
    messenger = RecordingMessenger(profiles={"U1": Profile(name="Ama", tz=AMS, locale="nl-NL")})
    assert people.reader_language(uow, "U1") == "en"
    assert people.refresh_profile(uow, messenger, Actor("U1"))
    assert people.reader_language(uow, "U1") == "nl"


def test_the_group_language_is_set_by_its_lead_or_a_coordinator_and_audited(uow):
    make_group(uow)  # U1 leads data-ethics; U2 is a member
    with pytest.raises(Forbidden) as refused:
        groups.set_language(uow, U2, "data-ethics", "nl")
    assert "Only the lead of `data-ethics` or a coordinator" in describe(refused.value)
    with pytest.raises(Invalid):
        groups.set_language(uow, U1, "data-ethics", "de")
    assert groups.group_info(uow, U2, "data-ethics").language_chosen is False
    assert groups.set_language(uow, U1, "data-ethics", "nl").language == "nl"
    assert groups.set_language(uow, Actor(COORDINATOR), "data-ethics", "en").language == "en"
    info = groups.group_info(uow, U2, "data-ethics")
    assert (info.language, info.language_chosen) == ("en", True)
    with uow.read() as s:
        trail = list(
            s.execute(select(AuditEntry.actor_id, AuditEntry.detail).where(AuditEntry.action == "group.language"))
        )
    assert [tuple(t) for t in trail] == [("U1", "data-ethics nl"), (COORDINATOR, "data-ethics en")]


def test_the_card_is_in_the_group_s_language_and_the_confirmation_in_the_person_s(uow):
    make_group(uow)
    dutch_group(uow)
    messenger = RecordingMessenger()
    form = innovations_service.InnovationInput(group="data-ethics", title="Consent chatbot", stage="idea")
    saved = innovations_service.save_form(uow, U2, form, ref=None, claim=None)
    innovations_service.announce(uow, messenger, U2, saved)
    card, dm = messenger.of("post")
    assert (card.channel, type(card.message), card.message.language) == (
        "C100",
        innovations_service.InnovationCard,
        "nl",
    )
    assert (type(dm.message), dm.message.language) == (innovations_service.LogConfirmation, "en")

    people.set_language(uow, U2, "nl")
    with uow.transaction() as s:
        s.scalar(select(Group)).language = "en"
    edited = innovations_service.save_form(uow, U2, form, ref=saved.innovation.id, claim=None)
    innovations_service.announce(uow, messenger, U2, edited)
    update, dm = messenger.sent[-2:]
    assert (update.method, update.message.language) == ("update", "en")
    assert (type(dm.message), dm.message.language) == (innovations_service.EditConfirmation, "nl")


def test_stand_up_posts_in_the_group_s_language_and_dms_in_each_reader_s(uow, clock):
    make_group(uow)  # U1 (lead), U2, U3
    dutch_group(uow)
    speak(uow, "U2", language="en")
    speak(uow, "U3", locale="nl-BE")
    speak(uow, "U1", language="en")
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    (channel,) = [s for s in messenger.sent if isinstance(s.message, ChannelMessage)]
    assert channel.message.language == "nl"
    prompts = {s.channel: s.message.language for s in messenger.sent if isinstance(s.message, Prompt)}
    assert prompts == {"D1": "en", "D2": "en", "D3": "nl"}

    with uow.transaction() as s:
        ids = {p.member_id: p.id for p in s.scalars(select(StandupPrompt))}
    standups.answer(uow, U2, ids["U2"], ["read", "pilot", "none"])
    standups.post_answer_reply(uow, messenger, ids["U2"])
    (reply,) = [s for s in messenger.sent if isinstance(s.message, AnswerReply)]
    assert (reply.channel, reply.message.language) == ("C100", "nl")  # in the channel's thread

    clock.set(DUE + timedelta(hours=2))
    standups.tick(uow, messenger, clock.now())
    reminders = {s.channel: s.message.language for s in messenger.sent if isinstance(s.message, Reminder)}
    assert reminders == {"D1": "en", "D3": "nl"}
    clock.set(DUE + timedelta(days=1))
    standups.tick(uow, messenger, clock.now())
    summaries = [s for s in messenger.sent if isinstance(s.message, Summary) and s.thread_ts]
    assert [s.message.language for s in summaries] == ["nl"]


def test_without_a_channel_the_lead_hears_it_in_their_own_language(uow, clock):
    make_group(uow, channel="C100")
    speak(uow, "U1", locale="nl-NL")  # the lead, Dutch from Slack; the group stays English
    messenger = RecordingMessenger(failures={("post", "C100"): MessengerError("not_in_channel", transient=False)})
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    (note,) = [s for s in messenger.sent if isinstance(s.message, NoChannelNote)]
    assert (note.channel, note.message.language) == ("D1", "nl")
    clock.set(DUE + timedelta(days=1))
    standups.tick(uow, messenger, clock.now())
    summary = next(s for s in messenger.sent if isinstance(s.message, Summary))
    assert (summary.channel, summary.thread_ts, summary.message.language) == ("D1", None, "nl")


def test_a_forgotten_answer_is_replaced_in_the_group_s_language(uow, clock):
    make_group(uow)
    dutch_group(uow)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    with uow.transaction() as s:
        pid = s.scalar(select(StandupPrompt.id).where(StandupPrompt.member_id == "U2"))
    standups.answer(uow, U2, pid, ["read", "pilot", "none"])
    standups.post_answer_reply(uow, messenger, pid)
    people.set_language(uow, U2, "en")
    token = privacy.forget_prompt(uow, U2).token
    assert privacy.forget(uow, messenger, "U2", token).done
    (removed,) = [s for s in messenger.sent if isinstance(s.message, privacy.ReplyRemoved)]
    assert removed.message.language == "nl"
    with uow.read() as s:  # the choice went with the member's row
        assert s.get(Member, "U2") is None
        assert set(s.scalars(select(Member.language).where(Member.forgotten.is_(True)))) == {None}


def test_the_register_s_messages_are_in_each_coordinator_s_language(uow, db, clock):
    speak(uow, COORDINATOR, language="nl")
    speak(uow, "UCO2", locale="en-US")
    with uow.transaction() as s:
        s.get(Member, "UCO2").is_coordinator = True
    messenger = RecordingMessenger()
    request = register.request_export(uow, Actor(COORDINATOR), None, None)
    register.deliver_export(uow, messenger, WORKBOOK, request)
    assert messenger.of("upload")[0].message[2].language == "nl"

    monday_8 = datetime(2026, 11, 30, 7, 5, tzinfo=UTC)  # Monday 08:05 in Amsterdam
    delivered = register.deliver_weekly(uow, messenger, WORKBOOK, monday_8, made_by="Spindle Bot")
    assert delivered is not None and len(delivered.delivered) == 2
    weekly = {u.channel: u.message[2].language for u in messenger.of("upload")[1:]}
    assert weekly == {COORDINATOR: "nl", "UCO2": "en"}

    failing = RecordingMessenger(failures={("upload", COORDINATOR): MessengerError("fatal_error", transient=False)})
    outcome = register.deliver_export(uow, failing, WORKBOOK, request)
    assert outcome.problem == register.UploadFailed("fatal_error", "nl")


def test_an_import_is_answered_in_the_sender_s_language(uow):
    speak(uow, "U1", locale="nl-NL")
    messenger = RecordingMessenger()
    told = imports.receive_file(uow, messenger, IMPORTER, U1, "DU1", imports.SentFile("F1", "register.xlsx"))
    assert told == imports.ImportRefused("coordinators_only", "register.xlsx", language="nl")
    assert messenger.of("post")[0].message.language == "nl"


def test_the_home_tab_is_in_its_reader_s_language(uow):
    assert home.home_of(uow, "UNEW").language == "en"
    speak(uow, "U1", locale="nl-NL")
    assert home.home_of(uow, "U1").language == "nl"
    people.set_language(uow, U1, "en")
    assert home.home_of(uow, "U1").language == "en"


def test_render_writes_a_message_in_its_own_language_whatever_the_current_one(uow):
    """The one place words meet a message's language (handlers/ui/render.py): the language reply
    is written in the new language; a channel post in its group's, whatever the reader's."""
    from handlers.ui import people as people_ui
    from i18n import speaking

    with speaking("en"):
        assert people_ui.language_set(people.LanguageSet("nl")) == "Je taal is nu Nederlands."
    with speaking("nl"):
        assert people_ui.language_set(people.LanguageSet("en")) == "Your language is now English."
        assert render(privacy.ReplyRemoved("en"))[0] == "_This stand-up answer was removed at its author's request._"
    assert render(privacy.ReplyRemoved("nl"))[0] == "_Dit stand-upantwoord is op verzoek van de schrijver verwijderd._"


def test_a_request_s_language_is_found_once_when_its_first_word_is_written():
    import contextvars

    import i18n

    asked: list[str] = []

    def request() -> tuple[str, str, str]:
        i18n.use_when_needed(lambda: asked.append("db") or "nl")
        assert asked == []  # nothing is read before a word is written
        with i18n.speaking("en"):  # a message in its own language neither needs nor sets the reader's
            inside = i18n.current()
        assert asked == []
        return inside, i18n.current(), i18n.current()

    assert contextvars.copy_context().run(request) == ("en", "nl", "nl") and asked == ["db"]
    assert i18n.current() == "en"  # another context (the next request) is not touched


def test_the_reply_s_language_comes_from_what_the_service_read(uow, db):
    speak(uow, "U1", language="nl")
    people.new_request()
    people.whoami(uow, U1)  # the service reads the member (services.people.arrive)…
    with db.engine.connect() as conn:
        conn.exec_driver_sql("UPDATE members SET language = 'en' WHERE id = 'U1'")
        conn.commit()
    assert people.reader_language(uow, "U1") == "nl"  # …so the reply needs no read of its own
    assert people.reader_language(uow, "U2") == "en"  # someone else: read
    people.new_request()
    assert people.reader_language(uow, "U1") == "en"


def test_when_the_database_is_down_the_error_is_said_without_asking_it_again():
    import contextvars

    import i18n
    from models.errors import Unavailable

    asked: list[str] = []

    def request() -> tuple[str, str]:
        i18n.use_when_needed(lambda: asked.append("db") or "en", fallback="nl")
        return describe(Unavailable()), i18n.current()

    sentence, language = contextvars.copy_context().run(request)
    assert asked == [] and language == "nl" and "database" in sentence
