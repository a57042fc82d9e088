"""Stand-up use cases a person starts: set, off, now, questions, away, and answering a prompt."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from models import standups as domain
from models.deliveries import claim_once
from models.errors import Invalid
from models.groups import get_group
from models.people import Member, ensure_member, member_or_newcomer
from models.standups import StandupSchedule
from services.actor import Actor
from services.standups.messages import (
    AnswerForm,
    AnswerRecorded,
    AwaySet,
    QuestionsForm,
    QuestionsSaved,
    ScheduleForm,
    ScheduleSet,
    ScheduleStopped,
    ScheduleView,
    StandupStarted,
)
from services.uow import UnitOfWork


class QuestionErrors(Invalid):
    """The questions modal's fields that are wrong, by field index (each a DomainError)."""

    def __init__(self, fields: dict[int, Invalid]):
        first = next(iter(fields.values()))
        super().__init__(first.code, **first.params)
        self.fields = fields


def schedule_view(schedule: StandupSchedule | None, now: datetime) -> ScheduleView | None:
    """The schedule as people read it (None: no schedule), with its next three due times."""
    if schedule is None or not schedule.active or not schedule.days:
        return None
    return ScheduleView(
        schedule.days, schedule.local_time, schedule.tz, schedule.active, tuple(domain.next_dues(schedule, now, 3))
    )


def _needs_profile(member: Member) -> bool:
    return not member.profile_fetched and not member.forgotten


def set_schedule(
    uow: UnitOfWork,
    actor: Actor,
    handle: str,
    days: tuple[str, ...],
    local_time: str,
    zone: str | None,
    *,
    claim: str | None = None,
) -> ScheduleSet:
    """`claim`: the modal's delivery key; its second arrival raises models.deliveries.AlreadyDone."""
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, claim, now)
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        group, schedule = domain.set_schedule(session, member, handle, days, local_time, zone or uow.timezone, now)
        view = schedule_view(schedule, now)
        assert view is not None  # just set active with days
        return ScheduleSet(group.handle, group.channel_id is not None, view, member.tz, _needs_profile(member))


def schedule_form(uow: UnitOfWork, actor: Actor, handle: str) -> ScheduleForm:
    """The Set stand-up modal's values, for the lead or a coordinator (the same rule as `set`).

    The zone is the group's (kept even when its schedule is off), else SPINDLE_TIMEZONE."""
    now = uow.now()
    with uow.transaction() as session:
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        group = get_group(session, handle)
        domain.require_lead(group, member, "set")
        schedule = domain.get_schedule(session, group.id)
        if schedule is None:
            return ScheduleForm(group.handle, (), "09:30", uow.timezone, _needs_profile(member))
        days = tuple(d for d in schedule.days.split(",") if d) if schedule.active else ()
        return ScheduleForm(group.handle, days, schedule.local_time, schedule.tz, _needs_profile(member))


def schedule_off(uow: UnitOfWork, actor: Actor, handle: str) -> ScheduleStopped:
    now = uow.now()
    with uow.transaction() as session:
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        return ScheduleStopped(domain.schedule_off(session, member, handle, now).handle, _needs_profile(member))


def start_now(uow: UnitOfWork, actor: Actor, handle: str) -> StandupStarted:
    """Claim a run due now; its fan-out (`delivery.fan_out`) follows once the command is answered."""
    now = uow.now()
    with uow.transaction() as session:
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        run = domain.start_now(session, member, handle, now, uow.timezone)
        prompted = domain.prompt_count(session, run.id)
        return StandupStarted(run.group.handle, run.id, prompted, _needs_profile(member))


def questions_form(uow: UnitOfWork, actor: Actor, handle: str) -> QuestionsForm:
    now = uow.now()
    with uow.read() as session:
        member = member_or_newcomer(session, actor.user_id, now, name=actor.name)
        group = get_group(session, handle)
        domain.require_lead(group, member, "questions")
        schedule = domain.get_schedule(session, group.id)
        questions = domain.questions_of(schedule.questions if schedule else None)
        return QuestionsForm(group.handle, group.id, tuple(questions), _needs_profile(member))


def save_questions(uow: UnitOfWork, actor: Actor, group_id: int, raw: list[str | None]) -> QuestionsSaved:
    """The modal's questions; wrong fields raise QuestionErrors before anything is looked up."""
    _, errors = domain.validate_questions(raw)
    if errors:
        raise QuestionErrors(errors)
    now = uow.now()
    with uow.transaction() as session:
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        group, questions = domain.set_questions(session, member, group_id, raw, now, uow.timezone)
        return QuestionsSaved(group.handle, tuple(questions))


def today_for(member: Member, default_tz: str, now: datetime) -> date:
    """The member's own date (their Slack zone, else the workspace's)."""
    try:
        return now.astimezone(ZoneInfo(member.tz or default_tz)).date()
    except (KeyError, ValueError):
        return now.astimezone(ZoneInfo(default_tz)).date()


def set_away(uow: UnitOfWork, actor: Actor, until: date, *, once: str | None = None) -> AwaySet:
    now = uow.now()
    with uow.transaction() as session:
        claim_once(session, once, now)  # the Home's date picker, picked twice: AlreadyDone
        member, _ = ensure_member(session, actor.user_id, now, name=actor.name)
        away = domain.set_away(member, until, today_for(member, uow.timezone, now))
        return AwaySet(away, _needs_profile(member))


def answer_form(uow: UnitOfWork, actor: Actor, prompt_id: int) -> AnswerForm:
    """The DM button: the answer modal for the prompt's recipient, while the run takes answers."""
    with uow.read() as session:
        prompt = domain.prompt_for(session, prompt_id, actor.user_id)
        domain.require_open(prompt)
        run = prompt.run
        schedule = domain.get_schedule(session, run.group_id)
        return AnswerForm(
            run.group.handle,
            run.due_at,
            schedule.tz if schedule else uow.timezone,
            tuple(domain.questions_of(run.questions)),
            tuple(domain.answers_of(prompt.answers)),
            prompt_id,
        )


def answer(uow: UnitOfWork, actor: Actor, prompt_id: int, raw: list[str | None]) -> AnswerRecorded:
    """Record the answers; the thread reply (`delivery.post_answer_reply`) follows the modal's ack."""
    with uow.transaction() as session:
        domain.record_answer(session, prompt_id, actor.user_id, raw, uow.now())
    return AnswerRecorded(prompt_id)
