"""What the clicks add below Slack: claims in the effect's transaction, the Set stand-up form's
values, the answered prompt, and the controls' shapes and limits (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import select

import i18n
from handlers.ui import controls
from handlers.ui.render import render
from models.deliveries import AlreadyDone
from models.errors import Forbidden
from models.groups import create_group, join_group
from models.innovations import StageChange
from models.people import ensure_member
from models.standups import StandupPrompt
from services import innovations, standups
from services.actor import Actor
from services.ports import MessengerError
from services.standups.messages import AnsweredPrompt, AnswerReply, ScheduleForm
from services.uow import UnitOfWork
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger

AMS = "Europe/Amsterdam"
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture
def uow(db, clock) -> UnitOfWork:
    return UnitOfWork(db, clock, AMS)


@pytest.fixture
def group(uow) -> str:
    now = uow.now()
    with uow.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        group = create_group(s, coord, "data-ethics", "", now)
        for i, uid in enumerate(("U1", "U2")):
            member, _ = ensure_member(s, uid, now, name=uid.lower())
            join_group(s, member, "data-ethics", now + timedelta(seconds=i))
        ensure_member(s, "U9", now)
        group.lead_id = "U1"
        group.channel_id = "C100"
    return "data-ethics"


def moves(uow) -> int:
    with uow.transaction() as s:
        return len(s.scalars(select(StageChange)).all())


def test_a_claimed_move_happens_once_and_a_refused_one_leaves_its_claim_free(uow, group):
    number = innovations.quick_log(uow, Actor("U2"), group, "Consent receipts").innovation.id
    with pytest.raises(Forbidden):
        innovations.move_stage(uow, Actor("U9"), number, "piloting", "", claim="click:k1")
    innovations.move_stage(uow, Actor("U2"), number, "piloting", "", claim="click:k1")  # the key was rolled back
    with pytest.raises(AlreadyDone):  # the same delivery again, even asking for another stage
        innovations.move_stage(uow, Actor("U2"), number, "scaling", "", claim="click:k1")
    with pytest.raises(AlreadyDone):
        innovations.add_note(uow, Actor("U2"), number, "hello", claim="click:k1")
    assert moves(uow) == 2  # logged, then piloting
    innovations.move_stage(uow, Actor("U2"), number, "scaling", "")  # a typed command claims nothing
    assert moves(uow) == 3


def test_the_set_stand_up_form_has_the_group_s_zone_or_the_workspace_s(uow, group):
    with pytest.raises(Forbidden) as refused:
        standups.schedule_form(uow, Actor("U2"), group)
    assert refused.value.code == "standup.lead_only.set"
    assert standups.schedule_form(uow, Actor("U1"), group) == ScheduleForm(group, (), "09:30", AMS, needs_profile=True)
    standups.set_schedule(uow, Actor("U1"), group, ("fri", "mon"), "14:00", "Africa/Nairobi")
    form = standups.schedule_form(uow, Actor(COORDINATOR), group)
    assert (form.days, form.local_time, form.tz) == (("mon", "fri"), "14:00", "Africa/Nairobi")
    standups.schedule_off(uow, Actor("U1"), group)
    form = standups.schedule_form(uow, Actor("U1"), group)
    assert (form.days, form.tz) == ((), "Africa/Nairobi")  # off: no days, the zone kept


def test_an_answer_updates_the_prompt_then_posts_the_reply(uow, group, clock):
    standups.set_schedule(uow, Actor("U1"), group, ("mon",), "09:30", AMS)
    messenger = RecordingMessenger()
    clock.set(DUE)
    standups.tick(uow, messenger, clock.now())
    with uow.transaction() as s:
        prompt = s.scalar(select(StandupPrompt).where(StandupPrompt.member_id == "U2"))
        pid, dm = prompt.id, (prompt.dm_channel, prompt.dm_ts)
    standups.answered(uow, messenger, pid)  # not answered yet: nothing to show
    assert messenger.of("update") == []
    standups.answer(uow, Actor("U2"), pid, ["flows", "a pilot", "none"])
    messenger.failures[("update", dm[0])] = MessengerError("message_not_found", transient=False)
    standups.answered(uow, messenger, pid)  # the prompt could not be updated: the reply still goes
    assert [type(s.message) for s in messenger.sent[-1:]] == [AnswerReply]
    standups.answered(uow, messenger, pid)
    (shown,) = [s for s in messenger.of("update") if isinstance(s.message, AnsweredPrompt)]
    assert (shown.channel, shown.ts, shown.message.prompt_id, shown.message.handle) == (*dm, pid, group)
    text, blocks = render(shown.message)
    assert "You answered the data-ethics stand-up (Mon 30 Nov)" in text
    assert blocks[-1]["elements"][0] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Edit answers"},
        "action_id": "standup_edit_answers",
        "value": str(pid),
    }
    with i18n.speaking("nl"):
        assert render(shown.message)[1][-1]["elements"][0]["text"]["text"] == "Antwoorden bewerken"


# --- shapes and Slack's limits --------------------------------------------------------------------


def test_the_controls_are_valid_block_kit_in_both_languages():
    for language in ("en", "nl"):
        with i18n.speaking(language):
            block = controls.innovation_controls(12, "parked")
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.validate_json()
            words = [e.get("text", e.get("placeholder"))["text"] for e in block["elements"]]
            buttons = [b["text"]["text"] for b in controls.lead_controls("data-ethics")]
            assert block["elements"][0]["initial_option"]["value"] == "parked"
            if language == "nl":
                assert words == ["Stadium", "Notitie toevoegen", "Bewerken"]
                assert buttons == ["Stand-up instellen", "Vragen"]
            else:
                assert words == ["Stage", "Add note", "Edit"] and buttons == ["Set stand-up", "Questions"]
            form = ScheduleForm("data-ethics", ("mon",), "09:30", AMS)
            views = [
                controls.schedule_modal(form, home=True),
                controls.note_modal(controls.NoteTarget(12, "dropped", False), "INN-12", "x" * 150),
                controls.note_modal(controls.NoteTarget(12, None, True), "INN-12", "A title"),
                controls.refusal_view("x" * 4000),
            ]
            for view in views:
                View(**view).validate_json()  # titles ≤ 24 characters, block counts, text lengths
                assert len(view["title"]["text"]) <= 24
    assert controls.innovation_number("innovation:12") == 12
    assert [controls.innovation_number(b) for b in ("innovation:", "lead:x", None, "innovation:1e3")] == [None] * 4


def test_every_zone_fits_an_option_and_a_search_never_answers_more_than_100():
    zones = controls.zones()
    assert "Europe/Amsterdam" in zones and "Africa/Nairobi" in zones and "America/Argentina/Buenos_Aires" in zones
    assert not any(z.startswith(("Etc/", "US/")) for z in zones)
    assert len(zones) > 100  # why the menu is an external select: a static one holds 100
    assert max(len(z) for z in zones) <= 75  # an option's text and value limits (75 / 150)
    assert len(controls.zone_options("")) == 100
    assert controls.zone_options("buenos")[0]["value"] == "America/Argentina/Buenos_Aires"  # then its old alias
    assert controls.zone_options("ams")[0]["value"] == "Europe/Amsterdam"  # a city match comes first
    assert controls.zone_options("america new")[0]["value"] == "America/New_York"
