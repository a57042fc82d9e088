"""Stand-ups: `/spindle standup …`, the DM button, the answer modal and the questions modal."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.deps import CommandContext, Deps, Reply
from handlers.parser import StandupAway, StandupNow, StandupOff, StandupQuestions, StandupSet
from handlers.router import executes
from handlers.standup_delivery import fan_out, post_answer, today_for
from handlers.ui import standups as ui
from handlers.ui.errors import describe
from models import standups as domain
from models.errors import DomainError
from models.groups import get_group
from models.people import ensure_member

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.action(ui.ANSWER_ACTION)
    def answer_button(ack: Ack, body: dict, client: WebClient, respond) -> None:
        ack()
        user_id = body["user"]["id"]
        try:
            prompt_id = int(body["actions"][0].get("value") or 0)
            with deps.db.transaction() as session:
                prompt = domain.prompt_for(session, prompt_id, user_id)
                domain.require_open(prompt)
                run = prompt.run
                schedule = domain.get_schedule(session, run.group_id)
                view = ui.answer_modal(
                    run.group.handle,
                    ui.run_day(run.due_at, schedule.tz if schedule else deps.timezone),
                    domain.questions_of(run.questions),
                    domain.answers_of(prompt.answers),  # filled in: answering again edits
                    prompt_id,
                )
        except ValueError:
            return
        except DomainError as exc:
            respond(response_type="ephemeral", replace_original=False, text=describe(exc))
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(ui.ANSWER_VIEW)
    def answer_submitted(ack: Ack, body: dict, view: dict) -> None:
        user_id = body["user"]["id"]
        values = view.get("state", {}).get("values", {})
        raw = [_value(values, f"q{i}", "answer") for i in range(len(values) + 1)]
        while raw and raw[-1] is None:
            raw.pop()
        try:
            prompt_id = int(view.get("private_metadata") or 0)
            with deps.db.transaction() as session:
                domain.record_answer(session, prompt_id, user_id, raw, deps.clock.now())
        except (ValueError, DomainError) as exc:
            message = describe(exc) if isinstance(exc, DomainError) else "This stand-up could not be found."
            ack(response_action="errors", errors={_first_block(values): message})
            return
        ack()
        try:
            post_answer(deps, prompt_id)
        except Exception:
            log.exception("stand-up answer not posted in the thread", extra={"prompt_id": prompt_id})

    @app.view(ui.QUESTIONS_VIEW)
    def questions_submitted(ack: Ack, body: dict, view: dict) -> None:
        user_id = body["user"]["id"]
        values = view.get("state", {}).get("values", {})
        raw = [_value(values, f"q{i}", "question") for i in range(domain.MAX_QUESTIONS)]
        _, errors = domain.validate_questions(raw)
        if errors:
            ack(response_action="errors", errors={f"q{i}": msg for i, msg in errors.items()})
            return
        now = deps.clock.now()
        try:
            with deps.db.transaction() as session:
                member, _ = ensure_member(session, user_id, now)
                group, questions = domain.set_questions(
                    session, member, int(view.get("private_metadata") or 0), raw, now, deps.timezone
                )
                handle = group.handle
        except (ValueError, DomainError) as exc:
            message = describe(exc) if isinstance(exc, DomainError) else "That action group could not be found."
            ack(response_action="errors", errors={"q0": message})
            return
        ack(response_action="update", view=ui.questions_saved_modal(handle, questions))


def _value(values: dict, block_id: str, action_id: str) -> str | None:
    block = values.get(block_id)
    if block is None:
        return None
    return (block.get(action_id) or {}).get("value") or ""


def _first_block(values: dict) -> str:
    return "q0" if "q0" in values or not values else sorted(values)[0]


@executes(StandupSet)
def standup_set(session, member, cmd: StandupSet, ctx: CommandContext) -> Reply:
    zone = cmd.zone or ctx.deps.timezone
    group, schedule = domain.set_schedule(session, member, cmd.handle, cmd.days, cmd.time, zone, ctx.now)
    lines = ui.schedule_lines(schedule, member.tz, ctx.now)
    channel = (
        "" if group.channel_id else f"\nIt has no channel yet: link one with `/spindle group channel {group.handle}`."
    )
    return Reply(f"Stand-up for `{group.handle}` set: " + "\n".join(lines) + channel)


@executes(StandupOff)
def standup_off(session, member, cmd: StandupOff, ctx: CommandContext) -> Reply:
    group = domain.schedule_off(session, member, cmd.handle, ctx.now)
    return Reply(
        f"The `{group.handle}` stand-up schedule is off. Set it again with `/spindle standup {group.handle} set …`."
    )


@executes(StandupNow)
def standup_now(session, member, cmd: StandupNow, ctx: CommandContext) -> Reply:
    run = domain.start_now(session, member, cmd.handle, ctx.now, ctx.deps.timezone)
    n = domain.prompt_count(session, run.id)
    run_id, deps = run.id, ctx.deps
    people = "member" if n == 1 else "members"
    return Reply(
        f"The `{run.group.handle}` stand-up has started: {n} {people} get a direct message.",
        after=lambda: fan_out(deps, run_id),
    )


@executes(StandupQuestions)
def standup_questions(session, member, cmd: StandupQuestions, ctx: CommandContext) -> Reply:
    group = get_group(session, cmd.handle)
    domain.require_lead(group, member, "change its stand-up questions")
    schedule = domain.get_schedule(session, group.id)
    view = ui.questions_modal(group.handle, group.id, domain.questions_of(schedule.questions if schedule else ""))
    client, trigger_id = ctx.client, ctx.trigger_id
    return Reply(
        f"Opening the questions of `{group.handle}`…", after=lambda: client.views_open(trigger_id=trigger_id, view=view)
    )


@executes(StandupAway)
def standup_away(session, member, cmd: StandupAway, ctx: CommandContext) -> Reply:
    today = today_for(member, ctx.deps, ctx.now)
    until = domain.set_away(member, cmd.until, today)
    if until is None:
        return Reply("You are not away: you get stand-up prompts again.")
    return Reply(
        f"You get no stand-up prompts before {until.strftime('%a %d %b %Y')}; they resume that day. "
        "Back earlier? `/spindle standup away` with today's date."
    )
