"""The controls people click instead of typing, and the modals they open.

An innovation's stage menu with `Add note` and `Edit` (on its card, and on the Home tab), a
lead's `Set stand-up` and `Questions`, and `Edit answers` on an answered stand-up prompt. The
action ids and block ids here are a contract with the Home tab (handlers/ui/home.py builds the
same shapes) and with the listeners (handlers/clicks.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    TimePickerElement,
)
from slack_sdk.models.views import View

import i18n
from handlers.ui import home_forms, words
from handlers.ui.common import escape, shorten
from i18n import N_, _
from models.innovations import MAX_NOTE
from models.vocab import STAGES, WEEKDAYS
from services.standups.messages import AnsweredPrompt, ScheduleForm

INNOVATION_STAGE = "innovation_stage"
INNOVATION_NOTE = "innovation_note"
INNOVATION_EDIT = "innovation_edit"
STANDUP_SET = "standup_set"
STANDUP_QUESTIONS_OPEN = "standup_questions_open"
STANDUP_EDIT_ANSWERS = "standup_edit_answers"
NOTE_VIEW = "innovation_note_modal"  # Add note, and the note a park or drop asks for
SCHEDULE_VIEW = "standup_set_modal"
ZONE_ACTION = "standup_zone"  # the zone's external select, answered by a block_suggestion listener
MAX_OPTIONS = 100  # Slack's limit for the options of a select (and of an options response)

CLICK_BUSY = N_("Slack is busy right now — click again in a moment.")
CLICK_TOO_LATE = N_("Slack did not let me open the form in time. Please click again.")


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}


def stage_label(stage: str) -> str:
    """`Exploring` / `Verkennen`: the word shown for a stage value (handlers/ui/words.py)."""
    return words.capitalised(words.stage(stage))


def _stage_option(stage: str) -> dict[str, Any]:
    return {"text": _plain(stage_label(stage)), "value": stage}


def innovation_controls(number: int, stage: str) -> dict[str, Any]:
    """One actions block: the stage menu (the current stage chosen), `Add note` and `Edit`."""
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": INNOVATION_STAGE,
        "placeholder": _plain(_("Stage")),
        "options": [_stage_option(s) for s in STAGES],
    }
    if stage in STAGES:
        select["initial_option"] = _stage_option(stage)
    return {
        "type": "actions",
        "block_id": f"innovation:{number}",
        "elements": [
            select,
            _button(_("Add note"), INNOVATION_NOTE, str(number)),
            _button(_("Edit"), INNOVATION_EDIT, str(number)),
        ],
    }


def innovation_number(block_id: object) -> int | None:
    """The innovation a control belongs to, from its block id `innovation:<number>`."""
    match = re.fullmatch(r"innovation:(\d{1,9})", block_id) if isinstance(block_id, str) else None
    return int(match.group(1)) if match else None


def lead_controls(handle: str) -> list[dict[str, Any]]:
    """A lead's two buttons for one group (the Home tab puts them in an actions block)."""
    return [_button(_("Set stand-up"), STANDUP_SET, handle), _button(_("Questions"), STANDUP_QUESTIONS_OPEN, handle)]


# --- small modals ---------------------------------------------------------------------------------


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal with one sentence: what a submission did (the Home tab's small modal)."""
    return home_forms.note_modal(text, title=title)


def refusal_view(text: str) -> dict[str, Any]:
    return home_forms.refusal_modal(text)


# --- the note modal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteTarget:
    """What the note modal is for (its private_metadata): a note, or a move that needs one."""

    number: int
    stage: str | None  # parked or dropped: the note goes with this move
    home: bool  # opened from the Home tab, which is published again afterwards


def note_modal(target: NoteTarget, ref: str, title: str) -> dict[str, Any]:
    if target.stage:
        heading = _("Why this stage?")
        intro = _("{ref} · {title} moves to *{stage}*. Say why; the note is kept in its stage history.").format(
            ref=ref, title=escape(shorten(title, 150)), stage=stage_label(target.stage)
        )
        submit = _("Move")
    else:
        heading, submit = _("Add a note"), _("Save")
        intro = _("A dated note on {ref} · {title}.").format(ref=ref, title=escape(shorten(title, 150)))
    meta = {"ref": target.number, "stage": target.stage, "home": target.home}
    return View(
        type="modal",
        callback_id=NOTE_VIEW,
        title=PlainTextObject(text=heading),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text=_("Cancel")),
        private_metadata=json.dumps(meta),
        blocks=[
            SectionBlock(text=intro),
            InputBlock(
                block_id="note",
                label=_("Note"),
                element=PlainTextInputElement(action_id="note", multiline=True, max_length=MAX_NOTE),
            ),
        ],
    ).to_dict()


def note_target(private_metadata: str | None) -> NoteTarget | None:
    """The metadata back; never trusted for permission (the service checks the person again)."""
    try:
        meta = json.loads(private_metadata or "{}")
    except ValueError:
        return None
    number = meta.get("ref") if isinstance(meta, dict) else None
    if not isinstance(number, int) or number <= 0:
        return None
    stage = meta.get("stage")
    return NoteTarget(number, stage if stage in STAGES else None, meta.get("home") is True)


def submitted_text(values: dict[str, Any], block_id: str) -> str:
    value = ((values.get(block_id) or {}).get(block_id) or {}).get("value")
    return value if isinstance(value, str) else ""


NOTE_NEEDED = N_("Write the note: a move to parked or dropped needs one.")
NOTE_EMPTY = N_("Write the note.")


# --- the Set stand-up modal -----------------------------------------------------------------------


def schedule_modal(form: ScheduleForm, home: bool) -> dict[str, Any]:
    day_options = [Option(value=d, label=i18n.weekday(i, short=False)) for i, d in enumerate(WEEKDAYS)]
    chosen = [o for o in day_options if o.value in form.days] or None
    zone = _zone_option(form.tz)
    return View(
        type="modal",
        callback_id=SCHEDULE_VIEW,
        title=PlainTextObject(text=_("Set stand-up")),
        submit=PlainTextObject(text=_("Save")),
        close=PlainTextObject(text=_("Cancel")),
        private_metadata=json.dumps({"handle": form.handle, "home": home}),
        blocks=[
            SectionBlock(
                text=_("When the *{handle}* stand-up is held, in its own time zone.").format(handle=form.handle)
            ),
            InputBlock(
                block_id="days",
                label=_("Days"),
                element=CheckboxesElement(action_id="days", options=day_options, initial_options=chosen),
            ),
            InputBlock(
                block_id="time",
                label=_("Time"),
                element=TimePickerElement(action_id="time", initial_time=form.local_time),
            ),
            InputBlock(
                block_id="zone",
                label=_("Time zone"),
                hint=_("Type part of a place, for example Amsterdam or Nairobi."),
                element=ExternalDataSelectElement(
                    action_id=ZONE_ACTION,
                    placeholder=_("Choose a time zone"),
                    initial_option=Option(value=zone["value"], label=zone["text"]["text"]),
                    min_query_length=0,
                ),
            ),
        ],
    ).to_dict()


@dataclass(frozen=True)
class ScheduleInput:
    handle: str
    home: bool
    days: tuple[str, ...]
    time: str | None  # "HH:MM", None: not given
    zone: str | None  # an IANA key from the list, None: not given or not one


def schedule_input(private_metadata: str | None, values: dict[str, Any]) -> ScheduleInput | None:
    try:
        meta = json.loads(private_metadata or "{}")
    except ValueError:
        return None
    handle = meta.get("handle") if isinstance(meta, dict) else None
    if not isinstance(handle, str) or not handle:
        return None
    days_state = (values.get("days") or {}).get("days") or {}
    picked = {o.get("value") for o in days_state.get("selected_options") or [] if isinstance(o, dict)}
    time = ((values.get("time") or {}).get("time") or {}).get("selected_time")
    zone = (((values.get("zone") or {}).get(ZONE_ACTION) or {}).get("selected_option") or {}).get("value")
    valid_time = isinstance(time, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time) is not None
    return ScheduleInput(
        handle,
        meta.get("home") is True,
        tuple(d for d in WEEKDAYS if d in picked),
        time if valid_time else None,
        zone if isinstance(zone, str) and zone in zones() else None,
    )


NO_DAYS = N_("Choose at least one day.")
NO_TIME = N_("Choose a time, for example 09:30.")
NO_ZONE = N_("Choose a time zone from the list.")


@cache
def zones() -> tuple[str, ...]:
    """The IANA zones offered: every region/city key (not Etc/ offsets or old country aliases)."""
    legacy = ("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/")
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(legacy)))


def _zone_option(zone: str) -> dict[str, Any]:
    return {"text": _plain(zone.replace("_", " ")), "value": zone}


def zone_options(query: str, limit: int = MAX_OPTIONS) -> list[dict[str, Any]]:
    """The zones matching what the person typed (every word, in any part), city matches first.

    Slack sends the typed text with each keystroke; an options response holds at most 100."""
    words = [w for w in re.split(r"[\s/_]+", query.casefold()) if w]

    def city_first(zone: str) -> tuple[bool, str]:
        city = zone.rsplit("/", 1)[-1].casefold()
        return (not (words and city.startswith(words[0])), zone)

    found = [z for z in zones() if all(w in z.casefold().replace("_", " ") for w in words)]
    return [_zone_option(z) for z in sorted(found, key=city_first)[:limit]]


# --- an answered stand-up prompt ------------------------------------------------------------------


def answered_prompt(m: AnsweredPrompt) -> tuple[str, list[dict[str, Any]]]:
    """The DM prompt after the answer: it says so, and `Edit answers` opens the answers again."""
    day = i18n.day(m.due_at.astimezone(_zoneinfo(m.tz)))
    text = _("You answered the {handle} stand-up ({day}). Thank you!").format(handle=m.handle, day=day)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": "standup_prompt",
            "elements": [_button(_("Edit answers"), STANDUP_EDIT_ANSWERS, str(m.prompt_id))],
        },
    ]
    return text, blocks


def _zoneinfo(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
