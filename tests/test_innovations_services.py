"""The innovation log's services (services/innovations.py), called directly with a recording
Messenger and a real database: no HTTP, no Slack."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from handlers.ui.errors import ERRORS, describe
from handlers.ui.render import render
from models.errors import Forbidden, Invalid, NotFound
from models.groups import create_group, join_group, link_channel
from models.innovations import Innovation, list_innovations, quick_log
from models.people import Member, ensure_member
from models.privacy import forget_member
from services import innovations as service
from services import people
from services.actor import Actor
from services.ports import MessengerError
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger

CHANNEL = "CETHICS"
U1, U2 = Actor("U1", "ama"), Actor("U2", "bo")


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    """`data-ethics` (linked to CETHICS) with member U1, `ai-watch` with no channel; U2 is in no group."""
    now = clock.now()
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        create_group(s, coord, "data-ethics", "", now)
        create_group(s, coord, "ai-watch", "", now)
        link_channel(s, coord, "data-ethics", CHANNEL)
        u1, _ = ensure_member(s, "U1", now)
        join_group(s, u1, "data-ethics", now)
        ensure_member(s, "U2", now)
    return UnitOfWork(db, clock, "Europe/Amsterdam")


def form(**over) -> service.InnovationInput:
    fields = dict(group="data-ethics", title="Consent chatbot", stage="idea", summary="Explains consent")
    fields.update(over)
    return service.InnovationInput(**fields)


def stored(uow: UnitOfWork) -> list[tuple]:
    with uow.transaction() as s:
        return list(s.execute(select(Innovation.id, Innovation.title, Innovation.card_ts).order_by(Innovation.id)))


def test_logging_posts_the_card_records_it_and_confirms_by_dm(uow):
    messenger = RecordingMessenger()
    saved = service.save_form(uow, U1, form(), ref=None, claim="view:V1:h1")
    assert saved is not None and not saved.edited and saved.innovation.title == "Consent chatbot"
    assert not messenger.sent  # nothing goes to Slack before the ack

    service.announce(uow, messenger, U1, saved)
    card, dm = messenger.of("post")
    assert card.channel == CHANNEL and isinstance(card.message, service.InnovationCard)
    assert card.message.innovation.ref == saved.innovation.ref and card.message.tz == "Europe/Amsterdam"
    assert stored(uow) == [(saved.innovation.id, "Consent chatbot", card.ts)]
    assert dm.channel == "D1" and isinstance(dm.message, service.LogConfirmation)
    assert dm.message.card == service.CardOutcome("posted", "data-ethics", CHANNEL)
    text, _ = render(dm.message)
    assert text.startswith(f"Logged *{saved.innovation.ref}*") and f"<#{CHANNEL}>" in text


def test_a_stage_move_updates_the_card_in_place(uow, clock):
    messenger = RecordingMessenger()
    logged = service.quick_log(uow, U1, "data-ethics", "Portal")
    outcome = service.post_card(uow, messenger, logged.innovation)
    assert outcome.status == "posted"
    (card,) = messenger.of("post")

    clock.advance(timedelta(hours=1))
    moved = service.move_stage(uow, U1, logged.innovation.id, "piloting", "")
    assert (moved.from_stage, moved.to_stage) == ("exploring", "piloting")
    assert (moved.innovation.card_channel, moved.innovation.card_ts) == (CHANNEL, card.ts)
    assert service.update_card(uow, messenger, moved.innovation)
    (update,) = messenger.of("update")
    assert (update.channel, update.ts) == (CHANNEL, card.ts)
    assert update.message.innovation.stage == "piloting" and update.message.innovation.updated_at == clock.now()
    assert "piloting" in render(update.message)[0]
    assert len(messenger.of("post")) == 1  # updated, not posted again


def test_a_failing_card_post_leaves_the_innovation_saved(uow, caplog):
    messenger = RecordingMessenger(failures={("post", CHANNEL): MessengerError("not_in_channel", transient=False)})
    saved = service.save_form(uow, U1, form(), ref=None, claim=None)
    assert saved is not None
    with caplog.at_level(logging.WARNING, logger="services.innovations"):
        service.announce(uow, messenger, U1, saved)
    assert stored(uow) == [(saved.innovation.id, "Consent chatbot", None)]  # saved, without a card
    assert any(r.getMessage() == "innovation card not posted" and r.error == "not_in_channel" for r in caplog.records)
    (dm,) = messenger.of("post")
    assert dm.channel == "D1" and dm.message.card.status == "failed"
    assert "could not post its card" in render(dm.message)[0]


def test_a_failing_card_update_or_dm_is_logged_not_raised(uow, caplog):
    messenger = RecordingMessenger()
    logged = service.quick_log(uow, U1, "data-ethics", "Portal")
    service.post_card(uow, messenger, logged.innovation)
    moved = service.move_stage(uow, U1, logged.innovation.id, "piloting", "")
    messenger.failures[("update", CHANNEL)] = MessengerError("message_not_found", transient=False)
    with caplog.at_level(logging.WARNING, logger="services.innovations"):
        assert service.update_card(uow, messenger, moved.innovation) is False
        saved = service.save_form(uow, U1, form(), ref=None, claim=None)
        messenger.failures[("post", "U1")] = MessengerError("ratelimited", transient=True)
        service.announce(uow, messenger, U1, saved)
    messages = {r.getMessage() for r in caplog.records}
    assert {"innovation card not updated", "direct message not sent"} <= messages


def test_no_linked_channel_means_no_card(uow):
    messenger = RecordingMessenger()
    logged = service.quick_log(uow, Actor(COORDINATOR), "ai-watch", "Coordinator idea")
    assert service.post_card(uow, messenger, logged.innovation) == service.CardOutcome("no_channel", "ai-watch", None)
    assert service.update_card(uow, messenger, logged.innovation) is False
    assert not messenger.sent


def test_an_edit_updates_the_card_and_confirms(uow, clock):
    messenger = RecordingMessenger()
    first = service.save_form(uow, U1, form(), ref=None, claim=None)
    service.announce(uow, messenger, U1, first)
    clock.advance(timedelta(hours=2))
    ref = first.innovation.id
    with pytest.raises(service.InvalidFields) as err:
        service.save_form(uow, U1, form(title="v2", stage="dropped"), ref=ref, claim="view:V2:h1")
    assert set(err.value.errors) == {"stage_note"}
    assert describe(err.value.errors["stage_note"]) == "Say why it is dropped: a note is needed for parked and dropped."
    # The refused submission freed its claim: the corrected one (same view, same hash) is saved.
    edited = service.save_form(
        uow, U1, form(title="v2", stage="dropped", stage_note="Gone"), ref=ref, claim="view:V2:h1"
    )
    assert edited is not None and edited.edited and edited.innovation.stage == "dropped"
    service.announce(uow, messenger, U1, edited)
    (update,) = messenger.of("update")
    assert (update.channel, update.ts) == (CHANNEL, messenger.of("post")[0].ts)
    assert update.message.innovation.title == "v2"
    dm = messenger.of("post")[-1]
    assert isinstance(dm.message, service.EditConfirmation)
    assert render(dm.message)[0].startswith(f"Saved your changes to *{first.innovation.ref}*")


def test_the_same_submission_twice_saves_once(uow):
    assert service.save_form(uow, U1, form(), ref=None, claim="view:VD:h7") is not None
    assert service.save_form(uow, U1, form(), ref=None, claim="view:VD:h7") is None
    assert len(stored(uow)) == 1


def test_refusals_carry_codes(uow):
    with pytest.raises(service.InvalidFields) as fields:
        service.save_form(uow, U2, form(), ref=None, claim=None)
    assert fields.value.errors["group"].code == "innovation.log_forbidden"
    assert fields.value.errors["group"].params == {"handle": "data-ethics"}
    with pytest.raises(NotFound) as err:
        service.log_form(uow, U2)
    assert err.value.code == "innovation.not_in_a_group"
    logged = service.quick_log(uow, U1, "data-ethics", "Portal")
    with pytest.raises(Forbidden) as err:
        service.edit_form(uow, U2, logged.innovation.id)
    assert (err.value.code, err.value.params) == (
        "innovation.change_forbidden",
        {"handle": "data-ethics", "ref": "INN-1"},
    )
    with pytest.raises(NotFound) as err:
        service.show(uow, U1, 404)
    assert (err.value.code, err.value.params) == ("innovation.not_found", {"ref": "INN-404"})
    with pytest.raises(Invalid) as err:
        service.add_note(uow, U1, logged.innovation.id, "  ")
    assert err.value.code == "innovation.note_missing"
    assert len(stored(uow)) == 1


def test_forms_list_the_groups_and_the_current_values(uow):
    assert service.log_form(uow, U1).groups == ("data-ethics",)
    assert service.log_form(uow, Actor(COORDINATOR)).groups == ("ai-watch", "data-ethics")
    saved = service.save_form(
        uow, U1, form(organisations="Hivos, Cordaid", sdgs=["16", "5"], tags="AI, privacy", privacy_risk="high"),
        ref=None, claim=None,
    )  # fmt: skip
    edit = service.edit_form(uow, U1, saved.innovation.id)
    assert (edit.id, edit.ref, edit.groups) == (saved.innovation.id, saved.innovation.ref, ("data-ethics",))
    values = edit.values
    assert (values.group, values.title, values.stage, values.privacy_risk) == (
        "data-ethics",
        "Consent chatbot",
        "idea",
        "high",
    )
    assert (values.organisations, values.sdgs, values.tags) == (["Cordaid", "Hivos"], [5, 16], ["ai", "privacy"])


def test_prefill_takes_the_message_as_summary(uow):
    prefill = service.prefill(uow, U1, "  An idea\x00 " + "x" * 4000)
    assert prefill.groups == ("data-ethics",)
    assert prefill.values.summary.startswith("An idea ") and len(prefill.values.summary) == 3000
    assert "\x00" not in prefill.values.summary
    assert service.prefill(uow, U2, "Idea").groups == ()


def test_show_has_the_history_and_former_members(uow, clock):
    logged = service.quick_log(uow, U1, "data-ethics", "Portal")
    clock.advance(timedelta(minutes=1))
    service.add_note(uow, U1, logged.innovation.id, "Met Hivos")
    clock.advance(timedelta(minutes=1))
    service.move_stage(uow, Actor(COORDINATOR), logged.innovation.id, "parked", "No budget")
    shown = service.show(uow, U2, logged.innovation.id)
    assert [(e.from_stage, e.to_stage, e.by, e.text) for e in shown.history] == [
        (None, "exploring", "U1", ""), (None, None, "U1", "Met Hivos"), ("exploring", "parked", COORDINATOR, "No budget"),
    ]  # fmt: skip
    assert shown.tz == "Europe/Amsterdam"
    with uow.transaction() as s:
        s.get(Member, "U2").tz = "America/Lima"
        forget_member(s, "U1", clock.now())
    shown = service.show(uow, U2, logged.innovation.id)
    assert shown.tz == "America/Lima"
    assert shown.innovation.logged_by is None and [e.by for e in shown.history] == [None, None, COORDINATOR]


def test_results_say_when_the_profile_is_still_due(uow):
    assert service.show(uow, U1, service.quick_log(uow, U1, "data-ethics", "x").innovation.id).profile_due
    with uow.transaction() as s:
        s.get(Member, "U1").profile_fetched = True
    assert not service.list_innovations(uow, U1, None, None).profile_due
    newcomer = service.list_innovations(uow, Actor("U9", "nia"), None, None)
    assert newcomer.profile_due and newcomer.rows[0].title == "x"
    with uow.transaction() as s:
        assert s.get(Member, "U9") is None  # a read stores nobody: the profile refresh after the ack does
    people.refresh_profile(uow, RecordingMessenger(), Actor("U9", "nia"))
    with uow.transaction() as s:
        assert s.get(Member, "U9").name == "nia"


def test_list_counts_only_up_to_a_bound_and_loads_groups_with_the_rows(uow, clock):
    with uow.transaction() as s:
        u1 = s.get(Member, "U1")
        for i in range(6):
            quick_log(s, u1, "data-ethics", f"Idea {i}", clock.now())
            clock.advance(timedelta(minutes=1))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(uow.db.engine, "before_cursor_execute", count)
    try:
        with uow.transaction() as s:
            rows, total = list_innovations(s, limit=2, count_limit=3)
            assert [r.title for r in rows] == ["Idea 5", "Idea 4"] and total == 4  # 4 > 3: "more than 3"
            assert list_innovations(s, limit=2, count_limit=10)[1] == 6
            assert list_innovations(s, limit=10)[1] == 6
            assert list_innovations(s, stage="piloting") == ([], 0)
    finally:
        event.remove(uow.db.engine, "before_cursor_execute", count)
    # A page and its count in one statement, whether the page is full or not.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4, statements
    statements.clear()
    event.listen(uow.db.engine, "before_cursor_execute", count)
    try:
        listing = service.list_innovations(uow, U2, "data-ethics", None)
    finally:
        event.remove(uow.db.engine, "before_cursor_execute", count)
    assert len(listing.rows) == 6 and listing.total == 6 and listing.more_than is None
    assert all(r.handle == "data-ethics" for r in listing.rows)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 3, selects  # the member, the group, the rows with their group: not one per row
    with uow.transaction() as s:
        assert s.scalar(select(func.count(Innovation.id))) == 6


def test_every_innovation_code_has_words():
    root = Path(__file__).resolve().parent.parent
    sources = [*root.joinpath("models", "innovations").glob("*.py"), root / "services" / "innovations.py"]
    codes = {c for path in sources for c in re.findall(r'"(innovation\.[a-z_]+)"', path.read_text())}
    codes |= {f"innovation.{field}_unknown" for field in ("privacy_risk", "civic_space_risk", "manipulation_risk")}
    assert len(codes) > 20 and codes <= set(ERRORS), sorted(codes - set(ERRORS))
    for path in sources:
        assert "/spindle" not in path.read_text(), path
