"""Stand-up delivery: the scheduler tick, the paced fan-out, reminders, answers in the thread, summary.

Every message is guarded by a compare-and-set claim in the database (see models/standups.py), taken
just before the Slack call and recorded just after: two schedulers, a restart or a retried tick
never send the same message twice. A transient Slack failure releases the claim and stops this
run's fan-out; the next tick carries on from the first member without a recorded DM.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.ui import standups as ui
from models import standups as domain
from models.groups import Group
from models.people import Member

log = logging.getLogger(__name__)

PACER_KEY = "standup_pacer"
# Slack errors worth retrying on the next tick; anything else about one member is permanent.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"}
)


class Pacer:
    """Spaces out chat.postMessage calls: ~1 a second per channel, and a workspace-wide budget.

    Slots are reserved under a lock and slept for outside it, so concurrent fan-outs in one
    process share the budget fairly. The clock and sleep are injectable (tests, the benchmark).
    """

    def __init__(
        self,
        per_channel_seconds: float = 1.0,
        per_minute: int = 300,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.per_channel = per_channel_seconds
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_any = 0.0
        self._next_channel: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Block until a message to `channel` fits both limits; returns the seconds waited."""
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_any, self._next_channel.get(channel, 0.0))
            self._next_any = slot + self.interval
            self._next_channel[channel] = slot + self.per_channel
            if len(self._next_channel) > 5000:  # forget channels whose pause is long over
                self._next_channel = {c: t for c, t in self._next_channel.items() if t > now}
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)


def pacer_of(deps: Deps) -> Pacer:
    return deps.pacer


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return status == 429 or status >= 500 or exc.response.get("error") in TRANSIENT_ERRORS
    return True  # connection errors and timeouts: try again later


def _error_name(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "slack_error")
    return type(exc).__name__


def _post(deps: Deps, channel: str, text: str, blocks: list[dict], thread_ts: str | None = None) -> dict:
    pacer_of(deps).wait(channel)
    resp = deps.client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
    return {"channel": resp.get("channel") or channel, "ts": resp.get("ts")}


# --- the tick ------------------------------------------------------------------------------------


def standup_tick(deps: Deps, now: datetime) -> None:
    """Claim what is due, then carry every unfinished run forward: fan-out, reminders, close."""
    with deps.db.transaction() as session:
        pairs = domain.due_pairs(session, now)
    for group_id, due_at in pairs:
        with deps.db.transaction() as session:
            run = domain.claim_run(session, group_id, due_at, now, deps.timezone)
            if run is not None:
                log.info(
                    "stand-up claimed" if run.status == "running" else "stand-up missed (too late to run)",
                    extra={"group_id": group_id, "due_at": due_at.isoformat(), "run_id": run.id},
                )
    with deps.db.transaction() as session:
        running = domain.runs_with_status(session, ("running",))
    for run_id in running:
        _guarded("fan-out", run_id, lambda rid=run_id: fan_out(deps, rid))
    with deps.db.transaction() as session:
        to_remind = domain.runs_to_remind(session, now)
    for run_id in to_remind:
        _guarded("reminders", run_id, lambda rid=run_id: send_reminders(deps, rid))
    with deps.db.transaction() as session:
        to_close = domain.runs_to_close(session, now)
    for run_id in to_close:
        _guarded("close", run_id, lambda rid=run_id: close_run(deps, rid))


def _guarded(what: str, run_id: int, fn: Callable[[], object]) -> None:
    """One group's trouble never stops the others; the next tick retries."""
    try:
        fn()
    except Exception:
        log.exception("stand-up step failed; the next tick retries", extra={"step": what, "run_id": run_id})


# --- the fan-out ---------------------------------------------------------------------------------


def fan_out(deps: Deps, run_id: int) -> bool:
    """Post the channel message and DM every prompt not yet sent. True when the run is fully out."""
    now = deps.clock.now()
    with deps.db.transaction() as session:
        run = session.get(domain.StandupRun, run_id)
        if run is None or run.status != "running":
            return run is not None
        group: Group = run.group
        schedule = domain.get_schedule(session, group.id)
        tz = schedule.tz if schedule else deps.timezone
        handle, lead_id, channel = group.handle, group.lead_id, run.channel_id
        day = ui.run_day(run.due_at, tz)
        questions = domain.questions_of(run.questions)
        prompted = domain.prompt_count(session, run_id)
        post_channel = domain.claim_channel_post(session, run_id, now)
        warn = channel is None and domain.warn_lead_once(session, group.id)
    reason = ""
    if post_channel and channel:
        text, blocks = ui.channel_message(handle, day, prompted)
        try:
            resp = _post(deps, channel, text, blocks)
        except Exception as exc:
            if is_transient(exc):
                with deps.db.transaction() as session:
                    domain.release_channel_post(session, run_id)
                log.warning("stand-up channel post failed; retrying next tick", extra={"run_id": run_id})
                return False
            # Not in the channel, channel gone…: the run goes on as DMs only and the lead hears why.
            reason = _error_name(exc)
            resp = {"ts": None}
            with deps.db.transaction() as session:
                warn = domain.warn_lead_once(session, group.id)
        with deps.db.transaction() as session:
            domain.record_channel_post(session, run_id, resp["ts"])
    if warn and lead_id:
        try:
            _post(deps, lead_id, ui.no_channel_message(handle, reason), [])
        except Exception as exc:  # a courtesy note; the stand-up itself goes on
            log.warning("could not tell the lead about the missing channel", extra={"error": _error_name(exc)})
    with deps.db.transaction() as session:
        pending = domain.unsent_prompts(session, run_id, now)
    for prompt_id, member_id in pending:
        with deps.db.transaction() as session:
            if not domain.claim_prompt(session, prompt_id, deps.clock.now()):
                continue
        text, blocks = ui.prompt_message(handle, day, questions, prompt_id)
        try:
            resp = _post(deps, member_id, text, blocks)
        except Exception as exc:
            transient = is_transient(exc)
            with deps.db.transaction() as session:
                domain.release_prompt(session, prompt_id, None if transient else _error_name(exc))
            log.warning(
                "stand-up DM failed",
                extra={"run_id": run_id, "member": member_id, "error": _error_name(exc), "retry": transient},
            )
            if transient:
                return False  # Slack is struggling: stop here, the next tick resumes with what is missing
            continue
        with deps.db.transaction() as session:
            domain.record_prompt_sent(session, prompt_id, resp["channel"], resp["ts"], deps.clock.now())
    with deps.db.transaction() as session:
        done = domain.finish_fanout(session, run_id, deps.clock.now())
    if done:
        log.info("stand-up fan-out done", extra={"run_id": run_id, "group": handle, "prompts": prompted})
    return done


# --- reminders -----------------------------------------------------------------------------------


def send_reminders(deps: Deps, run_id: int) -> None:
    now = deps.clock.now()
    with deps.db.transaction() as session:
        run = session.get(domain.StandupRun, run_id)
        schedule = domain.get_schedule(session, run.group_id)
        handle = run.group.handle
        day = ui.run_day(run.due_at, schedule.tz if schedule else deps.timezone)
        prompt_ids = domain.prompts_to_remind(session, run_id, now)
    for prompt_id in prompt_ids:
        with deps.db.transaction() as session:
            if not domain.claim_reminder(session, prompt_id, deps.clock.now()):
                continue
            prompt = session.get(domain.StandupPrompt, prompt_id)
            channel = prompt.dm_channel or prompt.member_id
        text, blocks = ui.reminder_message(handle, day, prompt_id)
        try:
            _post(deps, channel, text, blocks)
        except Exception as exc:
            if is_transient(exc):
                with deps.db.transaction() as session:
                    domain.release_reminder(session, prompt_id)
                return
            log.warning("stand-up reminder failed", extra={"run_id": run_id, "error": _error_name(exc)})
    with deps.db.transaction() as session:
        if not domain.prompts_to_remind(session, run_id, now):
            domain.finish_reminders(session, run_id, deps.clock.now())


# --- the close -----------------------------------------------------------------------------------


def close_run(deps: Deps, run_id: int) -> None:
    """Close once (claimed) and post the summary in the thread (or to the lead without a channel)."""
    with deps.db.transaction() as session:
        if not domain.claim_close(session, run_id, deps.clock.now()):
            return
        summary = domain.summary_of(session, run_id)
        text, blocks = ui.summary_message(summary)
        channel, thread_ts = summary.run.channel_id, summary.run.message_ts
        lead_id = summary.group.lead_id
    target = channel if channel and thread_ts else lead_id
    ts = None
    if target:
        try:
            ts = _post(deps, target, text, blocks, thread_ts=thread_ts if target == channel else None)["ts"]
        except Exception as exc:
            if is_transient(exc):
                with deps.db.transaction() as session:
                    domain.release_close(session, run_id)
                return
            log.warning("stand-up summary not posted", extra={"run_id": run_id, "error": _error_name(exc)})
    with deps.db.transaction() as session:
        domain.finish_close(session, run_id, ts)


# --- answers in the thread -----------------------------------------------------------------------


def post_answer(deps: Deps, prompt_id: int) -> None:
    """Post the member's answers as a reply in the run's thread, or update the reply already there.

    Only the holder of the reply claim posts; it then re-reads the answers and updates the
    reply if they changed meanwhile, so a double submission never posts twice and the thread
    always ends with the latest answers.
    """
    for _ in range(3):
        with deps.db.transaction() as session:
            prompt = session.get(domain.StandupPrompt, prompt_id)
            run = prompt.run if prompt else None
            if run is None or not run.channel_id or not run.message_ts or prompt.answers is None:
                return  # no thread to post in; the answer is kept for the summary
            reply_ts = prompt.reply_ts
            if reply_ts is None and not domain.claim_reply(session, prompt_id, deps.clock.now()):
                return  # someone else is posting it and will pick up these answers
            member = session.get(Member, prompt.member_id)
            snapshot = prompt.answers
            text, blocks = ui.answer_reply(
                member.display_name if member else prompt.member_id,
                domain.questions_of(run.questions),
                domain.answers_of(snapshot),
                edited=reply_ts is not None,
            )
            channel, thread_ts = run.channel_id, run.message_ts
        posting_new = reply_ts is None
        try:
            if posting_new:
                reply_ts = _post(deps, channel, text, blocks, thread_ts=thread_ts)["ts"]
            else:
                pacer_of(deps).wait(channel)
                deps.client.chat_update(channel=channel, ts=reply_ts, text=text, blocks=blocks)
        except Exception:
            if posting_new:  # let the next submission (or a retry) post it
                with deps.db.transaction() as session:
                    domain.record_reply(session, prompt_id, None)
            raise
        with deps.db.transaction() as session:
            domain.record_reply(session, prompt_id, reply_ts)
            current = session.get(domain.StandupPrompt, prompt_id).answers
        if current == snapshot:
            return


def today_for(member: Member, deps: Deps, now: datetime):
    try:
        return now.astimezone(ZoneInfo(member.tz or deps.timezone)).date()
    except (KeyError, ValueError):
        return now.astimezone(ZoneInfo(deps.timezone)).date()
