"""Stand-ups: `/spindle standup …`, the DM button, the answer modal and the questions modal.

Each listener parses the payload, calls one service (services/standups) and renders its result.
Work that follows Slack's answer (the fan-out of `standup now`, the thread reply of an answer,
opening a modal) runs after the ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import grammar as g
from handlers.deps import CommandContext, Deps, Reply
from handlers.grammar import UsageError
from handlers.home import publish_after
from handlers.modals import Failed, open_modal
from handlers.people import refresh_profile
from handlers.registry import HANDLE, Family, Subcommand
from handlers.ui import standups as ui
from handlers.ui.common import busy_again, too_late_again
from handlers.ui.errors import describe
from handlers.ui.home_forms import refusal_modal
from i18n import N_, _
from models.errors import DomainError
from models.standups import MAX_QUESTIONS
from services import standups
from services.actor import Actor

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.action(ui.ANSWER_ACTION)
    def answer_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        try:
            prompt_id = int(body["actions"][0].get("value") or 0)
            form = standups.answer_form(deps.uow, Actor(body["user"]["id"]), prompt_id)
        except ValueError:
            return
        except DomainError as exc:
            if (body.get("container") or {}).get("type") == "view":  # the Home tab: no response_url there
                client.views_open(trigger_id=body["trigger_id"], view=refusal_modal(describe(exc)))
            else:
                respond(response_type="ephemeral", replace_original=False, text=describe(exc))
            return
        opened = open_modal(client, body.get("trigger_id", ""), ui.answer_modal(form), body["user"]["id"])
        if isinstance(opened, Failed):
            text = _(ui.ANSWER_BUSY if opened is Failed.BUSY else ui.ANSWER_TOO_LATE)
            respond(response_type="ephemeral", replace_original=False, text=text)

    @app.view(ui.ANSWER_VIEW)
    def answer_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        raw = [_value(values, f"q{i}", "answer") for i in range(len(values) + 1)]
        while raw and raw[-1] is None:
            raw.pop()
        try:
            prompt_id = int(view.get("private_metadata") or 0)
            standups.answer(deps.uow, Actor(body["user"]["id"]), prompt_id, raw)
        except (ValueError, DomainError) as exc:
            message = describe(exc) if isinstance(exc, DomainError) else _(ui.ANSWER_GONE)
            ack(response_action="errors", errors={_first_block(values): message})
            return
        ack()
        publish_after(deps, body["user"]["id"])  # its Answer button leaves the Home

        def in_the_thread() -> None:  # the DM prompt now offers Edit answers; the answers go to the thread
            try:
                standups.answered(deps.uow, deps.paced_messenger, prompt_id)
            except Exception:
                log.exception("stand-up answer not posted in the thread", extra={"prompt_id": prompt_id})

        deps.defer_paced(in_the_thread)

    @app.view(ui.QUESTIONS_VIEW)
    def questions_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        raw = [_value(values, f"q{i}", "question") for i in range(MAX_QUESTIONS)]
        try:
            group_id = int(view.get("private_metadata") or 0)
            saved = standups.save_questions(deps.uow, Actor(body["user"]["id"]), group_id, raw)
        except standups.QuestionErrors as exc:
            ack(response_action="errors", errors={f"q{i}": describe(e) for i, e in exc.fields.items()})
            return
        except (ValueError, DomainError) as exc:
            message = describe(exc) if isinstance(exc, DomainError) else _(ui.QUESTIONS_GROUP_GONE)
            ack(response_action="errors", errors={"q0": message})
            return
        ack(response_action="update", view=ui.questions_saved_modal(saved))


def _value(values: dict[str, Any], block_id: str, action_id: str) -> str | None:
    block = values.get(block_id)
    if block is None:
        return None
    return (block.get(action_id) or {}).get("value") or ""


def _first_block(values: dict[str, Any]) -> str:
    return "q0" if "q0" in values or not values else sorted(values)[0]


def _actor(ctx: CommandContext) -> Actor:
    return Actor(ctx.user_id, ctx.user_name)


def _after(ctx: CommandContext, needs_profile: bool, then: Callable[[], object] | None = None) -> Callable[[], None]:
    """After the ack: (on first contact) the member's Slack profile, then the follow-up."""

    def run() -> None:
        if needs_profile:
            refresh_profile(ctx)
        if then is not None:
            then()

    return run


def standup_set(ctx: CommandContext, cmd: StandupSet) -> Reply:
    result = standups.set_schedule(ctx.deps.uow, _actor(ctx), cmd.handle, cmd.days, cmd.time, cmd.zone)
    return Reply(ui.schedule_set(result, ctx.now), after=_after(ctx, result.needs_profile))


def standup_off(ctx: CommandContext, cmd: StandupOff) -> Reply:
    result = standups.schedule_off(ctx.deps.uow, _actor(ctx), cmd.handle)
    return Reply(ui.schedule_stopped(result.handle), after=_after(ctx, result.needs_profile))


def standup_now(ctx: CommandContext, cmd: StandupNow) -> Reply:
    result = standups.start_now(ctx.deps.uow, _actor(ctx), cmd.handle)
    deps = ctx.deps

    def fan_out() -> None:
        standups.fan_out(deps.uow, deps.paced_messenger, result.run_id)

    return Reply(ui.started(result), after=_after(ctx, result.needs_profile, lambda: deps.defer_paced(fan_out)))


def standup_questions(ctx: CommandContext, cmd: StandupQuestions) -> Reply:
    form = standups.questions_form(ctx.deps.uow, _actor(ctx), cmd.handle)
    again = f"/spindle standup {form.handle} questions"

    def show_form() -> None:
        opened = open_modal(ctx.client, ctx.trigger_id, ui.questions_modal(form), ctx.user_id)
        if isinstance(opened, Failed):
            text = busy_again(again) if opened is Failed.BUSY else too_late_again(again)
            ctx.respond(response_type="ephemeral", replace_original=False, text=text)

    return Reply(ui.opening_questions(form.handle), after=_after(ctx, form.needs_profile, show_form))


def standup_away(ctx: CommandContext, cmd: StandupAway) -> Reply:
    result = standups.set_away(ctx.deps.uow, _actor(ctx), cmd.until)
    return Reply(ui.away(result.until), after=_after(ctx, result.needs_profile))


# --- the subcommands (declared once: routing and help come from here) ---------------------------


@dataclass(frozen=True)
class StandupSet:
    handle: str
    days: tuple[str, ...]  # a subset of WEEKDAYS, in week order
    time: str  # "HH:MM", 24-hour
    zone: str | None = None  # IANA key; None: SPINDLE_TIMEZONE


@dataclass(frozen=True)
class StandupOff:
    handle: str


@dataclass(frozen=True)
class StandupNow:
    handle: str


@dataclass(frozen=True)
class StandupQuestions:
    handle: str


@dataclass(frozen=True)
class StandupAway:
    until: date


def _parse_set(handle: str, tail: str) -> StandupSet:
    checked = g.handle(handle)
    args = tail.split()
    if len(args) < 2:
        raise UsageError(_("Give the DAYS and the time HH:MM."))
    if len(args) > 3:
        raise UsageError(_("Too many words: DAYS, HH:MM and optionally a ZONE."))
    zone = g.zone(args[2]) if len(args) == 3 else None
    return StandupSet(checked, g.days(args[0]), g.time_of_day(args[1]), zone)


def _by_handle(command: type, usage: str) -> Callable[[str, str], Any]:
    def parse(handle: str, tail: str) -> Any:
        checked = g.handle(handle)
        g.nothing(tail.split(), usage)
        return command(checked)

    return parse


def _parse_away(tail: str) -> StandupAway:
    return StandupAway(g.iso_date(g.one(tail.split(), _("date"))))


STANDUPS = N_("Stand-ups")
FAMILY = Family(
    "standup",
    missing=N_("Give the group's HANDLE and what to do: {subs}."),
    short=N_("Say what to do after the handle: {subs}."),
    unknown=N_("`standup … {word}` is not a stand-up command."),
    usage_of="standup set",
)
COMMANDS = (
    Subcommand(
        ("standup", HANDLE, "set"),
        N_(
            "/spindle standup HANDLE set DAYS HH:MM [ZONE]   e.g. /spindle standup data-ethics set mon,wed,fri 09:30 Europe/Amsterdam"
        ),
        N_("lead: DAYS is daily, weekdays or mon,wed,fri"),
        _parse_set,
        standup_set,
        STANDUPS,
    ),
    Subcommand(
        ("standup", HANDLE, "off"),
        N_("/spindle standup HANDLE off"),
        N_("stop the schedule"),
        _by_handle(StandupOff, "standup HANDLE off"),
        standup_off,
        STANDUPS,
    ),
    Subcommand(
        ("standup", HANDLE, "now"),
        N_("/spindle standup HANDLE now"),
        N_("run one stand-up now"),
        _by_handle(StandupNow, "standup HANDLE now"),
        standup_now,
        STANDUPS,
    ),
    Subcommand(
        ("standup", HANDLE, "questions"),
        N_("/spindle standup HANDLE questions"),
        N_("edit the group's questions"),
        _by_handle(StandupQuestions, "standup HANDLE questions"),
        standup_questions,
        STANDUPS,
    ),
    Subcommand(
        ("standup", "away"),
        N_("/spindle standup away YYYY-MM-DD"),
        N_("no prompts for me until then"),
        _parse_away,
        standup_away,
        STANDUPS,
    ),
)
