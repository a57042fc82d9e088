"""The stand-up run state machine: the scheduler tick, the fan-out, reminders, the close, thread replies.

Every message is guarded by a compare-and-set claim in the database (models/standups/claims.py),
taken just before the send and recorded just after: two schedulers, a restart or a retried tick
never send the same message twice. A transient failure (MessengerError.transient) releases the
claim and stops this run's fan-out; the next tick carries on from the first member without a
recorded DM. A permanent failure for one member is kept on their prompt and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from models import standups as domain
from models.people import Member, reader_language
from models.standups import RunStatus, StandupPrompt, StandupRun
from models.standups import runs as runs_domain
from services import people
from services.ports import Messenger, MessengerError
from services.standups.messages import (
    AnsweredPrompt,
    AnswerReply,
    ChannelMessage,
    NoChannelNote,
    Prompt,
    Reminder,
    Summary,
)
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


def tick(uow: UnitOfWork, messenger: Messenger, now: datetime) -> None:
    """Claim what is due, then carry every unfinished run forward: fan-out, reminders, close."""
    with uow.transaction() as session:
        pairs = domain.due_pairs(session, now)
    for group_id, due_at in pairs:
        with uow.transaction() as session:
            run = domain.claim_run(session, group_id, due_at, now, uow.timezone)
            if run is not None:
                log.info(
                    "stand-up claimed" if run.status == RunStatus.RUNNING else "stand-up missed (too late to run)",
                    extra={"group_id": group_id, "due_at": due_at.isoformat(), "run_id": run.id},
                )
    with uow.transaction() as session:
        running = runs_domain.runs_with_status(session, (RunStatus.RUNNING,))
    for run_id in running:
        _guarded("fan-out", run_id, partial(fan_out, uow, messenger, run_id))
    with uow.transaction() as session:
        to_remind = runs_domain.runs_to_remind(session, now)
    for run_id in to_remind:
        _guarded("reminders", run_id, partial(send_reminders, uow, messenger, run_id))
    with uow.transaction() as session:
        to_close = runs_domain.runs_to_close(session, now)
    for run_id in to_close:
        _guarded("close", run_id, partial(close_run, uow, messenger, run_id))


def _guarded(what: str, run_id: int, fn: Callable[[], object]) -> None:
    """One group's trouble never stops the others; the next tick retries."""
    try:
        fn()
    except Exception:
        log.exception("stand-up step failed; the next tick retries", extra={"step": what, "run_id": run_id})


def _zone(uow: UnitOfWork, schedule: domain.StandupSchedule | None) -> str:
    return schedule.tz if schedule else uow.timezone


def _reader(session: Session, uow: UnitOfWork, member_id: str) -> str:
    """A member's language, for a direct message."""
    member = session.get(Member, member_id)
    return reader_language(member.language, member.locale, uow.language) if member else uow.language


def _readers(session: Session, uow: UnitOfWork, run_id: int) -> dict[int, str]:
    """The language of each of the run's prompts (and their reminders), by prompt id, in one query."""
    found = runs_domain.prompt_readers(session, run_id)
    return {prompt_id: reader_language(*known, uow.language) for prompt_id, known in found.items()}


# --- the fan-out ---------------------------------------------------------------------------------


def fan_out(uow: UnitOfWork, messenger: Messenger, run_id: int) -> bool:
    """Post the channel message and DM every prompt not yet sent. True when the run is fully out."""
    now = uow.now()
    with uow.transaction() as session:
        run = session.get(StandupRun, run_id)
        if run is None or run.status != RunStatus.RUNNING:
            return run is not None
        group = run.group
        tz = _zone(uow, domain.get_schedule(session, group.id))
        handle, lead_id, channel, due_at = group.handle, group.lead_id, run.channel_id, run.due_at
        language = group.language or uow.language
        questions = tuple(domain.questions_of(run.questions))
        prompted = domain.prompt_count(session, run_id)
        post_channel = runs_domain.claim_channel_post(session, run_id, now)
        warn = channel is None and runs_domain.warn_lead_once(session, group.id)
    reason = ""
    if post_channel and channel:
        try:
            ts = messenger.post(channel, ChannelMessage(handle, due_at, tz, prompted, language)).ts
        except MessengerError as exc:
            if exc.transient:
                with uow.transaction() as session:
                    runs_domain.release_channel_post(session, run_id)
                log.warning("stand-up channel post failed; retrying next tick", extra={"run_id": run_id})
                return False
            # Not in the channel, channel gone…: the run goes on as DMs only and the lead hears why.
            reason, ts = exc.error, None
            with uow.transaction() as session:
                warn = runs_domain.warn_lead_once(session, group.id)
        with uow.transaction() as session:
            runs_domain.record_channel_post(session, run_id, ts)
    if warn and lead_id:
        try:
            messenger.post(lead_id, NoChannelNote(handle, reason, people.reader_language(uow, lead_id)))
        except MessengerError as exc:  # a courtesy note; the stand-up itself goes on
            log.warning("could not tell the lead about the missing channel", extra={"error": exc.error})
    with uow.transaction() as session:
        pending = runs_domain.unsent_prompts(session, run_id, now)
        readers = _readers(session, uow, run_id) if pending else {}
    for prompt_id, member_id in pending:
        with uow.transaction() as session:
            if not runs_domain.claim_prompt(session, prompt_id, uow.now()):
                continue
        reader = readers.get(prompt_id, uow.language)
        try:
            posted = messenger.post(member_id, Prompt(handle, due_at, tz, questions, prompt_id, reader))
        except MessengerError as exc:
            with uow.transaction() as session:
                runs_domain.release_prompt(session, prompt_id, None if exc.transient else exc.error)
            log.warning(
                "stand-up DM failed",
                extra={"run_id": run_id, "member": member_id, "error": exc.error, "retry": exc.transient},
            )
            if exc.transient:
                return False  # Slack is struggling: stop here, the next tick resumes with what is missing
            continue
        with uow.transaction() as session:
            runs_domain.record_prompt_sent(session, prompt_id, posted.channel, posted.ts, uow.now())
    with uow.transaction() as session:
        done = runs_domain.finish_fanout(session, run_id, uow.now())
    if done:
        log.info("stand-up fan-out done", extra={"run_id": run_id, "group": handle, "prompts": prompted})
    return done


# --- reminders -----------------------------------------------------------------------------------


def send_reminders(uow: UnitOfWork, messenger: Messenger, run_id: int) -> None:
    with uow.transaction() as session:
        run = session.get(StandupRun, run_id)
        if run is None:
            return
        tz = _zone(uow, domain.get_schedule(session, run.group_id))
        handle, due_at = run.group.handle, run.due_at
        prompt_ids = runs_domain.prompts_to_remind(session, run_id)
        readers = _readers(session, uow, run_id) if prompt_ids else {}
    for prompt_id in prompt_ids:
        with uow.transaction() as session:
            if not runs_domain.claim_reminder(session, prompt_id, uow.now()):
                continue
            prompt = session.get(StandupPrompt, prompt_id)
            if prompt is None:
                continue
            channel = prompt.dm_channel or prompt.member_id
        try:
            posted = messenger.post(
                channel, Reminder(handle, due_at, tz, prompt_id, readers.get(prompt_id, uow.language))
            )
        except MessengerError as exc:
            if exc.transient:
                with uow.transaction() as session:
                    runs_domain.release_reminder(session, prompt_id)
                return
            log.warning("stand-up reminder failed", extra={"run_id": run_id, "error": exc.error})
            continue
        with uow.transaction() as session:
            runs_domain.record_reminder(session, prompt_id, posted.ts)
        # An answer whose follow-up ran while Slack took the reminder could not see its ts. Read
        # after the commit above: either that follow-up saw the ts, or this read sees the answer.
        with uow.read() as session:  # a read: on SQLite it takes no write lock
            answered_meanwhile = runs_domain.is_answered(session, prompt_id)
        if answered_meanwhile and posted.ts:
            try:
                messenger.update(posted.channel, posted.ts, AnsweredPrompt(handle, due_at, tz, prompt_id))
            except MessengerError as exc:
                log.warning("answered reminder not updated", extra={"prompt_id": prompt_id, "error": exc.error})
    with uow.transaction() as session:
        if not runs_domain.prompts_to_remind(session, run_id):
            runs_domain.finish_reminders(session, run_id, uow.now())


# --- the close -----------------------------------------------------------------------------------


def close_run(uow: UnitOfWork, messenger: Messenger, run_id: int) -> None:
    """Close once (claimed) and post the summary in the thread (or to the lead without a channel)."""
    with uow.transaction() as session:
        if not runs_domain.claim_close(session, run_id, uow.now()):
            return
        found = domain.summary_of(session, run_id)
        blockers = tuple(
            (a.name, blocker) for a in found.answered if (blocker := domain.blocker_of(a, found.blocking_index))
        )
        channel, thread_ts = found.run.channel_id, found.run.message_ts
        lead_id = found.group.lead_id
        in_thread = bool(channel and thread_ts)
        language = found.group.language or uow.language
        if not in_thread and lead_id:
            language = _reader(session, uow, lead_id)
        summary = Summary(tuple(a.name for a in found.answered), found.not_answered, blockers, language)
    target = channel if in_thread else lead_id
    ts = None
    if target:
        try:
            ts = messenger.post(target, summary, thread_ts=thread_ts if target == channel else None).ts
        except MessengerError as exc:
            if exc.transient:
                with uow.transaction() as session:
                    runs_domain.release_close(session, run_id)
                return
            log.warning("stand-up summary not posted", extra={"run_id": run_id, "error": exc.error})
    with uow.transaction() as session:
        runs_domain.finish_close(session, run_id, ts)


# --- answers in the thread -----------------------------------------------------------------------


def answered(uow: UnitOfWork, messenger: Messenger, prompt_id: int) -> None:
    """After an answer's ack: the DM prompt says it was answered (with Edit answers), then the
    answers go to the thread (`post_answer_reply`, which raises when Slack fails)."""
    with uow.transaction() as session:
        prompt = session.get(StandupPrompt, prompt_id)
        targets: list[tuple[str, str, AnsweredPrompt]] = []
        if prompt is not None and prompt.dm_channel and prompt.answered_at is not None:
            run = prompt.run
            tz = _zone(uow, domain.get_schedule(session, run.group_id))
            message = AnsweredPrompt(run.group.handle, run.due_at, tz, prompt_id)
            # The prompt, and its reminder if one was sent: neither keeps offering `Answer`.
            targets = [(prompt.dm_channel, ts, message) for ts in (prompt.dm_ts, prompt.reminder_ts) if ts]
    for target in targets:
        try:
            messenger.update(*target)
        except MessengerError as exc:  # the answer is kept; that message simply still shows Answer
            log.warning("answered prompt not updated", extra={"prompt_id": prompt_id, "error": exc.error})
    post_answer_reply(uow, messenger, prompt_id)


def post_answer_reply(uow: UnitOfWork, messenger: Messenger, prompt_id: int) -> None:
    """Post the member's answers as a reply in the run's thread, or update the reply already there.

    Only the holder of the reply claim posts; it then re-reads the answers and updates the
    reply if they changed meanwhile, so a double submission never posts twice and the thread
    always ends with the latest answers. A failure is raised (after giving the claim back).
    """
    for _ in range(3):
        with uow.transaction() as session:
            prompt = session.get(StandupPrompt, prompt_id)
            run = prompt.run if prompt else None
            if prompt is None or run is None or not run.channel_id or not run.message_ts or prompt.answers is None:
                return  # no thread to post in; the answer is kept for the summary
            reply_ts = prompt.reply_ts
            if reply_ts is None and not domain.claim_reply(session, prompt_id, uow.now()):
                return  # someone else is posting it and will pick up these answers
            member = session.get(Member, prompt.member_id)
            snapshot = domain.answers_of(prompt.answers)
            reply = AnswerReply(
                member.display_name if member else prompt.member_id,
                tuple(domain.questions_of(run.questions)),
                tuple(snapshot),
                edited=reply_ts is not None,
                language=run.group.language or uow.language,
            )
            channel, thread_ts = run.channel_id, run.message_ts
        try:
            if reply_ts is None:
                reply_ts = messenger.post(channel, reply, thread_ts=thread_ts).ts
            else:
                messenger.update(channel, reply_ts, reply)
        except MessengerError:
            if not reply.edited:  # let the next submission (or a retry) post it
                with uow.transaction() as session:
                    domain.record_reply(session, prompt_id, None)
            raise
        with uow.transaction() as session:
            domain.record_reply(session, prompt_id, reply_ts)
            current = session.get(StandupPrompt, prompt_id)
            if current is None or domain.answers_of(current.answers) == snapshot:
                return
